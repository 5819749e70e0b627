import type { Db } from '../db/prisma';
import { notFound } from '../domain-errors';

/** The host of the "Imported" source: .invalid never resolves, and the source is never polled. */
export const IMPORTED_HOST = 'imported.invalid';

/**
 * The account imported mail goes into: the caller's chosen one, or their "Imported" source (an
 * account that is never polled, made on first use), so imported mail lists, searches and is
 * exported like any other.
 */
export async function importTarget(
  prisma: Db,
  userId: string,
  accountId?: string,
): Promise<string> {
  if (accountId) {
    const owned = await prisma.pop3Account.findFirst({
      where: { id: accountId, userId },
      select: { id: true },
    });
    if (!owned) throw notFound('No such account');
    return owned.id;
  }
  const existing = await prisma.pop3Account.findFirst({
    where: { userId, host: IMPORTED_HOST },
    select: { id: true },
  });
  if (existing) return existing.id;
  const created = await prisma.pop3Account.create({
    data: {
      userId,
      label: 'Imported',
      host: IMPORTED_HOST,
      port: 995,
      username: '',
      secretCiphertext: new Uint8Array(0),
      secretKeyId: 'none',
      disabled: true,
      status: 'ok',
    },
    select: { id: true },
  });
  return created.id;
}
