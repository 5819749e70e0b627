import type { Db } from '../db/prisma';
import type { ServerState } from '../generated/prisma/enums';

/*
 * What Popgate believes of the copy on the POP3 server of each stored message (serverState):
 * on_server, delete_pending (DELE sent, the QUIT that applies it perhaps unanswered),
 * deleted_by_popgate, or gone (another client deleted it). Only the sync changes it, through these.
 * A message deleted permanently here keeps its server state in forgotten_messages (see
 * permanent-delete.ts) until the server no longer lists it; these functions keep both.
 */

/** States in which the server no longer has the copy: a forgotten message has nothing left to note. */
const NOT_ON_SERVER: ReadonlySet<ServerState> = new Set(['deleted_by_popgate', 'gone']);

/** An account's messages in `from` (only those among `uidls`, when given) are now in `to`. */
export async function moveServerState(
  prisma: Db,
  accountId: string,
  from: ServerState,
  to: ServerState,
  uidls?: string[],
): Promise<void> {
  const where = { accountId, serverState: from, ...(uidls && { uidl: { in: uidls } }) };
  await prisma.message.updateMany({ where, data: { serverState: to } });
  if (NOT_ON_SERVER.has(to)) await prisma.forgottenMessage.deleteMany({ where });
  else await prisma.forgottenMessage.updateMany({ where, data: { serverState: to } });
}

/** Recorded before DELE: if the QUIT's answer is lost, the next check sees them gone and confirms. */
export async function markDeletePending(
  prisma: Db,
  accountId: string,
  uidls: string[],
): Promise<void> {
  const where = { accountId, uidl: { in: uidls } };
  await prisma.message.updateMany({ where, data: { serverState: 'delete_pending' } });
  await prisma.forgottenMessage.updateMany({ where, data: { serverState: 'delete_pending' } });
}

/** A message the server no longer has (asked for it, it was not listed). */
export async function markGoneFromServer(prisma: Db, messageId: string): Promise<void> {
  await prisma.message.update({ where: { id: messageId }, data: { serverState: 'gone' } });
}

/**
 * An account's messages whose server copy is there (or being deleted), those deleted permanently
 * here included: what the policy weighs.
 */
export async function heldOnServer(prisma: Db, accountId: string) {
  const query = {
    where: { accountId, serverState: { in: ['on_server', 'delete_pending'] as ServerState[] } },
    select: { uidl: true, receivedAt: true, trashedAt: true, headersOnly: true },
  };
  const [stored, forgotten] = await Promise.all([
    prisma.message.findMany(query),
    prisma.forgottenMessage.findMany(query),
  ]);
  return [...stored, ...forgotten];
}
