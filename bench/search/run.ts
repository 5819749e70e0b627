/**
 * bench/search: search latency over a multilingual mailbox (Latin with accents, Cyrillic, CJK) of
 * one user, query class by query class, against two floors measured in the same run: the plain
 * list page without a search, and the search Popgate had before (websearch_to_tsquery('simple')
 * ranked by ts_rank, the SQL alone through node-postgres). Also what the richer search document
 * costs per message, against the former document.
 */
import pg from 'pg';
import { listStatement, type ListFilters } from '../../apps/server/src/messages/list';
import { parseSearch } from '../../apps/server/src/search/query-parser';
import { searchSql } from '../../apps/server/src/search/search-sql';
import { utcTimestamps } from '../../apps/server/src/db/utc-timestamps';
import { freshDatabase } from '../api/seed';
import { seedMultilingual } from './seed';

const MESSAGES = Number(process.env.SEARCH_BENCH_MESSAGES ?? 50_000);
const ROUNDS = Number(process.env.SEARCH_BENCH_ROUNDS ?? 40);

/** Query classes: what is typed, and the word the former search is given for the same intent. */
const CLASSES: Array<{ name: string; q: string; floorWord: string }> = [
  { name: 'word (1%)', q: 'tag42 ', floorWord: 'tag42' },
  { name: 'word (common)', q: 'invoice ', floorWord: 'invoice' },
  { name: 'prefix being typed', q: 'tag4', floorWord: 'tag4' },
  { name: 'accent-folded (Jurgen)', q: 'jurgen ', floorWord: 'jurgen' },
  { name: 'Cyrillic folded (отчет)', q: 'отчет ', floorWord: 'отчет' },
  { name: 'CJK substring (会議)', q: '会議', floorWord: '会議' },
  {
    name: 'operators (from: + is:unread + newer_than:)',
    q: 'from:sender7 is:unread newer_than:2y',
    floorWord: 'sender7',
  },
  { name: 'phrase + -term + OR', q: '"quarterly report" -jurgen OR tag17', floorWord: 'report' },
];

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function timeQuery(client: pg.Client, statement: { text: string; values: unknown[] }) {
  const started = process.hrtime.bigint();
  const result = await client.query({ ...statement, types: utcTimestamps });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, rows: result.rowCount ?? 0 };
}

const database = await freshDatabase();
const client = new pg.Client({ connectionString: database.url });
await client.connect();
try {
  const seeded = await seedMultilingual(database.url, MESSAGES);
  console.log(
    `mailbox: ${MESSAGES} messages (1/4 each English, German, Russian, Japanese/Chinese), inserted with the search trigger in ${seeded.seconds.toFixed(1)} s`,
  );
  const { userId } = seeded;
  const base: Omit<ListFilters, 'search'> = { userId, folder: 'inbox', limit: 50 };
  const plain = listStatement({ ...base, search: null });
  const former = (word: string) => ({
    text: `SELECT m.id, m.subject, ts_rank(m.search, query)::text AS rank
             FROM messages m, websearch_to_tsquery('simple', $2) AS query
            WHERE m."userId" = $1::uuid AND m."trashedAt" IS NULL AND m.origin <> 'sent' AND m.search @@ query
            ORDER BY ts_rank(m.search, query) DESC, m."receivedAt" DESC, m.id DESC LIMIT 51`,
    values: [userId, word],
  });
  const ours = (q: string) =>
    listStatement({ ...base, search: searchSql(parseSearch(q)!, userId) });
  // Warm up every statement once.
  await timeQuery(client, plain);
  for (const c of CLASSES) {
    await timeQuery(client, ours(c.q));
    await timeQuery(client, former(c.floorWord));
  }
  const floor: number[] = [];
  const results = CLASSES.map(() => ({
    ours: [] as number[],
    former: [] as number[],
    rows: 0,
    formerRows: 0,
  }));
  for (let round = 0; round < ROUNDS; round++) {
    floor.push((await timeQuery(client, plain)).ms);
    for (const [i, c] of CLASSES.entries()) {
      const a = await timeQuery(client, ours(c.q));
      const b = await timeQuery(client, former(c.floorWord));
      results[i]!.ours.push(a.ms);
      results[i]!.former.push(b.ms);
      results[i]!.rows = a.rows;
      results[i]!.formerRows = b.rows;
    }
  }
  const floorP50 = percentile(floor, 50);
  console.log(
    `floor: the list page without q: p50 ${floorP50.toFixed(2)} ms, p95 ${percentile(floor, 95).toFixed(2)} ms (${ROUNDS} rounds)`,
  );
  console.log(
    'class'.padEnd(46) +
      'p50 ms'.padStart(8) +
      'p95 ms'.padStart(8) +
      '×list'.padStart(8) +
      'former p50'.padStart(12) +
      '×former'.padStart(9) +
      '  rows (former)',
  );
  for (const [i, c] of CLASSES.entries()) {
    const r = results[i]!;
    const p50 = percentile(r.ours, 50);
    const formerP50 = percentile(r.former, 50);
    console.log(
      c.name.padEnd(46) +
        p50.toFixed(2).padStart(8) +
        percentile(r.ours, 95).toFixed(2).padStart(8) +
        (p50 / floorP50).toFixed(1).padStart(8) +
        formerP50.toFixed(2).padStart(12) +
        (p50 / formerP50).toFixed(2).padStart(9) +
        `  ${Math.min(r.rows, 50)} (${Math.min(r.formerRows, 50)})`,
    );
  }
  // What the document costs per message: the new function against the former expression.
  const docCost = async (expression: string) => {
    const started = process.hrtime.bigint();
    await client.query(`SELECT sum(length((${expression})::text)) FROM messages m`);
    return Number(process.hrtime.bigint() - started) / 1e6 / MESSAGES;
  };
  const formerDoc = `setweight(to_tsvector('simple', coalesce(m.subject, '')), 'A') ||
    setweight(to_tsvector('simple', m."fromName" || ' ' || m."fromAddress"), 'B') ||
    setweight(to_tsvector('simple', left(coalesce(m."textBody", m.snippet, ''), 200000)), 'D')`;
  const newDoc = `popgate_search_document(m.subject, m."fromName", m."fromAddress", m."to", m.cc, coalesce(m."textBody", m.snippet, ''), NULL)`;
  const before = await docCost(formerDoc);
  const after = await docCost(newDoc);
  console.log(
    `search document per message: ${(after * 1000).toFixed(0)} µs (former ${(before * 1000).toFixed(0)} µs, ×${(after / before).toFixed(1)})`,
  );
  const size = await client.query<{ table: string; index: string }>(
    `SELECT pg_size_pretty(pg_table_size('messages')) AS table, pg_size_pretty(pg_relation_size('messages_search_idx')) AS index`,
  );
  console.log(`messages table ${size.rows[0]!.table}, search index ${size.rows[0]!.index}`);
} finally {
  await client.end();
  await database.drop();
}
