import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../apps/server/src/app';
import { loadConfig } from '../../apps/server/src/config';
import type { Database } from '../../apps/server/src/db/database';
import { createPrismaClient } from '../../apps/server/src/db/prisma';

type App = Awaited<ReturnType<typeof buildApp>>;

/**
 * Popgate as `main.ts` builds it (no polling, a fixed secret key, logging off), on `databaseUrl`
 * with `poolSize` database connections, listening on 127.0.0.1 at a free port. `extend` may add
 * routes of a benchmark's own before it listens.
 */
export async function startPopgate(
  databaseUrl: string,
  poolSize: number,
  extend?: (app: App) => void,
) {
  const dataDir = await mkdtemp(join(tmpdir(), 'popgate-bench-api-'));
  const prisma = createPrismaClient(databaseUrl, poolSize);
  const db: Database = {
    prisma,
    url: databaseUrl,
    embedded: false,
    appliedMigrations: [],
    close: () => prisma.$disconnect(),
  };
  const app = await buildApp({
    config: loadConfig({
      DATABASE_URL: databaseUrl,
      POPGATE_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    }),
    db,
    secretKey: { id: 'bench', key: Buffer.alloc(32, 1) },
    poll: false,
    webRoot: dataDir,
  });
  extend?.(app);
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    prisma,
    origin,
    async close() {
      await app.close();
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
