import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { eventStreamSettings } from '../../apps/server/src/routes/events/stream-settings';
import { SESSION_COOKIE } from '../../apps/server/src/users/sessions';
import { startChild } from './child-process';
import { signedInUsers } from './signed-in-users';

interface Memory {
  rss: number;
  heapUsed: number;
}

interface ClientStatus {
  open: number;
  closed: number;
  fewestPings: number;
}

/** Heartbeats every socket must live through: the first pings it, the next ends it without a pong. */
const HOLD_BEATS = 2;
const OPENING_AT_ONCE = 100;

/**
 * Opens `sockets` idle event-stream websockets (spread over `users` signed-in users) to one
 * Popgate process from `clientProcesses` other processes, holds them through HOLD_BEATS real
 * heartbeats, and reads the Popgate process's memory before and with them.
 */
export async function measureIdleWebsockets(
  databaseUrl: string,
  options: { sockets: number; users: number; clientProcesses: number; poolSize: number },
) {
  const tokens = await signedInUsers(databaseUrl, options.users);
  const cookies = Array.from(
    { length: options.sockets },
    (_, i) => `${SESSION_COOKIE}=${tokens[i % tokens.length]}`,
  );
  const server = startChild(new URL('./websocket-server.ts', import.meta.url), {
    nodeOptions: ['--expose-gc'],
    env: { DATABASE_URL: databaseUrl, POOL: String(options.poolSize) },
  });
  const clients: Array<ReturnType<typeof startChild>> = [];
  const browsers = () => {
    const child = startChild(new URL('./websocket-clients.ts', import.meta.url));
    clients.push(child);
    return child;
  };
  try {
    const origin = await server.ask<string>({ type: 'origin' });
    const url = `${origin.replace(/^http/, 'ws')}/api/events`;
    // A first few sockets load and compile what any socket needs: not a per-socket cost.
    const warmUp = browsers();
    await warmUp.ask({
      type: 'open',
      url,
      origin,
      cookies: cookies.slice(0, 200),
      concurrency: 50,
    });
    await warmUp.ask({ type: 'close' });
    while ((await server.ask<number>({ type: 'sockets' })) > 0) await sleep(100);
    const before = await server.ask<Memory>({ type: 'memory' });

    const started = Date.now();
    const processes = Array.from({ length: options.clientProcesses }, browsers);
    await Promise.all(
      processes.map((child, index) =>
        child.ask({
          type: 'open',
          url,
          origin,
          cookies: cookies.filter((_, i) => i % processes.length === index),
          concurrency: OPENING_AT_ONCE,
        }),
      ),
    );
    const openingSeconds = (Date.now() - started) / 1000;
    await sleep(HOLD_BEATS * eventStreamSettings.heartbeatMs + 2000);

    const statuses = await Promise.all(
      processes.map((c) => c.ask<ClientStatus>({ type: 'status' })),
    );
    const held = await server.ask<number>({ type: 'sockets' });
    const withSockets = await server.ask<Memory>({ type: 'memory' });
    return {
      ...options,
      openingSeconds,
      heartbeatMs: eventStreamSettings.heartbeatMs,
      heldSeconds: (Date.now() - started) / 1000 - openingSeconds,
      stillOpen: statuses.reduce((sum, status) => sum + status.open, 0),
      closed: statuses.reduce((sum, status) => sum + status.closed, 0),
      fewestPings: Math.min(...statuses.map((status) => status.fewestPings)),
      heldByServer: held,
      databaseConnections: await connectionsTo(databaseUrl),
      before,
      with: withSockets,
    };
  } finally {
    await Promise.all(clients.map((child) => child.ask({ type: 'close' }).catch(() => {})));
    await server.ask({ type: 'close' }).catch(() => {});
    for (const child of [...clients, server]) child.kill();
  }
}

/** Connections open to the benchmark's database other than this one (the Popgate process's). */
async function connectionsTo(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(
      `SELECT count(*) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return Number(rows[0]!.count);
  } finally {
    await client.end();
  }
}
