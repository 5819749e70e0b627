import type { Config } from '../config';
import { migrationsDir } from '../paths';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { applyMigrations } from './migrations';
import { createPrismaClient, type Db } from './prisma';

export interface Database {
  prisma: Db;
  url: string;
  embedded: boolean;
  /** Migrations applied during this open (empty when the database was up to date). */
  appliedMigrations: string[];
  close(): Promise<void>;
}

/**
 * Opens Popgate's database: the server in DATABASE_URL, or the embedded one under the data
 * folder; applies pending migrations before anything else touches it.
 */
export async function openDatabase(config: Config): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  if (!config.databaseUrl) embedded = await startEmbeddedPostgres(config.dataDir);
  const url = embedded?.url ?? (config.databaseUrl as string);
  try {
    const appliedMigrations = await applyMigrations(url, migrationsDir());
    const prisma = createPrismaClient(url, embedded ? 1 : 10);
    return {
      prisma,
      url,
      embedded: embedded !== undefined,
      appliedMigrations,
      async close() {
        await prisma.$disconnect();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
