import { startChild } from '../api/child-process';
import type { LoadServerOptions, LoadServerStats } from './load-server';

/** The load server (load-server.ts) started in a child process; its pid is for /proc readings. */
export async function startLoadServerProcess(options: LoadServerOptions) {
  const child = startChild(new URL('./load-server-child.ts', import.meta.url), {
    env: { SCALE_LOAD_SERVER: JSON.stringify(options) },
  });
  const port = await child.ask<number>({ type: 'port' });
  return {
    pid: child.pid,
    port,
    stats: () => child.ask<LoadServerStats>({ type: 'stats' }),
    async close() {
      await child.ask({ type: 'close' }).catch(() => {});
      child.kill();
    },
  };
}
