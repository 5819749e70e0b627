import type { OutboxStatus } from '../generated/prisma/enums';

/**
 * While its send is queued, under way, done or of unknown outcome, a draft is not in Drafts (it
 * is in the outbox); once the send is cancelled or has failed it is back, to edit or send again.
 * The drafts' list filters with this: `outboxItems: { none: { status: { in: DRAFT_HIDDEN_WHILE } } }`.
 */
export const DRAFT_HIDDEN_WHILE: OutboxStatus[] = ['queued', 'sending', 'sent', 'unknown'];

/**
 * A draft with an item in one of these cannot be sent again (409): it would go twice. An
 * unknown outcome is the user's to decide first (retry or discard).
 */
export const BLOCKS_ANOTHER_SEND: OutboxStatus[] = ['queued', 'sending', 'sent', 'unknown'];

/** What the user may still undo or discard. */
export const CANCELLABLE: OutboxStatus[] = ['queued', 'failed', 'unknown'];

/** What the user may send again (the same bytes and Message-ID). */
export const RETRYABLE: OutboxStatus[] = ['failed', 'unknown'];
