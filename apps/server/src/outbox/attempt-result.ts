import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { utcTimestamps } from '../db/utc-timestamps';
import type { Verdict } from './failure-rule';
import type { SmtpSendResult } from '../identities/smtp-connect';
import { NOW } from './claim';
import { changeOf, OUTBOX_ROW_COLUMNS, type OutboxChange, type OutboxRow } from './outbox-out';

/** When a temporary failure is tried again, and when the sender gives up. */
export interface RetryPolicy {
  /** The pause after the 1st, 2nd… failed attempt; the last one repeats. */
  backoffSeconds: number[];
  /** Give up after this many attempts… */
  maxAttempts: number;
  /** …or once the message has waited this long since it was queued. */
  giveUpAfterSeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  backoffSeconds: [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600],
  maxAttempts: 8,
  giveUpAfterSeconds: 2 * 86_400,
};

/** The item is this sender's (still leased to it, still sending). */
const HELD = `id = $1::uuid AND "leaseOwner" = $2 AND status = 'sending'`;

const RELEASE = `"leaseOwner" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = ${NOW}`;

async function changed(pool: pg.Pool | pg.PoolClient, text: string, values: unknown[]) {
  const { rows } = await pool.query<OutboxRow>({
    text: `${text} RETURNING ${OUTBOX_ROW_COLUMNS}`,
    values,
    types: utcTimestamps,
  });
  return rows[0] ? changeOf(rows[0]) : null;
}

/**
 * The server took the message (250): sent, with the recipients it refused and its copy in Sent;
 * the draft is gone. One transaction. Null when the item is no longer this sender's.
 */
export async function recordSent(
  pool: pg.Pool,
  owner: string,
  item: { id: string; draftId: string | null },
  accepted: SmtpSendResult,
  sentMessageId: string | null,
): Promise<OutboxChange | null> {
  return inTransaction(pool, async (client) => {
    const out = await changed(
      client,
      `UPDATE outbox SET status = 'sent', "sentAt" = ${NOW}, "sentMessageId" = $3::uuid,
              "rejectedRecipients" = $4::jsonb, "lastErrorCode" = NULL, "lastReply" = $5, ${RELEASE}
        WHERE ${HELD}`,
      [item.id, owner, sentMessageId, JSON.stringify(accepted.rejected), accepted.response],
    );
    if (!out) return null;
    if (sentMessageId) {
      await client.query('UPDATE messages SET seen = true WHERE id = $1::uuid', [sentMessageId]);
    }
    // Its attachments go with it (ON DELETE CASCADE).
    if (item.draftId) {
      await client.query('DELETE FROM drafts WHERE id = $1::uuid', [item.draftId]);
      return { ...out, item: { ...out.item, draftId: null } };
    }
    return out;
  });
}

/** A failure, as verdictOf judged it: failed, queued again after a pause (or given up), unknown. */
export async function recordFailure(
  pool: pg.Pool,
  owner: string,
  item: { id: string; attempts: number; createdAt: Date },
  verdict: Verdict,
  policy: RetryPolicy,
): Promise<OutboxChange | null> {
  if (verdict.kind === 'unknown') {
    return changed(
      pool,
      `UPDATE outbox SET status = 'unknown', "lastErrorCode" = $3, "lastReply" = $4, ${RELEASE}
        WHERE ${HELD}`,
      [item.id, owner, verdict.code, verdict.reply],
    );
  }
  const waited = (Date.now() - item.createdAt.getTime()) / 1000;
  const giveUp =
    verdict.kind === 'retry' &&
    (item.attempts >= policy.maxAttempts || waited >= policy.giveUpAfterSeconds);
  if (verdict.kind === 'failed' || giveUp) {
    const reply = giveUp
      ? `gave up after ${item.attempts} attempt${item.attempts === 1 ? '' : 's'}: ${verdict.reply}`
      : verdict.reply;
    return changed(
      pool,
      `UPDATE outbox SET status = 'failed', "lastErrorCode" = $3, "lastReply" = $4,
              "handoverStartedAt" = NULL, ${RELEASE}
        WHERE ${HELD}`,
      [item.id, owner, verdict.code, reply],
    );
  }
  const pauses = policy.backoffSeconds;
  const pause = pauses[Math.min(Math.max(item.attempts, 1), pauses.length) - 1] ?? 60;
  return changed(
    pool,
    `UPDATE outbox SET status = 'queued', "lastErrorCode" = $3, "lastReply" = $4,
            "nextAttemptAt" = ${NOW} + make_interval(secs => $5), "handoverStartedAt" = NULL, ${RELEASE}
      WHERE ${HELD}`,
    [item.id, owner, verdict.code, verdict.reply, pause],
  );
}

/**
 * Gives back items a job claimed but never tried (the sender is stopping, or its connection
 * broke before their turn): queued as they were, the attempt not counted.
 */
export async function releaseUntried(
  pool: pg.Pool,
  owner: string,
  ids: string[],
): Promise<OutboxChange[]> {
  if (ids.length === 0) return [];
  const { rows } = await pool.query<OutboxRow>({
    text: `UPDATE outbox SET status = 'queued', attempts = GREATEST(attempts - 1, 0), ${RELEASE}
            WHERE id = ANY($1::uuid[]) AND "leaseOwner" = $2 AND status = 'sending'
              AND "handoverStartedAt" IS NULL
           RETURNING ${OUTBOX_ROW_COLUMNS}`,
    values: [ids, owner],
    types: utcTimestamps,
  });
  return rows.map(changeOf);
}

/** The identity went away before the item's turn: it cannot be sent as it is. */
export async function recordIdentityRemoved(
  pool: pg.Pool,
  owner: string,
  id: string,
): Promise<OutboxChange | null> {
  return changed(
    pool,
    `UPDATE outbox SET status = 'failed', "lastErrorCode" = 'IDENTITY_REMOVED',
            "lastReply" = 'the identity was removed', "handoverStartedAt" = NULL, ${RELEASE}
      WHERE ${HELD}`,
    [id, owner],
  );
}
