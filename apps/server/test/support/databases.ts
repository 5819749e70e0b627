import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Each test run works in databases it creates on the real PostgreSQL server and drops at the
 * end, so runs never see each other's data. TEST_DATABASE_URL names the server (any database).
 */
export const serverUrl = (): string =>
  process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(
  prefix = 'popgate_test',
): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** A database of the test's own, migrated, for tests that must not see other tests' rows. */
export async function createMigratedDatabase(
  prefix = 'popgate_test_own',
): Promise<{ name: string; url: string }> {
  const { applyMigrations } = await import('../../src/db/migrations');
  const { migrationsDir } = await import('../../src/paths');
  const db = await createDatabase(prefix);
  await applyMigrations(db.url, migrationsDir());
  await openSignUp(db.url);
  return db;
}

/**
 * Test POP3 servers listen on random high ports; the default admin policy allows 110 and 995
 * only. Tests that sync against them open the policy to any port.
 */
export async function allowAnyPort(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`UPDATE policy SET "allowedPorts" = '{}' WHERE id = 1`);
  } finally {
    await client.end();
  }
}

/**
 * Public sign-up is closed once there is an admin; tests sign up many users of their own on one
 * database, as on a Popgate whose admin opened sign-up.
 */
export async function openSignUp(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`UPDATE policy SET "signupOpen" = true WHERE id = 1`);
  } finally {
    await client.end();
  }
}
