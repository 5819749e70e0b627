import type { OutboxItemOut, RejectedRecipient } from '@popgate/contracts';
import type { OutboxItem } from '../generated/prisma/client';

/** What an outbox row shows: everything but the bytes, the envelope sender and the lease. */
export type OutboxRow = Omit<OutboxItem, 'raw' | 'envelopeFrom' | 'leaseOwner' | 'leaseExpiresAt'>;

/** The Prisma select of an OutboxRow: the raw bytes stay in the database. */
export const outboxRowSelect = {
  id: true,
  userId: true,
  identityId: true,
  draftId: true,
  messageIdHeader: true,
  subject: true,
  recipients: true,
  status: true,
  notBefore: true,
  nextAttemptAt: true,
  attempts: true,
  handoverStartedAt: true,
  lastErrorCode: true,
  lastReply: true,
  rejectedRecipients: true,
  sentAt: true,
  sentMessageId: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Record<keyof OutboxRow, true>;

/** The columns of an OutboxRow for SQL sent through node-postgres (RETURNING, SELECT). */
export const OUTBOX_ROW_COLUMNS = Object.keys(outboxRowSelect)
  .map((column) => `"${column}"`)
  .join(', ');

function rejectedOf(stored: unknown): RejectedRecipient[] {
  if (!Array.isArray(stored)) return [];
  return stored.flatMap((entry: unknown) => {
    const { address, reply } = (entry ?? {}) as { address?: unknown; reply?: unknown };
    return typeof address === 'string' ? [{ address, reply: String(reply ?? '') }] : [];
  });
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** An outbox row as the API and the outbox.status event show it. */
export function toOutboxOut(row: OutboxRow): OutboxItemOut {
  return {
    id: row.id,
    draftId: row.draftId,
    identityId: row.identityId,
    messageId: row.messageIdHeader,
    subject: row.subject,
    recipients: row.recipients,
    status: row.status,
    undoUntil: row.notBefore.toISOString(),
    attempts: row.attempts,
    // Only a queued item waits for a next attempt.
    nextAttemptAt: row.status === 'queued' ? iso(row.nextAttemptAt) : null,
    lastErrorCode: row.lastErrorCode,
    lastReply: row.lastReply,
    rejectedRecipients: rejectedOf(row.rejectedRecipients),
    sentAt: iso(row.sentAt),
    sentMessageId: row.sentMessageId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A change to announce (outbox.status) to the item's owner. */
export interface OutboxChange {
  userId: string;
  item: OutboxItemOut;
}

export const changeOf = (row: OutboxRow): OutboxChange => ({
  userId: row.userId,
  item: toOutboxOut(row),
});
