import type { PermanentDeletion, PermanentDeletionPreview } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import type { EventBus } from '../events/event-bus';
import type { Prisma } from '../generated/prisma/client';
import { messagesToDelete } from '../sync/deletion-policy';
import { publishMessageUpdated } from './message-updated';
import { removeUnreferencedSources } from './sources';

export interface PermanentDeleteDeps {
  prisma: Db;
  events: EventBus;
  /** Asks for a check of these accounts now (their next session deletes the server copies). */
  requestSync: (accountIds: string[]) => Promise<void>;
}

/** Which trashed messages: these ids, or the whole Trash (of one account, when given). */
export type TrashSelection = { ids: string[] } | { wholeTrash: true; accountId?: string };

const SELECT = {
  id: true,
  accountId: true,
  uidl: true,
  origin: true,
  receivedAt: true,
  trashedAt: true,
  headersOnly: true,
  serverState: true,
  sourceSha256: true,
  account: { select: { leaveOnServer: true, deleteAfterDays: true, deleteWhenDeletedHere: true } },
} as const;

type Selected = Prisma.MessageGetPayload<{ select: typeof SELECT }>;

/** Only messages in the Trash are deleted permanently: anything else must be trashed first. */
function whereTrashed(userId: string, selection: TrashSelection): Prisma.MessageWhereInput {
  const base = { userId, trashedAt: { not: null } };
  if ('ids' in selection) return { ...base, id: { in: [...new Set(selection.ids)] } };
  return selection.accountId ? { ...base, accountId: selection.accountId } : base;
}

/** What becomes of the server copy of each selected message, by the account's policy. */
function classify(messages: Selected[], now: Date) {
  const deleteFromServer: Selected[] = [];
  const keptOnServer: Selected[] = [];
  for (const message of messages) {
    // Sent and imported mail has no server copy; one already gone has nothing left to decide.
    const onServer =
      message.origin === 'pop3' &&
      (message.serverState === 'on_server' || message.serverState === 'delete_pending');
    if (!onServer) continue;
    const stored = { ...message, trashedAt: message.trashedAt ?? now };
    const deleted =
      message.serverState === 'delete_pending' ||
      messagesToDelete(message.account, [stored], now).length > 0;
    (deleted ? deleteFromServer : keptOnServer).push(message);
  }
  return { deleteFromServer, keptOnServer };
}

/** How many messages deleting these permanently would remove, and what happens on the servers. */
export async function permanentDeletionPreview(
  prisma: Db,
  userId: string,
  selection: TrashSelection,
  now = new Date(),
): Promise<PermanentDeletionPreview> {
  const messages = await prisma.message.findMany({
    where: whereTrashed(userId, selection),
    select: SELECT,
  });
  const { deleteFromServer, keptOnServer } = classify(messages, now);
  return {
    count: messages.length,
    deleteFromServer: deleteFromServer.length,
    keptOnServer: keptOnServer.length,
  };
}

/**
 * Deletes the caller's trashed messages among the selection from Popgate: bodies, attachments and
 * (once nothing else points to them) raw bytes. A server copy is left to the account's policy:
 * where the policy deletes what is deleted here (or after N days, or does not leave mail on the
 * server) the next check deletes it, and that check is asked for at once; otherwise it stays on
 * the server. Either way a forgotten_messages row keeps its UIDL, so the message never comes back.
 */
export async function deletePermanently(
  { prisma, events, requestSync }: PermanentDeleteDeps,
  userId: string,
  selection: TrashSelection,
  now = new Date(),
): Promise<PermanentDeletion> {
  const messages = await prisma.message.findMany({
    where: whereTrashed(userId, selection),
    select: SELECT,
  });
  if (messages.length === 0) return { ids: [], deleteFromServer: [], keptOnServer: [] };
  const { deleteFromServer, keptOnServer } = classify(messages, now);
  const serverCopies = new Map([...deleteFromServer, ...keptOnServer].map((m) => [m.id, m]));
  // Deleted and remembered in one transaction; a message restored meanwhile is neither.
  const ids = await prisma.$transaction(async (tx) => {
    const deleted = await tx.$queryRaw<Array<{ id: string }>>`
      DELETE FROM messages
       WHERE id = ANY(${messages.map((m) => m.id)}::uuid[])
         AND "userId" = ${userId}::uuid AND "trashedAt" IS NOT NULL
      RETURNING id`;
    const gone = deleted.map((row) => row.id);
    const remembered = gone.flatMap((id) => serverCopies.get(id) ?? []);
    await tx.forgottenMessage.createMany({
      data: remembered.map((m) => ({
        id: m.id,
        accountId: m.accountId,
        uidl: m.uidl,
        receivedAt: m.receivedAt,
        trashedAt: m.trashedAt ?? now,
        headersOnly: m.headersOnly,
        serverState: m.serverState,
      })),
      skipDuplicates: true,
    });
    return new Set(gone);
  });
  const shas = [...new Set(messages.map((m) => m.sourceSha256).filter((s) => s !== null))];
  await removeUnreferencedSources(prisma, shas);
  const fromServer = deleteFromServer.filter((m) => ids.has(m.id));
  if (fromServer.length > 0) await requestSync([...new Set(fromServer.map((m) => m.accountId))]);
  await publishMessageUpdated(events, userId, { ids: [...ids], deleted: true });
  return {
    ids: [...ids],
    deleteFromServer: fromServer.map((m) => m.id),
    keptOnServer: keptOnServer.filter((m) => ids.has(m.id)).map((m) => m.id),
  };
}
