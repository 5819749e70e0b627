import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * PostgreSQL in-process (PGlite), reached through a loopback socket so the rest of Popgate uses
 * the very same driver and Prisma adapter as with a real server. PGlite runs one transaction at
 * a time: callers keep a pool of one connection.
 */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const pgDir = path.join(dataDir, 'pg');
  fs.mkdirSync(pgDir, { recursive: true, mode: 0o700 });
  const db = await PGlite.create({ dataDir: pgDir });
  // The driver replaces a connection after a query error; with the default limit of one
  // connection the replacement is refused while the old one is still closing.
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: 100,
    debug: process.env.PGLITE_DEBUG === '1',
  });
  await server.start();
  const conn = server.getServerConn();
  return {
    url: `postgresql://postgres@${conn}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
