import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, MigrationError, readMigrations } from '../src/db/migrations';
import { migrationsDir } from '../src/paths';
import { createDatabase, dropDatabase } from './support/databases';

const created: string[] = [];
afterEach(async () => {
  while (created.length) await dropDatabase(created.pop()!);
});

async function freshDatabase() {
  const db = await createDatabase('popgate_test_migrations');
  created.push(db.name);
  return db.url;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

function copyMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-migrations-'));
  fs.cpSync(migrationsDir(), dir, { recursive: true });
  return dir;
}

describe('migrations', () => {
  it('apply once on a fresh database and are recorded the way Prisma records them', async () => {
    const url = await freshDatabase();
    const files = readMigrations(migrationsDir());
    expect(await applyMigrations(url, migrationsDir())).toEqual(files.map((f) => f.name));

    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY started_at',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.entries()) {
      const sql = fs.readFileSync(path.join(migrationsDir(), files[i]!.name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    const tables = await query<{ tablename: string }>(
      url,
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    );
    expect(tables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining([
        'users',
        'sessions',
        'pop3_accounts',
        'messages',
        'message_sources',
        'attachments',
        'sync_runs',
        'audit_log',
        'events',
        'policy',
      ]),
    );
  });

  it('apply nothing the second time', async () => {
    const url = await freshDatabase();
    await applyMigrations(url, migrationsDir());
    expect(await applyMigrations(url, migrationsDir())).toEqual([]);
    const rows = await query(url, 'SELECT 1 FROM "_prisma_migrations"');
    expect(rows).toHaveLength(readMigrations(migrationsDir()).length);
  });

  it('are applied exactly once when several processes start at the same moment', async () => {
    const url = await freshDatabase();
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => applyMigrations(url, migrationsDir())),
    );
    expect(results.flat()).toEqual(readMigrations(migrationsDir()).map((f) => f.name));
    const rows = await query(url, 'SELECT 1 FROM "_prisma_migrations"');
    expect(rows).toHaveLength(readMigrations(migrationsDir()).length);
  });

  it('apply a new migration on top of the recorded ones', async () => {
    const url = await freshDatabase();
    const dir = copyMigrations();
    await applyMigrations(url, dir);
    fs.mkdirSync(path.join(dir, '29991231000000_add_note'));
    fs.writeFileSync(
      path.join(dir, '29991231000000_add_note', 'migration.sql'),
      'ALTER TABLE "users" ADD COLUMN "note" TEXT;',
    );
    expect(await applyMigrations(url, dir)).toEqual(['29991231000000_add_note']);
    const columns = await query<{ column_name: string }>(
      url,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'note'",
    );
    expect(columns).toHaveLength(1);
  });

  it('refuse to run when an applied migration was edited afterwards', async () => {
    const url = await freshDatabase();
    const dir = copyMigrations();
    await applyMigrations(url, dir);
    const [first] = readMigrations(dir);
    fs.appendFileSync(path.join(dir, first!.name, 'migration.sql'), '\n-- edited\n');
    await expect(applyMigrations(url, dir)).rejects.toThrow(/was changed after it was applied/);
  });

  it('refuse a database migrated by a newer version', async () => {
    const url = await freshDatabase();
    const dir = copyMigrations();
    await applyMigrations(url, dir);
    fs.mkdirSync(path.join(dir, '29991231000000_future'));
    fs.writeFileSync(path.join(dir, '29991231000000_future', 'migration.sql'), 'SELECT 1;');
    await applyMigrations(url, dir);
    fs.rmSync(path.join(dir, '29991231000000_future'), { recursive: true });
    await expect(applyMigrations(url, dir)).rejects.toThrow(
      /29991231000000_future, which this version of Popgate does not know/,
    );
  });

  it('roll back a failing migration completely and name it in the error', async () => {
    const url = await freshDatabase();
    const dir = copyMigrations();
    fs.mkdirSync(path.join(dir, '29991231000000_broken'));
    fs.writeFileSync(
      path.join(dir, '29991231000000_broken', 'migration.sql'),
      'CREATE TABLE "half_done" (id int);\nSELECT * FROM "no_such_table";',
    );
    const error = await applyMigrations(url, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/29991231000000_broken failed: .*no_such_table/);
    expect(await query(url, "SELECT 1 FROM pg_tables WHERE tablename = 'half_done'")).toHaveLength(
      0,
    );
    const recorded = await query<{ migration_name: string }>(
      url,
      'SELECT migration_name FROM "_prisma_migrations"',
    );
    expect(recorded.map((r) => r.migration_name)).not.toContain('29991231000000_broken');
  });

  it('match prisma/schema.prisma: the snapshot they were generated from is the current schema', () => {
    const root = path.resolve(migrationsDir(), '..');
    const schema = fs.readFileSync(path.join(root, 'schema.prisma'), 'utf8');
    const snapshot = fs.readFileSync(path.join(migrationsDir(), 'migrated-schema.prisma'), 'utf8');
    // When this fails: `npm run migration:new -- <name>` writes the migration for the change.
    expect(snapshot).toBe(schema);
  });
});
