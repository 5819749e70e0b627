import type pg from 'pg';
import { utcTimestamps } from '../db/utc-timestamps';
import { OUTBOX_ROW_COLUMNS, type OutboxRow } from './outbox-out';

/**
 * Outbox rows hold UTC wall time (as Prisma writes DateTime); the database's clock, read the
 * same way, is the one clock every sender process agrees on.
 */
export const NOW = `(now() AT TIME ZONE 'UTC')`;

/** A claimed item: its row (no bytes: those are read one message at a time) and its lease. */
export type ClaimedItem = OutboxRow;

/** The condition of an item a sender may take now (`o`: the table's alias in the statement). */
const due = (o: string) => `${o}.status = 'queued' AND ${o}."identityId" IS NOT NULL
  AND ${o}."notBefore" <= ${NOW} AND ${o}."nextAttemptAt" <= ${NOW}`;

/**
 * Leases up to `limit` due items of one identity (the one whose item has waited longest), to go
 * over one connection: status sending, leased to `owner` for `leaseSeconds`, one more attempt
 * counted. SKIP LOCKED: processes claiming at once take different rows and never wait for each
 * other; a row is claimed by one of them only (the UPDATE re-checks it is still queued).
 */
export async function claimDueItems(
  pool: pg.Pool,
  owner: string,
  options: { limit: number; leaseSeconds: number },
): Promise<ClaimedItem[]> {
  const { rows } = await pool.query<ClaimedItem>({
    text: `
      WITH first AS (
        SELECT "identityId" FROM outbox o WHERE ${due('o')}
         ORDER BY "nextAttemptAt", "createdAt", id LIMIT 1 FOR UPDATE SKIP LOCKED
      ), picked AS (
        SELECT o.id FROM outbox o JOIN first ON o."identityId" = first."identityId"
         WHERE ${due('o')}
         ORDER BY o."createdAt", o.id LIMIT $3 FOR UPDATE OF o SKIP LOCKED
      )
      UPDATE outbox SET status = 'sending', "leaseOwner" = $1,
             "leaseExpiresAt" = ${NOW} + make_interval(secs => $2),
             attempts = attempts + 1, "updatedAt" = ${NOW}
       WHERE id IN (SELECT id FROM picked) AND status = 'queued'
      RETURNING ${OUTBOX_ROW_COLUMNS}`,
    values: [owner, options.leaseSeconds, options.limit],
    types: utcTimestamps,
  });
  return rows.sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1),
  );
}

/** Keeps the leases of the items a job still holds; answers how many are still its own. */
export async function renewLeases(
  pool: pg.Pool,
  owner: string,
  ids: string[],
  leaseSeconds: number,
): Promise<number> {
  if (ids.length === 0) return 0;
  const { rowCount } = await pool.query(
    `UPDATE outbox SET "leaseExpiresAt" = ${NOW} + make_interval(secs => $3)
      WHERE id = ANY($1::uuid[]) AND "leaseOwner" = $2 AND status = 'sending'`,
    [ids, owner, leaseSeconds],
  );
  return rowCount ?? 0;
}

/** The bytes and envelope of one claimed item, read when its turn comes. */
export interface Handover {
  raw: Buffer;
  envelopeFrom: string;
  recipients: string[];
}

/**
 * Marks the hand-over of one item as started (committed before MAIL FROM): from here on a lost
 * lease means "maybe sent", never "queue it again". Null when the item is no longer this
 * sender's (its lease expired and another process recovered it).
 */
export async function startHandover(
  pool: pg.Pool,
  owner: string,
  id: string,
  leaseSeconds: number,
): Promise<Handover | null> {
  const { rows } = await pool.query<Handover>(
    `UPDATE outbox SET "handoverStartedAt" = ${NOW},
            "leaseExpiresAt" = ${NOW} + make_interval(secs => $3), "updatedAt" = ${NOW}
      WHERE id = $1::uuid AND "leaseOwner" = $2 AND status = 'sending'
      RETURNING raw, "envelopeFrom", recipients`,
    [id, owner, leaseSeconds],
  );
  return rows[0] ?? null;
}
