import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db/database';
import { createPrismaClient } from '../../src/db/prisma';
import { loadSecretKey } from '../../src/secret-key';

/**
 * A Popgate app on this run's migrated test database, with its own data folder (or `dataDir`,
 * shared as processes on one host share it). `env` adds configuration, e.g.
 * { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' } to reach servers on 127.0.0.1. `connections`: the
 * pool's size (the embedded database takes one, as Popgate opens it).
 */
export async function testApp(
  options: {
    databaseUrl?: string;
    webRoot?: string;
    env?: Record<string, string>;
    dataDir?: string;
    connections?: number;
    /** Run the scheduler, as the server does (default: no polling). */
    poll?: boolean;
  } = {},
) {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-app-'));
  const url = options.databaseUrl ?? inject('databaseUrl');
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    ...options.env,
    DATABASE_URL: url,
    POPGATE_DATA_DIR: dataDir,
  });
  const prisma = createPrismaClient(url, options.connections ?? 4);
  const db: Database = {
    prisma,
    url,
    embedded: false,
    appliedMigrations: [],
    close: () => prisma.$disconnect(),
  };
  const app = await buildApp({
    config,
    db,
    // POPGATE_SECRET_KEY in `env` lets several apps on one database open each other's secrets.
    secretKey: loadSecretKey(config.secretKey, dataDir),
    poll: options.poll ?? false,
    ...(options.webRoot && { webRoot: options.webRoot }),
  });
  return {
    app,
    db,
    async close() {
      await app.close();
      await db.close();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
