import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { utcTimestamps } from '../../apps/server/src/db/utc-timestamps';
import { decodeCursor } from '../../apps/server/src/messages/cursor';
import { listPage, listStatement, type ListRow } from '../../apps/server/src/messages/list';
import { parseSearch } from '../../apps/server/src/search/query-parser';
import { searchSql } from '../../apps/server/src/search/search-sql';

/** The search the list would run for `q`, as its route parses it. */
function searchOf(q: string | undefined, userId: string) {
  const node = q === undefined ? null : parseSearch(q);
  return node && searchSql(node, userId);
}

/**
 * The floor: a bare node:http server answering GET /api/messages with the same statement through
 * node-postgres and the same JSON, for one fixed user: no framework, no session lookup, no ORM.
 */
export async function startFloorServer(url: string, userId: string, poolSize: number) {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: utcTimestamps,
  });
  const server = http.createServer((request, response) => {
    const query = new URL(request.url!, 'http://floor').searchParams;
    const limit = Number(query.get('limit') ?? 50);
    const cursor = query.get('cursor');
    const after = cursor ? decodeCursor(cursor) : undefined;
    const q = query.get('q') ?? undefined;
    pool
      .query<ListRow>(
        listStatement({
          userId,
          search: searchOf(q, userId),
          folder: 'inbox',
          limit,
          ...(after && { after }),
        }),
      )
      .then(({ rows }) => {
        const body = JSON.stringify(listPage(rows, limit));
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        response.end(body);
      })
      .catch((error: Error) => {
        response.writeHead(500);
        response.end(error.message);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}
