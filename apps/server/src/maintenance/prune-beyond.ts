import { poolOf, type Db } from '../db/prisma';

/** A table pruned by size: its key, and the indexed column that orders its rows oldest first. */
export interface CappedTable {
  table: 'sync_runs' | 'events';
  key: 'id';
  order: 'startedAt' | 'id';
}

export const SYNC_RUNS: CappedTable = { table: 'sync_runs', key: 'id', order: 'startedAt' };
export const EVENTS: CappedTable = { table: 'events', key: 'id', order: 'id' };

/** Rows one statement deletes at most: each batch is a short transaction that holds few locks. */
export const PRUNE_BATCH = 5000;

/**
 * Deletes the oldest rows of `capped` beyond the newest `maxRows`, PRUNE_BATCH at a time and at
 * most `maxBatches` batches a run (the rest goes next time), so that a table grown far past its cap
 * is brought down without one long transaction. The oldest row kept is found by walking the order's
 * index from the newest row, not by counting the table. How many rows went.
 */
export async function pruneBeyond(
  prisma: Db,
  capped: CappedTable,
  maxRows: number,
  maxBatches = 100,
): Promise<number> {
  const pool = poolOf(prisma);
  const { table, key, order } = capped;
  const { rows } = await pool.query<{ cut: string }>(
    `SELECT "${order}"::text AS cut FROM ${table} ORDER BY "${order}" DESC OFFSET $1 LIMIT 1`,
    [maxRows - 1],
  );
  const first = rows[0];
  if (!first) return 0;
  let removed = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    // Older than the oldest row kept (rows as old as it stay: a few more than the cap at most).
    const { rowCount } = await pool.query(
      `DELETE FROM ${table} WHERE "${key}" IN (
         SELECT "${key}" FROM ${table} WHERE "${order}" < $1 ORDER BY "${order}" LIMIT $2)`,
      [first.cut, PRUNE_BATCH],
    );
    removed += rowCount ?? 0;
    if ((rowCount ?? 0) < PRUNE_BATCH) break;
  }
  return removed;
}
