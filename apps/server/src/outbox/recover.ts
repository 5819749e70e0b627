import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { utcTimestamps } from '../db/utc-timestamps';
import { NOW } from './claim';
import { ABANDONED_HANDOVER_MESSAGE } from './failure-rule';
import { changeOf, OUTBOX_ROW_COLUMNS, type OutboxChange, type OutboxRow } from './outbox-out';

const EXPIRED = `o.status = 'sending' AND o."leaseExpiresAt" < ${NOW}`;
const RELEASE = `"leaseOwner" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = ${NOW}`;
const RETURNING = `RETURNING ${OUTBOX_ROW_COLUMNS.split(', ')
  .map((column) => `o.${column}`)
  .join(', ')}`;

/**
 * What a dead sender left (its lease expired while sending), and what can no longer be sent:
 * - no hand-over started: nothing went out, queued again;
 * - a hand-over started and its copy is in Sent: the server had accepted it (the copy is stored
 *   only after the 250), so it is sent, and its draft is gone;
 * - a hand-over started otherwise: unknown, the user decides (docs/sending.md);
 * - queued for an identity that was removed: failed.
 * Run at start-up and before each claim; every process may run it, a row changes once.
 */
export async function recoverAbandoned(pool: pg.Pool): Promise<OutboxChange[]> {
  const run = (client: pg.PoolClient, text: string, values: unknown[] = []) =>
    client
      .query<OutboxRow>({ text: `${text} ${RETURNING}`, values, types: utcTimestamps })
      .then(({ rows }) => rows);
  return inTransaction(pool, async (client) => {
    const requeued = await run(
      client,
      `UPDATE outbox o SET status = 'queued', ${RELEASE}
        WHERE ${EXPIRED} AND o."handoverStartedAt" IS NULL`,
    );
    const sent = await run(
      client,
      `UPDATE outbox o SET status = 'sent', "sentAt" = m."receivedAt", "sentMessageId" = m.id,
              "lastErrorCode" = NULL, "lastReply" = NULL, ${RELEASE}
         FROM identities i, messages m
        WHERE ${EXPIRED} AND o."handoverStartedAt" IS NOT NULL
          AND i.id = o."identityId" AND m."accountId" = i."accountId"
          AND m.uidl = 'sent ' || o.id::text`,
    );
    const drafts = sent.flatMap((row) => (row.draftId ? [row.draftId] : []));
    if (drafts.length > 0) {
      await client.query('DELETE FROM drafts WHERE id = ANY($1::uuid[])', [drafts]);
    }
    const unknown = await run(
      client,
      `UPDATE outbox o SET status = 'unknown', "lastErrorCode" = 'OUTCOME_UNKNOWN', "lastReply" = $1,
              ${RELEASE}
        WHERE ${EXPIRED} AND o."handoverStartedAt" IS NOT NULL`,
      [ABANDONED_HANDOVER_MESSAGE],
    );
    const orphaned = await run(
      client,
      `UPDATE outbox o SET status = 'failed', "lastErrorCode" = 'IDENTITY_REMOVED',
              "lastReply" = 'the identity was removed', ${RELEASE}
        WHERE o.status = 'queued' AND o."identityId" IS NULL`,
    );
    // The drafts of the sent ones are gone (their draftId with them).
    return [
      ...requeued,
      ...sent.map((row) => ({ ...row, draftId: null })),
      ...unknown,
      ...orphaned,
    ].map(changeOf);
  });
}
