import type { Db } from '../db/prisma';
import { notFound } from '../domain-errors';
import type { Prisma } from '../generated/prisma/client';

/**
 * The caller's message with the given id, or not found: another user's message looks exactly like
 * one that does not exist (admins included: nobody reads other people's mail).
 */
export async function ownedMessage<S extends Prisma.MessageSelect>(
  prisma: Db,
  userId: string,
  id: string,
  select: S,
): Promise<Prisma.MessageGetPayload<{ select: S }>> {
  const message = await prisma.message.findFirst({ where: { id, userId }, select });
  if (!message) throw notFound('No such message');
  return message as Prisma.MessageGetPayload<{ select: S }>;
}

/** The ids among `ids` that are the caller's messages. */
export async function ownedIds(prisma: Db, userId: string, ids: string[]): Promise<string[]> {
  const rows = await prisma.message.findMany({
    where: { id: { in: ids }, userId },
    select: { id: true },
  });
  return rows.map((row) => row.id);
}
