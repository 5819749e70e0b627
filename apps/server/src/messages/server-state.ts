import type { Db } from '../db/prisma';
import type { ServerState } from '../generated/prisma/enums';

/*
 * What Popgate believes of the copy on the POP3 server of each stored message (serverState):
 * on_server, delete_pending (DELE sent, the QUIT that applies it perhaps unanswered),
 * deleted_by_popgate, or gone (another client deleted it). Only the sync changes it, through these.
 */

/** An account's messages in `from` (only those among `uidls`, when given) are now in `to`. */
export async function moveServerState(
  prisma: Db,
  accountId: string,
  from: ServerState,
  to: ServerState,
  uidls?: string[],
): Promise<void> {
  await prisma.message.updateMany({
    where: { accountId, serverState: from, ...(uidls && { uidl: { in: uidls } }) },
    data: { serverState: to },
  });
}

/** Recorded before DELE: if the QUIT's answer is lost, the next check sees them gone and confirms. */
export async function markDeletePending(
  prisma: Db,
  accountId: string,
  uidls: string[],
): Promise<void> {
  await prisma.message.updateMany({
    where: { accountId, uidl: { in: uidls } },
    data: { serverState: 'delete_pending' },
  });
}

/** A message the server no longer has (asked for it, it was not listed). */
export async function markGoneFromServer(prisma: Db, messageId: string): Promise<void> {
  await prisma.message.update({ where: { id: messageId }, data: { serverState: 'gone' } });
}

/** An account's messages whose server copy is there (or being deleted): what the policy weighs. */
export async function heldOnServer(prisma: Db, accountId: string) {
  return prisma.message.findMany({
    where: { accountId, serverState: { in: ['on_server', 'delete_pending'] } },
    select: { uidl: true, receivedAt: true, trashedAt: true, headersOnly: true },
  });
}
