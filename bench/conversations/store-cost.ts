// Conversations' cost at store: 1,000 corpus messages stored through storeMessages in batches of
// 50, per message, with the conversation trigger function of the migration named on the command
// line (or of the newest migration) against the messages table without conversation triggers.
//   npx tsx bench/conversations/store-cost.ts [old migration dir…]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { generateCorpus } from '@popgate/pop3-server';
import { createPrismaClient, type Db } from '../../apps/server/src/db/prisma';
import { parseMessage } from '../../apps/server/src/mail/parse-message';
import { storeMessages, type MessageToStore } from '../../apps/server/src/messages/store';
import { createMigratedDatabase, dropDatabase } from '../../apps/server/test/support/databases';
import { median } from '../shared/rounds';
import { databaseCpuSeconds } from '../sync/database-cpu';

const MESSAGES = Number(process.env.CONV_BENCH_MESSAGES ?? 1_000);
const BATCH = 50;
const ROUNDS = Number(process.env.CONV_BENCH_ROUNDS ?? 5);
const TRIGGERS = [
  'messages_conversations_insert',
  'messages_conversations_update',
  'messages_conversations_delete',
];
/**
 * The conversation list's sort keys (migrations conversation_sort_keys and
 * conversation_sort_keys_one_write): at a conversation's insert and update, and on messages.
 */
const SORT_TRIGGERS = [
  'DROP TRIGGER IF EXISTS "messages_sort_keys_update" ON messages;',
  'DROP TRIGGER IF EXISTS "conversations_sort_insert" ON conversations;',
  'DROP TRIGGER IF EXISTS "conversations_sort_update" ON conversations;',
].join('\n');

/** The trigger function and triggers of a migration, made replaceable. */
function triggerSql(migration: string): string {
  const sql = readFileSync(join('prisma/migrations', migration, 'migration.sql'), 'utf8');
  const start = sql.search(/CREATE (OR REPLACE )?FUNCTION "conversations_recount"/);
  return (
    TRIGGERS.map((t) => `DROP TRIGGER IF EXISTS "${t}" ON messages;`).join('\n') +
    '\n' +
    sql.slice(start).replace(/CREATE FUNCTION/g, 'CREATE OR REPLACE FUNCTION')
  );
}

const variants: { name: string; setup: string }[] = [
  {
    name: 'no conversation triggers',
    setup:
      TRIGGERS.map((t) => `DROP TRIGGER IF EXISTS "${t}" ON messages;`).join('\n') +
      '\n' +
      SORT_TRIGGERS,
  },
  ...process.argv.slice(2).map((migration) => ({ name: migration, setup: triggerSql(migration) })),
  { name: 'newest migrations without the sort keys', setup: SORT_TRIGGERS },
  { name: 'newest migrations', setup: '' },
];

const corpus = generateCorpus({ count: MESSAGES, seed: 1 }).map((m) => m.body);
const parsed = await Promise.all(corpus.map((raw) => parseMessage(raw)));

const databases: { name: string; prisma: Db; dbName: string }[] = [];
for (const variant of variants) {
  const { name: dbName, url } = await createMigratedDatabase('popgate_bench_conv');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  if (variant.setup) await client.query(variant.setup);
  // The trigger function's own time, from the statistics (pg_stat_user_functions).
  await client.query(`ALTER DATABASE "${dbName}" SET track_functions = 'pl'`);
  await client.end();
  databases.push({ name: variant.name, prisma: createPrismaClient(url, 4), dbName });
}

async function storeAll(prisma: Db, dbName: string, round: number): Promise<[number, number]> {
  const user = await prisma.user.create({ data: { email: `bench-${round}-${Date.now()}@x.test` } });
  const account = await prisma.pop3Account.create({
    data: {
      userId: user.id,
      label: 'bench',
      host: 'pop.example.test',
      port: 995,
      username: `bench-${round}`,
      secretCiphertext: new Uint8Array([0]),
      secretKeyId: 'test',
    },
  });
  const items: MessageToStore[] = corpus.map((raw, i) => ({
    message: {
      accountId: account.id,
      userId: user.id,
      uidl: `u${i}`,
      listedSize: raw.length,
      raw,
      headersOnly: false,
      receivedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    },
    parsed: parsed[i]!,
  }));
  const cpuBefore = databaseCpuSeconds(dbName) ?? 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < items.length; i += BATCH)
    await storeMessages(prisma, items.slice(i, i + BATCH));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuMs = ((databaseCpuSeconds(dbName) ?? 0) - cpuBefore) * 1000;
  // Sources are shared by content: the next round must store them again.
  await prisma.$executeRawUnsafe('TRUNCATE users, message_sources CASCADE');
  return [ms / items.length, cpuMs / items.length];
}

const results = databases.map(() => [] as number[]);
const cpu = databases.map(() => [] as number[]);
try {
  for (let round = 0; round <= ROUNDS; round++) {
    for (let step = 0; step < databases.length; step++) {
      const index = (step + round) % databases.length;
      const db = databases[index]!;
      const [perMessage, cpuPerMessage] = await storeAll(db.prisma, db.dbName, round);
      if (round > 0) results[index]!.push(perMessage);
      if (round > 0) cpu[index]!.push(cpuPerMessage);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const functionMs: number[] = [];
  for (const db of databases) {
    const rows = await db.prisma.$queryRawUnsafe<{ ms: number }[]>(
      `SELECT coalesce(sum(total_time), 0)::float8 AS ms FROM pg_stat_user_functions WHERE funcname = 'conversations_recount'`,
    );
    functionMs.push(rows[0]!.ms / ((ROUNDS + 1) * MESSAGES));
  }
  const base = median(results[0]!);
  const cpuBase = median(cpu[0]!);
  for (const [index, db] of databases.entries()) {
    const m = median(results[index]!);
    const c = median(cpu[index]!);
    console.log(
      `${db.name}: wall ${m.toFixed(3)} ms/message (+${(m - base).toFixed(3)} over no triggers), ` +
        `PostgreSQL CPU ${c.toFixed(3)} ms/message (+${(c - cpuBase).toFixed(3)}); median of ${ROUNDS}; ` +
        `in the trigger function ${functionMs[index]!.toFixed(3)} ms/message`,
    );
  }
} finally {
  for (const db of databases) {
    await db.prisma.$disconnect();
    await dropDatabase(db.dbName);
  }
}
