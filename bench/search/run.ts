/**
 * bench/search: search latency over a multilingual mailbox (Latin with accents, Cyrillic, CJK) of
 * one user (100,000 messages by default), query class by query class, against its floor measured
 * in the same rounds: the plain `websearch_to_tsquery('simple', …)` search for the same words on
 * the same index, ranked by ts_rank, the SQL alone through node-postgres (the search Popgate had
 * before, and the least a full-text search of these messages does). Each floor finds the same
 * messages as its class: where Popgate matches a prefix (the word being typed, from:), the floor
 * is `to_tsquery('simple', 'word:*')`, websearch_to_tsquery having no prefix. Also the plain list
 * page without a search, and what the search document costs per message against the former one.
 */
import os from 'node:os';
import pg from 'pg';
import { listStatement, type ListFilters } from '../../apps/server/src/messages/list';
import { parseSearch } from '../../apps/server/src/search/query-parser';
import { searchSql } from '../../apps/server/src/search/search-sql';
import { utcTimestamps } from '../../apps/server/src/db/utc-timestamps';
import { freshDatabase } from '../api/seed';
import { seedMultilingual } from './seed';

const MESSAGES = Number(process.env.SEARCH_BENCH_MESSAGES ?? 100_000);
const ROUNDS = Number(process.env.SEARCH_BENCH_ROUNDS ?? 40);
/** The target: each class within 1.5 times its floor. */
const TARGET = 1.5;

interface QueryClass {
  name: string;
  /** What is typed in the search box. */
  q: string;
  /** The floor's tsquery for the same messages, and its other conditions (those of operators). */
  floor: string;
  floorWhere?: string;
}

const CLASSES: QueryClass[] = [
  { name: 'word (1%)', q: 'tag42 ', floor: `websearch_to_tsquery('simple', 'tag42')` },
  { name: 'word (common)', q: 'invoice ', floor: `websearch_to_tsquery('simple', 'invoice')` },
  {
    name: 'prefix being typed (tag4 = tag4…tag49)',
    q: 'tag4',
    floor: `to_tsquery('simple', 'tag4:*')`,
  },
  {
    name: 'accent-folded (jurgen, 1/6)',
    q: 'jurgen ',
    floor: `websearch_to_tsquery('simple', 'jurgen')`,
  },
  {
    name: 'Cyrillic folded (отчет)',
    q: 'отчет ',
    floor: `websearch_to_tsquery('simple', 'отчет')`,
  },
  { name: 'CJK substring (会議)', q: '会議', floor: `websearch_to_tsquery('simple', '会議')` },
  {
    name: 'operators (from: + is:unread + newer_than:)',
    q: 'from:sender7 is:unread newer_than:2y',
    floor: `to_tsquery('simple', 'sender7:*')`,
    floorWhere: `AND NOT m.seen AND m.date >= (now() AT TIME ZONE 'UTC') - interval '2 years'`,
  },
  {
    name: 'phrase + -term + OR',
    q: '"quarterly report" -jurgen OR tag17',
    floor: `websearch_to_tsquery('simple', '"quarterly report" -jurgen OR tag17')`,
  },
];

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

const loadAverage = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

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
    `mailbox: ${MESSAGES} messages of one user (1/4 each English, German, Russian, Japanese/Chinese), inserted with the search trigger in ${seeded.seconds.toFixed(1)} s`,
  );
  const { userId } = seeded;
  const base: Omit<ListFilters, 'search'> = { userId, folder: 'inbox', limit: 50 };
  const plain = listStatement({ ...base, search: null });
  const floor = (c: QueryClass) => ({
    text: `SELECT m.id, m.subject, ts_rank(m.search, query)::text AS rank
             FROM messages m, ${c.floor} AS query
            WHERE m."userId" = $1::uuid AND m."trashedAt" IS NULL AND m.origin <> 'sent'
              AND m.search @@ query ${c.floorWhere ?? ''}
            ORDER BY ts_rank(m.search, query) DESC, m."receivedAt" DESC, m.id DESC LIMIT 51`,
    values: [userId],
  });
  const ours = (q: string, limit = base.limit) =>
    listStatement({ ...base, limit, search: searchSql(parseSearch(q)!, userId) });
  // How many messages each side finds (the same set, or the ratio would compare other work).
  const counts: Array<{ ours: number; floor: number }> = [];
  for (const c of CLASSES) {
    const all = ours(c.q, 1_000_000);
    const found = await client.query(`SELECT count(*)::int AS n FROM (${all.text}) x`, all.values);
    const floorFound = await client.query(
      `SELECT count(*)::int AS n FROM (${floor(c).text.replace('LIMIT 51', '')}) x`,
      [userId],
    );
    counts.push({ ours: found.rows[0].n as number, floor: floorFound.rows[0].n as number });
  }
  const loadBefore = loadAverage();
  // Warm up every statement once.
  await timeQuery(client, plain);
  for (const c of CLASSES) {
    await timeQuery(client, ours(c.q));
    await timeQuery(client, floor(c));
  }
  const plainTimes: number[] = [];
  const results = CLASSES.map(() => ({ ours: [] as number[], floor: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    plainTimes.push((await timeQuery(client, plain)).ms);
    for (const [i, c] of CLASSES.entries()) {
      // Who goes first alternates, so neither always runs on pages the other has just read.
      if (round % 2 === 0) {
        results[i]!.ours.push((await timeQuery(client, ours(c.q))).ms);
        results[i]!.floor.push((await timeQuery(client, floor(c))).ms);
      } else {
        results[i]!.floor.push((await timeQuery(client, floor(c))).ms);
        results[i]!.ours.push((await timeQuery(client, ours(c.q))).ms);
      }
    }
  }
  console.log(
    `list page without q (for scale): p50 ${percentile(plainTimes, 50).toFixed(2)} ms, p95 ${percentile(plainTimes, 95).toFixed(2)} ms; ${ROUNDS} rounds, p50/p95 in ms`,
  );
  console.log(
    'class'.padEnd(46) +
      'p50'.padStart(8) +
      'p95'.padStart(8) +
      'floor p50'.padStart(11) +
      'p95'.padStart(8) +
      'ratio'.padStart(7) +
      '  found (floor)',
  );
  let met = 0;
  for (const [i, c] of CLASSES.entries()) {
    const r = results[i]!;
    const p50 = percentile(r.ours, 50);
    const floorP50 = percentile(r.floor, 50);
    const ratio = p50 / floorP50;
    if (ratio <= TARGET) met++;
    console.log(
      c.name.padEnd(46) +
        p50.toFixed(2).padStart(8) +
        percentile(r.ours, 95).toFixed(2).padStart(8) +
        floorP50.toFixed(2).padStart(11) +
        percentile(r.floor, 95).toFixed(2).padStart(8) +
        ratio.toFixed(2).padStart(7) +
        `  ${counts[i]!.ours} (${counts[i]!.floor})`,
    );
  }
  console.log(`ratio ≤ ${TARGET}: ${met} of ${CLASSES.length} classes`);
  // The machine is shared: the load the rounds ran under goes with the numbers.
  console.log(
    `load average (1, 5, 15 min) after the rounds: ${loadAverage()}; before: ${loadBefore}`,
  );
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
