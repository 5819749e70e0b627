import { bindSealedSecrets } from '../accounts/bind-sealed-secrets';
import type { Config } from '../config';
import { Keyring } from '../crypto/secret-box';
import { migrationsDir } from '../paths';
import { loadSecretKey, type SecretKey } from '../secret-key';
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
 * folder; applies pending migrations before anything else touches it, then seals POP3 passwords
 * stored the old way again, bound to their account (with `secretKey`, by default the configured one).
 */
export async function openDatabase(
  config: Config,
  secretKey: SecretKey = loadSecretKey(config.secretKey, config.dataDir),
): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  if (!config.databaseUrl) embedded = await startEmbeddedPostgres(config.dataDir);
  const url = embedded?.url ?? (config.databaseUrl as string);
  try {
    const appliedMigrations = await applyMigrations(url, migrationsDir()).catch(
      (error: unknown) => {
        throw describeConnectionError(error, url);
      },
    );
    const prisma = createPrismaClient(url, embedded ? 1 : 10);
    try {
      await bindSealedSecrets(prisma, new Keyring(secretKey));
    } catch (error) {
      await prisma.$disconnect();
      throw error;
    }
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

/** Turns a driver error into one sentence that says which server and what to check. */
function describeConnectionError(error: unknown, url: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (
    !code ||
    !['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', '28P01', '3D000', '28000'].includes(
      code,
    )
  ) {
    return error as Error;
  }
  const { hostname, port, pathname } = new URL(url);
  const where = `PostgreSQL at ${hostname}:${port || 5432}${pathname}`;
  const why: Record<string, string> = {
    ECONNREFUSED: 'the connection was refused: is the server running?',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name does not resolve',
    ETIMEDOUT: 'the connection timed out',
    '28P01': 'the password was rejected',
    '28000': 'the user may not connect',
    '3D000': 'the database does not exist',
  };
  return new Error(`Cannot use ${where}: ${why[code]} (${code}). Check DATABASE_URL.`, {
    cause: error,
  });
}
