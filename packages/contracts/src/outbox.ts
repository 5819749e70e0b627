import { Type, type Static } from 'typebox';
import { Nullable } from './nullable';

/**
 * Where an outgoing message stands: queued (it can still be undone until `undoUntil`), sending,
 * sent, failed (the server refused it, or retries ran out; `lastReply` says why), unknown (Popgate
 * stopped while handing it over: it may or may not have gone; retry or discard), cancelled.
 */
export const OutboxStatus = Type.Enum([
  'queued',
  'sending',
  'sent',
  'failed',
  'unknown',
  'cancelled',
]);
export type OutboxStatus = Static<typeof OutboxStatus>;

export const RejectedRecipient = Type.Object({ address: Type.String(), reply: Type.String() });
export type RejectedRecipient = Static<typeof RejectedRecipient>;

export const OutboxItemOut = Type.Object({
  id: Type.String(),
  draftId: Nullable(Type.String()),
  identityId: Nullable(Type.String()),
  /** The Message-ID header, the same on every attempt. */
  messageId: Type.String(),
  subject: Type.String(),
  recipients: Type.Array(Type.String()),
  status: OutboxStatus,
  /** Until when the send can be undone (POST /api/outbox/:id/cancel). */
  undoUntil: Type.String(),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String()),
  /** A code for the last problem (e.g. SMTP_REJECTED, SMTP_TEMPORARY, NETWORK, TLS_UNTRUSTED, AUTH_FAILED, OUTCOME_UNKNOWN). */
  lastErrorCode: Nullable(Type.String()),
  /** The SMTP server's reply, or what went wrong on the way, for a person. */
  lastReply: Nullable(Type.String()),
  /** Recipients the server refused while it accepted the others. */
  rejectedRecipients: Type.Array(RejectedRecipient),
  sentAt: Nullable(Type.String()),
  /** The copy in Sent, once sent. */
  sentMessageId: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type OutboxItemOut = Static<typeof OutboxItemOut>;

/** GET /api/outbox: what is not yet sent, and what was sent or failed recently; newest first. */
export const OutboxList = Type.Object({ items: Type.Array(OutboxItemOut) });
export type OutboxList = Static<typeof OutboxList>;

export const OutboxIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export type OutboxIdParams = Static<typeof OutboxIdParams>;
