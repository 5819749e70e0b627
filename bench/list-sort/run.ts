/**
 * bench/list-sort: the message list page in each order (arrival, the Date header, sender, size)
 * over one user's mailbox (100,000 messages by default), first page and a page 5,000 rows deep,
 * the SQL alone through node-postgres. Arrival is the index-backed order; the others have no
 * index of their own (a top-N sort over the user's rows), so this says what they cost.
 */
import pg from 'pg';
import { utcTimestamps } from '../../apps/server/src/db/utc-timestamps';
import { listStatement, type ListFilters, type ListRow } from '../../apps/server/src/messages/list';
import { cursorKey, keyedSort, type KeyedSort } from '../../apps/server/src/messages/list-order';
import { freshDatabase, seedMailbox } from '../api/seed';

const MESSAGES = Number(process.env.LIST_SORT_BENCH_MESSAGES ?? 100_000);
const ROUNDS = Number(process.env.LIST_SORT_BENCH_ROUNDS ?? 20);
const DEEP = 5_000;
// The contracts' MessageSort, through the server (the bench package does not depend on contracts).
type MessageSort = 'arrival' | KeyedSort;
const SORTS: MessageSort[] = ['arrival', 'date', 'sender', 'size'];

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

const database = await freshDatabase();
const client = new pg.Client({ connectionString: database.url });
await client.connect();
try {
  const { userId } = await seedMailbox(database.url, MESSAGES);
  const base: ListFilters = { userId, folder: 'inbox', limit: 50, search: null };
  const query = async (filters: ListFilters) => {
    const statement = listStatement(filters);
    const started = process.hrtime.bigint();
    const result = await client.query<ListRow>({ ...statement, types: utcTimestamps });
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, rows: result.rows };
  };
  console.log(`mailbox: ${MESSAGES} messages of one user; ${ROUNDS} rounds, times in ms`);
  console.log(
    'order'.padEnd(10) +
      'first p50'.padStart(11) +
      'p95'.padStart(8) +
      `  ${DEEP} deep p50`.padStart(16) +
      'p95'.padStart(8),
  );
  for (const sort of SORTS) {
    const filters = { ...base, ...(sort !== 'arrival' && { sort }) };
    // The cursor of the row DEEP rows down, as the list's own paging would reach it.
    const row = (await query({ ...filters, limit: DEEP })).rows.at(-1)!;
    const keyed = keyedSort(sort);
    const after = keyed
      ? { sort: keyed, key: cursorKey(keyed, row), id: row.id }
      : { at: row.receivedAt, id: row.id };
    const first: number[] = [];
    const deep: number[] = [];
    await query(filters);
    for (let round = 0; round < ROUNDS; round++) {
      first.push((await query(filters)).ms);
      deep.push((await query({ ...filters, after })).ms);
    }
    console.log(
      sort.padEnd(10) +
        percentile(first, 50).toFixed(2).padStart(11) +
        percentile(first, 95).toFixed(2).padStart(8) +
        percentile(deep, 50).toFixed(2).padStart(16) +
        percentile(deep, 95).toFixed(2).padStart(8),
    );
  }
} finally {
  await client.end();
  await database.drop();
}
