import type { TrashOutcome } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import type { EventBus } from '../events/event-bus';
import { publishMessageUpdated } from './message-updated';

export interface TrashDeps {
  prisma: Db;
  events: EventBus;
  /** Asks for a check of these accounts now (their next session deletes the server copies). */
  requestSync: (accountIds: string[]) => Promise<void>;
}

/**
 * Moves the caller's messages among `ids` to the trash or back. Popgate always keeps its copy, so
 * restoring always works; what happens on the POP3 server is the account's policy: with "delete
 * from the server when deleted here" the next check deletes the server copy of trashed messages,
 * and that check is asked for at once.
 */
export async function moveToTrash(
  { prisma, events, requestSync }: TrashDeps,
  userId: string,
  ids: string[],
  trashed: boolean,
): Promise<TrashOutcome> {
  const messages = await prisma.message.findMany({
    where: { id: { in: [...new Set(ids)] }, userId },
    select: {
      id: true,
      accountId: true,
      serverState: true,
      headersOnly: true,
      account: { select: { deleteWhenDeletedHere: true } },
    },
  });
  const owned = messages.map((m) => m.id);
  if (owned.length > 0) {
    await prisma.message.updateMany({
      // Trashing again keeps the first trashing time.
      where: { id: { in: owned }, userId, trashedAt: trashed ? null : { not: null } },
      data: { trashedAt: trashed ? new Date() : null },
    });
  }
  // Headers-only messages are not held whole here, so the server keeps them whatever the policy.
  const deletedFromServer = trashed
    ? messages.filter(
        (m) => m.account.deleteWhenDeletedHere && m.serverState === 'on_server' && !m.headersOnly,
      )
    : [];
  if (deletedFromServer.length > 0) {
    await requestSync([...new Set(deletedFromServer.map((m) => m.accountId))]);
  }
  await publishMessageUpdated(events, userId, { ids: owned, trashed });
  return {
    ids: owned,
    trashed,
    deleteFromServer: deletedFromServer.map((m) => m.id),
    serverCopyGone: messages.filter((m) => m.serverState !== 'on_server').map((m) => m.id),
  };
}
