import type { MessageListItem, MessagePatch, MessagesUpdated } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { invalid } from '../domain-errors';
import type { EventBus } from '../events/event-bus';
import { listSelect, toListItem } from './columns';
import { publishMessageUpdated } from './message-updated';
import { ownedIds, ownedMessage } from './owned';

export interface FlagsDeps {
  prisma: Db;
  events: EventBus;
}

/** Only the flags the caller set. */
const flagsOf = (patch: MessagePatch) => ({
  ...(patch.seen !== undefined && { seen: patch.seen }),
  ...(patch.flagged !== undefined && { flagged: patch.flagged }),
});

/** Marks one of the caller's messages read or unread, flagged or not; answers its list row. */
export async function setFlags(
  { prisma, events }: FlagsDeps,
  userId: string,
  id: string,
  patch: MessagePatch,
): Promise<MessageListItem> {
  await ownedMessage(prisma, userId, id, { id: true });
  const flags = flagsOf(patch);
  if (Object.keys(flags).length > 0) {
    await prisma.message.updateMany({ where: { id, userId }, data: flags });
    await publishMessageUpdated(events, userId, { ids: [id], ...flags });
  }
  return toListItem(await ownedMessage(prisma, userId, id, listSelect));
}

/**
 * Marks many messages at once: ids that are not the caller's messages are ignored, and the answer
 * lists those changed.
 */
export async function setFlagsOfMany(
  { prisma, events }: FlagsDeps,
  userId: string,
  ids: string[],
  patch: MessagePatch,
): Promise<MessagesUpdated> {
  const flags = flagsOf(patch);
  if (Object.keys(flags).length === 0) {
    throw invalid('VALIDATION', 'body must set seen, flagged or both');
  }
  const owned = await ownedIds(prisma, userId, [...new Set(ids)]);
  if (owned.length > 0) {
    await prisma.message.updateMany({ where: { id: { in: owned }, userId }, data: flags });
    await publishMessageUpdated(events, userId, { ids: owned, ...flags });
  }
  return { ids: owned, ...flags };
}
