/**
 * bench/conversation-sort: the conversation list page in each order (arrival, the latest Date
 * header, the latest sender, the size) over one user's 100,000 messages in threads of three, the
 * first page and a page 5,000 conversations deep, the SQL alone through node-postgres; then the
 * same without the orders' indexes (migration conversation_sort_keys), in the same run. The
 * arrival order, index-backed from the start, is the floor each order is compared with.
 */
import pg from 'pg';
import { conversationCursorKey } from '../../apps/server/src/conversations/list-order';
import { conversationListStatement } from '../../apps/server/src/conversations/list';
import { utcTimestamps } from '../../apps/server/src/db/utc-timestamps';
import { encodeCursor, encodeSortedCursor } from '../../apps/server/src/messages/cursor';
import type { KeyedSort } from '../../apps/server/src/messages/list-order';
import { freshDatabase, seedMailbox } from '../api/seed';

const MESSAGES = Number(process.env.CONV_SORT_BENCH_MESSAGES ?? 100_000);
const ROUNDS = Number(process.env.CONV_SORT_BENCH_ROUNDS ?? 20);
const THREAD = 3;
const DEEP = 5_000;
const SORTS = ['arrival', 'date', 'sender', 'size'] as const;
const INDEXES = ['conversations_date_idx', 'conversations_sender_idx', 'conversations_size_idx'];

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

interface Row {
  id: string;
  at: Date;
  sortKey?: Date | string | null;
}

const database = await freshDatabase();
const client = new pg.Client({ connectionString: database.url });
await client.connect();
try {
  const { userId } = await seedMailbox(database.url, MESSAGES);
  // Threads of three consecutive messages, as the store's threading would leave them: the
  // conversations first, then the messages moved in (the triggers count them and keep the keys).
  await client.query(
    `CREATE TEMP TABLE thread AS
       SELECT g, gen_random_uuid() AS id FROM generate_series(0, $1::int / ${THREAD}) AS g`,
    [MESSAGES],
  );
  await client.query(
    `INSERT INTO conversations (id, "userId", subject, "subjectKey")
       SELECT id, $1::uuid, 'Thread ' || g, '' FROM thread`,
    [userId],
  );
  await client.query(
    `UPDATE messages m SET "conversationId" = t.id, "receivedAt" = m.date
       FROM thread t WHERE t.g = substring(m.uidl FROM 5)::int / ${THREAD}`,
  );
  await client.query('VACUUM ANALYZE messages');
  await client.query('VACUUM ANALYZE conversations');
  const conversations = (await client.query('SELECT count(*)::int AS n FROM conversations')).rows[0]
    .n as number;

  const query = async (request: Parameters<typeof conversationListStatement>[1]) => {
    const statement = conversationListStatement(userId, request);
    const started = process.hrtime.bigint();
    const result = await client.query<Row>({ ...statement, types: utcTimestamps });
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, rows: result.rows, statement };
  };
  const cursorOf = (sort: (typeof SORTS)[number], row: Row) =>
    sort === 'arrival'
      ? encodeCursor({ at: row.at, id: row.id })
      : encodeSortedCursor({
          sort,
          key: conversationCursorKey(sort as KeyedSort, row.sortKey ?? null),
          id: row.id,
        });

  const measure = async () => {
    const result: Record<string, { first: number[]; deep: number[]; plan: string }> = {};
    for (const sort of SORTS) {
      const request = { limit: 50, ...(sort !== 'arrival' && { sort }) };
      const deepRows = (await query({ ...request, limit: DEEP })).rows;
      const cursor = cursorOf(sort, deepRows.at(-1)!);
      const plan = await client.query<{ 'QUERY PLAN': string }>({
        ...(() => {
          const { text, values } = conversationListStatement(userId, request);
          return { text: `EXPLAIN ${text}`, values };
        })(),
      });
      const scan = plan.rows
        .map((row) => row['QUERY PLAN'].trim())
        .filter((line) => /on conversations c|Sort Key/.test(line))
        .map((line) => line.replace(/\s+\(cost.*$/, ''))
        .join('; ');
      const first: number[] = [];
      const deep: number[] = [];
      await query(request);
      for (let round = 0; round < ROUNDS; round++) {
        first.push((await query(request)).ms);
        deep.push((await query({ ...request, cursor })).ms);
      }
      result[sort] = { first, deep, plan: scan || '?' };
    }
    return result;
  };

  console.log(
    `mailbox: ${MESSAGES} messages of one user in ${conversations} conversations; ${ROUNDS} rounds, p50 / p95 in ms`,
  );
  const after = await measure();
  for (const index of INDEXES) await client.query(`DROP INDEX "${index}"`);
  await client.query('ANALYZE conversations');
  const before = await measure();
  const floor = percentile(after.arrival!.first, 50);
  const cell = (values: number[]) =>
    `${percentile(values, 50).toFixed(2)} / ${percentile(values, 95).toFixed(2)}`;
  console.log(
    '| order   | first page, no index | first page | 5,000 deep, no index | 5,000 deep | first page / arrival |',
  );
  console.log('| ------- | --- | --- | --- | --- | --- |');
  for (const sort of SORTS) {
    const a = after[sort]!;
    const b = before[sort]!;
    console.log(
      `| ${sort.padEnd(7)} | ${cell(b.first)} | ${cell(a.first)} | ${cell(b.deep)} | ${cell(a.deep)} | ${(percentile(a.first, 50) / floor).toFixed(2)} |`,
    );
  }
  for (const sort of SORTS)
    console.log(`plan ${sort}: ${after[sort]!.plan}  (no index: ${before[sort]!.plan})`);
} finally {
  await client.end();
  await database.drop();
}
