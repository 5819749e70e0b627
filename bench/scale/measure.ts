import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 (state) on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** The process's peak resident set (VmHWM) in MB, from /proc/PID/status. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb ?? 0) / 1024;
}

/** A Prometheus text page as series (name with labels, as printed) -> value. */
export function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}

/** Sum of the series of `name` whose labels include `labels` (e.g. 'outcome="ok"'). */
export function metricSum(series: Map<string, number>, name: string, labels = ''): number {
  let sum = 0;
  for (const [key, value] of series) {
    const bare = key.split('{')[0];
    if (bare === name && key.includes(labels)) sum += value;
  }
  return sum;
}

/**
 * The q-quantile of a histogram observed between two scrapes (summed over processes), by linear
 * interpolation inside the bucket it falls in (Prometheus's histogram_quantile); Infinity when it
 * falls in the +Inf bucket.
 */
export function histogramQuantile(
  before: Map<string, number>[],
  after: Map<string, number>[],
  name: string,
  q: number,
): number {
  const counts = new Map<number, number>();
  const add = (pages: Map<string, number>[], sign: number) => {
    for (const page of pages) {
      for (const [key, value] of page) {
        const match = new RegExp(`^${name}_bucket\\{le="([^"]+)"`).exec(key);
        if (!match) continue;
        const le = match[1] === '+Inf' ? Infinity : Number(match[1]);
        counts.set(le, (counts.get(le) ?? 0) + sign * value);
      }
    }
  };
  add(after, 1);
  add(before, -1);
  const bounds = [...counts.keys()].sort((a, b) => a - b);
  const total = counts.get(Infinity) ?? 0;
  if (total <= 0) return NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const bound of bounds) {
    const cumulative = counts.get(bound)!;
    if (cumulative >= rank) {
      if (bound === Infinity) return Infinity;
      const inBucket = cumulative - below;
      return inBucket <= 0 ? bound : lower + ((bound - lower) * (rank - below)) / inBucket;
    }
    lower = bound;
    below = cumulative;
  }
  return Infinity;
}

export interface DatabaseCounters {
  xactCommit: number;
  tupInserted: number;
  tupUpdated: number;
  tupDeleted: number;
  /** Table reads (sequential and index scans started) over the database's own tables. */
  scans: number;
}

/**
 * The database's counters (pg_stat_database, pg_stat_user_tables): without pg_stat_statements
 * (not in shared_preload_libraries here) transactions and scans stand in for statements.
 */
export async function databaseCounters(client: pg.Client, name: string): Promise<DatabaseCounters> {
  // A new snapshot each time: statistics read in one transaction are otherwise frozen.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<Record<string, string>>(
    `SELECT d.xact_commit, d.tup_inserted, d.tup_updated, d.tup_deleted,
            (SELECT sum(COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0)) FROM pg_stat_user_tables) AS scans
       FROM pg_stat_database AS d WHERE d.datname = $1`,
    [name],
  );
  const row = rows[0]!;
  return {
    xactCommit: Number(row.xact_commit),
    tupInserted: Number(row.tup_inserted),
    tupUpdated: Number(row.tup_updated),
    tupDeleted: Number(row.tup_deleted),
    scans: Number(row.scans),
  };
}

/** Connections to the database, other than the one asking. */
export async function connectionsTo(client: pg.Client, name: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [name],
  );
  return rows[0]!.n;
}

/**
 * Pairs of sync runs of one account whose intervals overlap (a run not ended yet lasts until
 * now): two sessions for one account at once. A run starts before its connection and ends after
 * its QUIT, so this is stricter than the POP3 sessions themselves.
 */
export async function overlappingRuns(client: pg.Client): Promise<{ runs: number; pairs: number }> {
  const { rows } = await client.query<{ runs: number; pairs: number }>(
    `SELECT (SELECT count(*)::int FROM sync_runs) AS runs,
            (SELECT count(*)::int FROM sync_runs AS a JOIN sync_runs AS b
                ON a."accountId" = b."accountId" AND a.id < b.id
               AND a."startedAt" < COALESCE(b."endedAt", now())
               AND b."startedAt" < COALESCE(a."endedAt", now())) AS pairs`,
  );
  return rows[0]!;
}
