import type { OutboxItemOut } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { conflict, notFound } from '../domain-errors';
import type { EventBus } from '../events/event-bus';
import { CANCELLABLE, RETRYABLE } from './statuses';
import { outboxRowSelect, toOutboxOut, type OutboxRow } from './outbox-out';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The caller's outbox item, or 404 (someone else's looks like none, admins included). */
async function ownedItem(prisma: Db, userId: string, id: string): Promise<OutboxRow> {
  const row = UUID.test(id)
    ? await prisma.outboxItem.findFirst({ where: { id, userId }, select: outboxRowSelect })
    : null;
  if (!row) throw notFound('No such outbox item');
  return row;
}

/**
 * Undo send (while queued: no sender has taken it), or discard a failed send or one of unknown
 * outcome. The item is cancelled and its draft is back in Drafts. The change is one conditional
 * UPDATE: a sender that claims the item at the same moment either wins (409, it is sending) or
 * finds it cancelled.
 */
export async function cancelOutboxItem(
  prisma: Db,
  events: EventBus,
  userId: string,
  id: string,
): Promise<OutboxItemOut> {
  const item = await ownedItem(prisma, userId, id);
  const { count } = await prisma.outboxItem.updateMany({
    where: { id: item.id, userId, status: { in: CANCELLABLE } },
    data: { status: 'cancelled', leaseOwner: null, leaseExpiresAt: null },
  });
  if (count === 0) {
    const now = await ownedItem(prisma, userId, id);
    throw conflict(
      'NOT_CANCELLABLE',
      now.status === 'sending'
        ? 'Too late to undo: the message is being handed to the server'
        : `This message is ${now.status} and cannot be cancelled`,
    );
  }
  return announce(prisma, events, userId, item.id);
}

/**
 * Sends a failed item, or one of unknown outcome, again: the same bytes and Message-ID, queued
 * for now with a fresh count of attempts. For an unknown outcome the user accepts that the
 * recipients may get it twice.
 */
export async function retryOutboxItem(
  prisma: Db,
  events: EventBus,
  userId: string,
  id: string,
): Promise<OutboxItemOut> {
  const item = await ownedItem(prisma, userId, id);
  if (item.identityId === null) {
    throw conflict(
      'IDENTITY_REMOVED',
      'The identity this message was to be sent from was removed; edit the draft and send it from another one',
    );
  }
  const now = new Date();
  const { count } = await prisma.outboxItem.updateMany({
    where: { id: item.id, userId, status: { in: RETRYABLE } },
    data: {
      status: 'queued',
      notBefore: now,
      nextAttemptAt: now,
      attempts: 0,
      handoverStartedAt: null,
      lastErrorCode: null,
      lastReply: null,
      leaseOwner: null,
      leaseExpiresAt: null,
    },
  });
  if (count === 0) {
    throw conflict(
      'NOT_RETRYABLE',
      `This message is ${item.status}: only a failed or unknown send can be retried`,
    );
  }
  return announce(prisma, events, userId, item.id);
}

async function announce(prisma: Db, events: EventBus, userId: string, id: string) {
  const out = toOutboxOut(await ownedItem(prisma, userId, id));
  await events.publish(userId, 'outbox.status', out);
  return out;
}
