import type { Db } from '../db/prisma';
import { notFound } from '../domain-errors';
import type { Identity, Pop3Account } from '../generated/prisma/client';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The user's own identity (with its account), or 404: someone else's, a deleted one and a
 * malformed id all get the same answer, admins included.
 */
export async function ownedIdentity(
  prisma: Pick<Db, 'identity'>,
  userId: string,
  id: string,
): Promise<Identity & { account: Pop3Account }> {
  const identity = UUID.test(id)
    ? await prisma.identity.findFirst({ where: { id, userId }, include: { account: true } })
    : null;
  if (!identity) throw notFound('No such identity');
  return identity;
}
