import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { utcTimestamps } from '../../apps/server/src/db/utc-timestamps';
import { decodeCursor, encodeCursor } from '../../apps/server/src/mail/message-cursor';
import { listStatement } from './list-sql';

interface Row {
  id: string;
  accountId: string;
  subject: string;
  fromName: string;
  fromAddress: string;
  date: Date;
  snippet: string;
  size: number;
  seen: boolean;
  flagged: boolean;
  hasAttachments: boolean;
  rank: string | null;
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
      .query<Row>(listStatement(userId, { limit, ...(q && { q }), ...(after && { after }) }))
      .then(({ rows }) => {
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        const body = JSON.stringify({
          items: page.map((row) => ({
            id: row.id,
            accountId: row.accountId,
            subject: row.subject,
            from: { name: row.fromName, address: row.fromAddress },
            date: row.date.toISOString(),
            snippet: row.snippet,
            size: row.size,
            seen: row.seen,
            flagged: row.flagged,
            hasAttachments: row.hasAttachments,
          })),
          nextCursor:
            rows.length > limit && last
              ? encodeCursor({
                  date: last.date,
                  id: last.id,
                  ...(last.rank && { rank: last.rank }),
                })
              : null,
        });
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
