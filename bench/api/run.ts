import { encodeCursor } from '../../apps/server/src/messages/cursor';
import { createSession, SESSION_COOKIE } from '../../apps/server/src/users/sessions';
import pg from 'pg';
import { startFloorServer } from './floor-server';
import { load, type LoadResult } from './load';
import { startPopgate } from './popgate';
import { measureIdleWebsockets } from './websockets';
import { freshDatabase, seedMailbox } from './seed';

const MESSAGES = Number(process.env.API_BENCH_MESSAGES ?? 100_000);
const SECONDS = Number(process.env.API_BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.API_BENCH_CONNECTIONS ?? 50);
/** Both sides get the same number of database connections (Popgate's default). */
const POOL = 10;
/** The latency the list must keep at 50 connections, 99 requests in 100. */
const TARGET_P99_MS = 25;
const DEEP_ROW = Math.floor(MESSAGES * 0.9);
const WEBSOCKETS = Number(process.env.API_BENCH_WEBSOCKETS ?? 10_000);
const WEBSOCKET_USERS = Number(process.env.API_BENCH_WEBSOCKET_USERS ?? 1000);

const database = await freshDatabase();
try {
  const started = Date.now();
  const { userId } = await seedMailbox(database.url, MESSAGES);
  console.log(
    `mailbox: ${MESSAGES} messages for one user, inserted in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  await measureList(userId);
  if (WEBSOCKETS > 0) await measureWebsockets();
} finally {
  await database.drop();
}

/** GET /api/messages, Popgate against the floor, scenario by scenario. */
async function measureList(userId: string): Promise<void> {
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const { prisma, origin: popgate, close } = await startPopgate(database.url, POOL);
    cleanups.unshift(close);
    const session = await createSession(prisma, userId, { ip: '127.0.0.1' });
    const floor = await startFloorServer(database.url, userId, POOL);
    cleanups.unshift(() => floor.close());

    const deep = await deepCursor(database.url, userId, DEEP_ROW);
    const scenarios = [
      { name: 'first page', query: 'limit=50' },
      {
        name: `deep page (row ${DEEP_ROW.toLocaleString('en')})`,
        query: `limit=50&cursor=${deep}`,
      },
      { name: 'search, 1% match', query: 'limit=50&q=tag42' },
      { name: 'search, 10% match', query: 'limit=50&q=invoice' },
    ];
    const headers = { cookie: `${SESSION_COOKIE}=${session.token}` };

    // Both answer the same items for the same request, or the comparison means nothing.
    for (const { name, query } of scenarios) {
      const ours = await (await fetch(`${popgate}/api/messages?${query}`, { headers })).json();
      const theirs = await (await fetch(`${floor.origin}/api/messages?${query}`)).json();
      if (JSON.stringify(ours) !== JSON.stringify(theirs))
        throw new Error(`${name}: answers differ`);
    }

    for (const [index, { name, query }] of scenarios.entries()) {
      const runPopgate = () =>
        load(`${popgate}/api/messages?${query}`, {
          connections: CONNECTIONS,
          seconds: SECONDS,
          headers,
        });
      const runFloor = () =>
        load(`${floor.origin}/api/messages?${query}`, {
          connections: CONNECTIONS,
          seconds: SECONDS,
        });
      // A short warm-up each (JIT, plan cache, buffers), then alternate who goes first.
      await load(`${popgate}/api/messages?${query}`, {
        connections: CONNECTIONS,
        seconds: 1,
        headers,
      });
      await load(`${floor.origin}/api/messages?${query}`, { connections: CONNECTIONS, seconds: 1 });
      let ours: LoadResult;
      let theirs: LoadResult;
      if (index % 2 === 0) {
        ours = await runPopgate();
        theirs = await runFloor();
      } else {
        theirs = await runFloor();
        ours = await runPopgate();
      }
      const ratio = theirs.requestsPerSecond / ours.requestsPerSecond;
      const line =
        `${name}: popgate ${ours.requestsPerSecond.toFixed(0)} req/s (p50 ${ours.p50} ms, p99 ${ours.p99} ms, ${verdict(ours)}), ` +
        `pg floor ${theirs.requestsPerSecond.toFixed(0)} req/s (p50 ${theirs.p50} ms, p99 ${theirs.p99} ms, ${verdict(theirs)}), ratio ${ratio.toFixed(2)}`;
      console.log(line);
    }
    // What any signed-in request costs here (session lookup, hooks, headers), for context.
    await load(`${popgate}/api/auth/me`, { connections: CONNECTIONS, seconds: 1, headers });
    const me = await load(`${popgate}/api/auth/me`, {
      connections: CONNECTIONS,
      seconds: SECONDS,
      headers,
    });
    console.log(
      `for context, GET /api/auth/me: popgate ${me.requestsPerSecond.toFixed(0)} req/s (p50 ${me.p50} ms, p99 ${me.p99} ms)`,
    );
    console.log(
      `\napi: GET /api/messages?limit=50 over ${MESSAGES} messages, ${CONNECTIONS} connections, ${SECONDS} s each; ratio = time per request, popgate / pg floor`,
    );
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error) => console.error(error));
  }
}

async function measureWebsockets(): Promise<void> {
  const result = await measureIdleWebsockets(database.url, {
    sockets: WEBSOCKETS,
    users: Math.min(WEBSOCKET_USERS, WEBSOCKETS),
    clientProcesses: 2,
    poolSize: POOL,
  });
  const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  const perSocket = (bytes: number) => `${(bytes / result.sockets / 1024).toFixed(1)} KB`;
  const allHeld =
    result.stillOpen === result.sockets &&
    result.heldByServer === result.sockets &&
    result.closed === 0;
  console.log(
    `websockets: ${result.sockets.toLocaleString('en')} idle /api/events sockets of ${result.users.toLocaleString('en')} signed-in users, ` +
      `opened in ${result.openingSeconds.toFixed(1)} s from ${result.clientProcesses} other processes; ` +
      `Popgate's RSS ${megabytes(result.before.rss)} before, ${megabytes(result.with.rss)} with them ` +
      `(${perSocket(result.with.rss - result.before.rss)} a socket; JS heap ${perSocket(result.with.heapUsed - result.before.heapUsed)} a socket)`,
  );
  console.log(
    `  after ${result.heldSeconds.toFixed(0)} s (heartbeat every ${result.heartbeatMs / 1000} s): ` +
      `${result.stillOpen.toLocaleString('en')} open, ${result.closed} closed, Popgate holding ${result.heldByServer.toLocaleString('en')}, ` +
      `every socket pinged at least ${result.fewestPings} times and answering; ` +
      `${result.databaseConnections} database connections open (pool of ${POOL} plus the event listener): ${allHeld ? 'all held' : 'NOT all held'}`,
  );
}

function verdict(result: LoadResult): string {
  return `p99 ${result.p99 <= TARGET_P99_MS ? '≤' : '>'} ${TARGET_P99_MS} ms`;
}

/** The cursor a client holds after paging down to `row` (what GET /api/messages would hand it). */
async function deepCursor(url: string, userId: string, row: number): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // The list pages by arrival (receivedAt, id).
    const { rows } = await client.query<{ at: string; id: string }>(
      `SELECT to_char("receivedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, id FROM messages
        WHERE "userId" = $1 ORDER BY "receivedAt" DESC, id DESC OFFSET $2 LIMIT 1`,
      [userId, row - 1],
    );
    return encodeCursor({ at: new Date(rows[0]!.at), id: rows[0]!.id });
  } finally {
    await client.end();
  }
}
