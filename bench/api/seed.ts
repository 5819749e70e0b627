import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations } from '../../apps/server/src/db/migrations';
import { migrationsDir } from '../../apps/server/src/paths';

/** The PostgreSQL server to create the benchmark's database on (any database of it). */
export const serverUrl = () =>
  process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function withServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of the benchmark's own; `drop` removes it. */
export async function freshDatabase() {
  const name = `popgate_bench_api_${randomBytes(4).toString('hex')}`;
  await withServer((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  await applyMigrations(url.toString(), migrationsDir());
  return {
    url: url.toString(),
    drop: () => withServer((client) => client.query(`DROP DATABASE "${name}" WITH (FORCE)`)),
  };
}

/** Subjects name one of ten topics (10% each); bodies carry one of 100 tags (1% each). */
export const TOPICS = [
  'invoice',
  'meeting',
  'travel',
  'report',
  'newsletter',
  'order',
  'family',
  'project',
  'support',
  'security',
];

/**
 * One user with one account and `count` messages, inserted by a single INSERT ... SELECT over
 * generate_series (the search trigger fills the tsvector as it would for synced mail), then
 * analyzed so the planner knows the table's size.
 */
export async function seedMailbox(url: string, count: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const user = await client.query<{ id: string }>(
      `INSERT INTO users (id, email, "passwordHash", "updatedAt")
       VALUES (gen_random_uuid(), 'bench@example.test', 'unused', now()) RETURNING id`,
    );
    const userId = user.rows[0]!.id;
    const account = await client.query<{ id: string }>(
      `INSERT INTO pop3_accounts (id, "userId", label, host, port, username, "secretCiphertext",
                                  "secretKeyId", "updatedAt")
       VALUES (gen_random_uuid(), $1, 'bench', 'pop.example.test', 995, 'bench', '\\x00', 'bench', now())
       RETURNING id`,
      [userId],
    );
    const accountId = account.rows[0]!.id;
    await client.query(
      `INSERT INTO messages (id, "accountId", "userId", uidl, size, subject, "fromName",
                             "fromAddress", date, snippet, "textBody")
       SELECT gen_random_uuid(), $1, $2, 'uid-' || i, 2000 + i % 5000,
              'Message ' || i || ' about ' || ($3::text[])[1 + i % 10],
              'Sender ' || i % 500, 'sender' || i % 500 || '@example.com',
              timestamp '2026-01-01' - make_interval(mins => i),
              'Hello, this is message ' || i || ' tagged tag' || i % 100,
              'Hello, this is message ' || i || ' tagged tag' || i % 100 || '. ' ||
                repeat('lorem ipsum dolor sit amet ', 8)
         FROM generate_series(1, $4::int) AS i`,
      [accountId, userId, TOPICS, count],
    );
    await client.query('VACUUM ANALYZE messages');
    return { userId, accountId };
  } finally {
    await client.end();
  }
}
