import type { Db } from '../db/prisma';
import { notFound } from '../domain-errors';
import type { Pop3Account } from '../generated/prisma/client';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The user's own account, or 404: an account of someone else, a deleted one and a malformed id
 * all get the same answer, so ids reveal nothing (admins included: they manage accounts elsewhere).
 */
export async function ownedAccount(prisma: Db, userId: string, id: string): Promise<Pop3Account> {
  const account = UUID.test(id)
    ? await prisma.pop3Account.findFirst({ where: { id, userId } })
    : null;
  if (!account) throw notFound('No such account');
  return account;
}
