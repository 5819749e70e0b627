// The sync claim's cost as accounts grow: 10,000 accounts (100 servers, 1,000 users, due times
// spread over a 300 s interval, a tenth due now), claims of 64 at a time, the claim of
// apps/server/src/sync/claim.ts against the former one (one global advisory lock, window
// functions over every due account; run in a transaction rolled back, on the same data).
//   npx tsx bench/scale/claim-cost.ts
import pg from 'pg';
import { createPrismaClient } from '../../apps/server/src/db/prisma';
import { claimDueAccounts } from '../../apps/server/src/sync/claim';
import { createMigratedDatabase, dropDatabase } from '../../apps/server/test/support/databases';
import { median } from '../shared/rounds';

const ACCOUNTS = Number(process.env.CLAIM_BENCH_ACCOUNTS ?? 10_000);
const ROUNDS = 30;
const LIMIT = 64;

const FORMER = `
  WITH busy AS (
    SELECT COALESCE("serverAddress", host) AS server, "userId"
      FROM pop3_accounts WHERE "leaseExpiresAt" > now()
  ), busy_servers AS (
    SELECT server, count(*) AS sessions FROM busy GROUP BY server
  ), busy_users AS (
    SELECT "userId", count(*) AS sessions FROM busy GROUP BY "userId"
  ), due AS (
    SELECT c.id, c."userId", COALESCE(c."serverAddress", c.host) AS server,
           c."syncRequested", c."nextSyncAt"
      FROM pop3_accounts AS c JOIN users AS u ON u.id = c."userId"
     WHERE NOT c.disabled AND NOT u.disabled
       AND (c."leaseExpiresAt" IS NULL OR c."leaseExpiresAt" < now())
       AND (c."syncRequested"
            OR (c."nextSyncAt" <= now() AND c.status NOT IN ('auth_failed', 'perm_error', 'disabled')))
  ), ranked AS (
    SELECT due.*,
           row_number() OVER (PARTITION BY due.server ORDER BY due."syncRequested" DESC, due."nextSyncAt") AS server_place,
           row_number() OVER (PARTITION BY due."userId" ORDER BY due."syncRequested" DESC, due."nextSyncAt") AS user_place,
           COALESCE(busy_servers.sessions, 0) AS server_sessions,
           COALESCE(busy_users.sessions, 0) AS user_sessions
      FROM due
      LEFT JOIN busy_servers ON busy_servers.server = due.server
      LEFT JOIN busy_users ON busy_users."userId" = due."userId"
  ), chosen AS (
    SELECT id, "syncRequested" FROM ranked
     WHERE server_place + server_sessions <= 1000 AND user_place + user_sessions <= 2
     ORDER BY "syncRequested" DESC, "nextSyncAt" LIMIT ${LIMIT}
  )
  UPDATE pop3_accounts AS a
     SET "leaseOwner" = 'bench', "leaseExpiresAt" = now() + interval '60 seconds', "syncRequested" = false
    FROM chosen WHERE a.id = chosen.id
  RETURNING a.id`;

const database = await createMigratedDatabase('popgate_bench_claim');
const client = new pg.Client({ connectionString: database.url });
await client.connect();
const prisma = createPrismaClient(database.url, 4);
try {
  await client.query(
    `INSERT INTO users (id, email, "updatedAt")
     SELECT gen_random_uuid(), 'u' || n || '@bench.test', now() FROM generate_series(1, $1) AS n`,
    [ACCOUNTS / 10],
  );
  await client.query(
    `INSERT INTO pop3_accounts (id, "userId", label, host, port, username, "secretCiphertext",
                                "secretKeyId", "nextSyncAt", "updatedAt")
     SELECT gen_random_uuid(), (SELECT id FROM users ORDER BY id OFFSET n % $2 LIMIT 1),
            'bench', 'pop' || (n % 100) || '.bench.test', 995, 'u', '\\x00'::bytea, 'k',
            now() + make_interval(secs => (n % 300) - $3), now()
       FROM generate_series(1, $1) AS n`,
    [ACCOUNTS, ACCOUNTS / 10, Number(process.env.CLAIM_BENCH_OVERDUE_SECONDS ?? 30)],
  );
  await client.query('ANALYZE');
  const time = async (work: () => Promise<unknown>) => {
    const started = process.hrtime.bigint();
    await work();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const former: number[] = [];
  const current: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    former.push(
      await time(async () => {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(7270700)');
        await client.query(FORMER);
        await client.query('ROLLBACK');
      }),
    );
    let claimed: Array<{ id: string }> = [];
    current.push(
      await time(async () => {
        claimed = await claimDueAccounts(prisma, 'bench', {
          limit: LIMIT,
          perHost: 1000,
          perUser: 2,
          leaseSeconds: 60,
        });
      }),
    );
    await client.query(
      `UPDATE pop3_accounts SET "leaseOwner" = NULL, "leaseExpiresAt" = NULL WHERE id = ANY($1::uuid[])`,
      [claimed.map((c) => c.id)],
    );
  }
  const due = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pop3_accounts WHERE "nextSyncAt" <= now()`,
  );
  console.log(
    `${ACCOUNTS} accounts (${due.rows[0]!.n} due), claims of ${LIMIT}, median of ${ROUNDS}:`,
  );
  console.log(
    `  former claim (global lock, every due account ranked): ${median(former).toFixed(1)} ms`,
  );
  console.log(
    `  claim.ts (partial indexes, caps per candidate):       ${median(current).toFixed(1)} ms`,
  );
} finally {
  await client.end();
  await prisma.$disconnect();
  await dropDatabase(database.name);
}
