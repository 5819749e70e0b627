import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;

const pools = new WeakMap<Db, pg.Pool>();

/** One Prisma client over node-postgres: the same code path for embedded and external databases. */
export function createPrismaClient(connectionString: string, poolSize: number): Db {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // A dropped idle connection is replaced by the next query; it must not end the process.
  pool.on('error', () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(prisma, pool);
  return prisma;
}

/**
 * The node-postgres pool beneath a client made by createPrismaClient, for the few hot reads where
 * Prisma's own cost per query shows: the same connections, so the pool size still holds.
 */
export function poolOf(prisma: Db): pg.Pool {
  const pool = pools.get(prisma);
  if (!pool) throw new Error('not a client made by createPrismaClient');
  return pool;
}
