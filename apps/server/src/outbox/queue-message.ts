import type { OutboxItemOut } from '@popgate/contracts';
import { asBytes } from '../db/bytes';
import type { Db } from '../db/prisma';
import { conflict } from '../domain-errors';
import type { EventBus } from '../events/event-bus';
import { BLOCKS_ANOTHER_SEND } from './statuses';
import { outboxRowSelect, toOutboxOut } from './outbox-out';

/** A composed message, ready to go: its final bytes and the envelope to hand them over with. */
export interface OutgoingMessage {
  /** The outbox item's id, when the Message-ID was derived from it before composing. */
  id?: string;
  userId: string;
  identityId: string;
  /** The draft it was composed from: hidden from Drafts while queued, deleted once sent. */
  draftId: string | null;
  raw: Buffer;
  /** The Message-ID header in `raw`, with its angle brackets: the same on every attempt. */
  messageIdHeader: string;
  envelope: { from: string; to: string[] };
  subject: string;
}

/**
 * Puts a composed message in the outbox: one row with its final bytes, written before any SMTP
 * byte. No sender takes it for `undoSeconds` (undo send). A draft whose earlier send is queued,
 * under way or of unknown outcome is refused (409): sending it again could send it twice. An
 * earlier failed send of the same draft is superseded (cancelled).
 */
export async function queueMessage(
  prisma: Db,
  events: EventBus,
  message: OutgoingMessage,
  options: { undoSeconds: number },
): Promise<OutboxItemOut> {
  const row = await prisma.$transaction(async (tx) => {
    if (message.draftId) {
      // Two sends of one draft at once take turns here, so only one of them queues it.
      await tx.$queryRaw`SELECT id FROM drafts WHERE id = ${message.draftId}::uuid FOR UPDATE`;
      const earlier = await tx.outboxItem.findFirst({
        where: { draftId: message.draftId, status: { in: BLOCKS_ANOTHER_SEND } },
        select: { status: true },
      });
      if (earlier) {
        throw conflict(
          earlier.status === 'unknown' ? 'SEND_OUTCOME_UNKNOWN' : 'ALREADY_SENDING',
          earlier.status === 'unknown'
            ? 'An earlier send of this draft may have gone out: retry or discard it in the outbox first'
            : 'This draft is already being sent',
        );
      }
      await tx.outboxItem.updateMany({
        where: { draftId: message.draftId, status: 'failed' },
        data: { status: 'cancelled' },
      });
    }
    const now = new Date();
    return tx.outboxItem.create({
      data: {
        ...(message.id && { id: message.id }),
        userId: message.userId,
        identityId: message.identityId,
        draftId: message.draftId,
        messageIdHeader: message.messageIdHeader,
        subject: message.subject,
        envelopeFrom: message.envelope.from,
        recipients: message.envelope.to,
        raw: asBytes(message.raw),
        status: 'queued',
        notBefore: new Date(now.getTime() + options.undoSeconds * 1000),
        nextAttemptAt: now,
      },
      select: outboxRowSelect,
    });
  });
  const out = toOutboxOut(row);
  await events.publish(message.userId, 'outbox.status', out);
  return out;
}
