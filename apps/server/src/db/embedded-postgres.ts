import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * PostgreSQL in-process (PGlite), reached through a socket so the rest of Popgate uses the very
 * same driver and Prisma adapter as with a real server. PGlite runs one transaction at a time:
 * callers keep a pool of one connection.
 *
 * The socket server checks no user name or password, so nobody else may reach it: it listens on
 * a Unix socket (never a TCP port) inside a folder only Popgate's own user can enter (0700).
 */
export interface EmbeddedPostgres {
  url: string;
  /** The Unix socket the database answers on. */
  socketPath: string;
  stop(): Promise<void>;
}

/** The port is only a name here: node-postgres looks for `<host>/.s.PGSQL.<port>`. */
const PORT = 5432;
const SOCKET_NAME = `.s.PGSQL.${PORT}`;
/** A Unix socket path holds at most 107 bytes on Linux (103 on macOS). */
const MAX_SOCKET_PATH_BYTES = 100;

export class EmbeddedDatabaseInUseError extends Error {
  constructor(dataDir: string) {
    super(
      `The embedded database in ${dataDir} is in use by another Popgate process: stop that one first, or set POPGATE_DATA_DIR to another folder`,
    );
    this.name = 'EmbeddedDatabaseInUseError';
  }
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const pgDir = path.join(dataDir, 'pg');
  fs.mkdirSync(pgDir, { recursive: true, mode: 0o700 });
  const socketDir = privateSocketDir(dataDir);
  const socketPath = path.join(socketDir.path, SOCKET_NAME);
  const removeSocketDir = () => {
    if (socketDir.temporary) fs.rmSync(socketDir.path, { recursive: true, force: true });
  };
  try {
    await clearStaleSocket(socketPath, dataDir);
  } catch (error) {
    removeSocketDir();
    throw error;
  }

  // Search folds accents with unaccent (the migration search_multilingual creates it).
  const db = await PGlite.create({ dataDir: pgDir, extensions: { unaccent } });
  // The driver replaces a connection after a query error; with the default limit of one
  // connection the replacement is refused while the old one is still closing.
  const server = new PGLiteSocketServer({
    db,
    path: socketPath,
    maxConnections: 100,
    debug: process.env.PGLITE_DEBUG === '1',
  });
  try {
    await server.start();
    // The folder already keeps others out; the socket itself is the owner's only as well.
    fs.chmodSync(socketPath, 0o600);
  } catch (error) {
    await server.stop().catch(() => {});
    await db.close();
    removeSocketDir();
    throw error;
  }
  const host = encodeURIComponent(socketDir.path);
  return {
    url: `postgresql://postgres@localhost/postgres?host=${host}&port=${PORT}&sslmode=disable`,
    socketPath,
    async stop() {
      await server.stop();
      await db.close();
      fs.rmSync(socketPath, { force: true });
      removeSocketDir();
    },
  };
}

/**
 * `<dataDir>/run`, made or tightened to 0700; a private temporary folder (0700 too) when the
 * socket path would be too long there.
 */
function privateSocketDir(dataDir: string): { path: string; temporary: boolean } {
  const dir = path.resolve(dataDir, 'run');
  if (Buffer.byteLength(path.join(dir, SOCKET_NAME)) > MAX_SOCKET_PATH_BYTES) {
    return { path: fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-pg-')), temporary: true };
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory())
    throw new Error(`${dir} must be a folder (it holds the database socket)`);
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
    throw new Error(`${dir} belongs to another user; remove it so Popgate can make its own`);
  }
  fs.chmodSync(dir, 0o700);
  return { path: dir, temporary: false };
}

/**
 * A socket left behind by a process that did not stop cleanly is removed; one that still answers
 * belongs to a Popgate running on the same data folder, and two must never open it at once.
 */
async function clearStaleSocket(socketPath: string, dataDir: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(socketPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!stat.isSocket()) {
    throw new Error(`${socketPath} is not a socket; remove it so Popgate can start`);
  }
  const answers = await new Promise<boolean>((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (answers) throw new EmbeddedDatabaseInUseError(dataDir);
  fs.rmSync(socketPath, { force: true });
}
