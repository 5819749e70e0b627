import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const serverDir = join(root, 'apps/server');

/** The server bundle `npm start` runs (apps/server/dist/main.js), built from the sources now. */
export function buildServer(): void {
  const built = spawnSync(process.execPath, ['build.mjs'], { cwd: serverDir, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building apps/server failed');
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * One Popgate process as `npm start` runs it (node dist/main.js), sync scheduler on, settings
 * from the environment: private networks allowed (the load server is on loopback), the given
 * secret key, everything else at its default. Its log goes to a file in a temporary folder.
 */
export async function startPopgateProcess(options: {
  databaseUrl: string;
  secretKey: Buffer;
  env?: Record<string, string>;
}) {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'popgate-bench-scale-'));
  const logFile = join(dataDir, 'popgate.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ['--enable-source-maps', join(serverDir, 'dist/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      POPGATE_DATA_DIR: dataDir,
      POPGATE_SECRET_KEY: options.secretKey.toString('hex'),
      POPGATE_ALLOW_PRIVATE_NETWORKS: 'true',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const origin = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 250) {
    if (child.exitCode !== null)
      throw new Error(`Popgate exited (${child.exitCode}); see ${logFile}`);
    const up = await fetch(`${origin}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (waited > 60_000) throw new Error(`Popgate did not answer within 60 s; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    pid: child.pid!,
    origin,
    logFile,
    metrics: () => fetch(`${origin}/metrics`).then((r) => r.text()),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
