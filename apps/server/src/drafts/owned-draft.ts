import type { Db } from '../db/prisma';
import { notFound } from '../domain-errors';
import type { Prisma } from '../generated/prisma/client';
import type { ComposeAddress } from '../mail/compose-address';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The caller's draft with the given id, or not found: another user's draft, a deleted one and a
 * malformed id get the same answer (admins included: a draft is its owner's alone).
 */
export async function ownedDraft<S extends Prisma.DraftSelect>(
  prisma: Pick<Db, 'draft'>,
  userId: string,
  id: string,
  select: S,
): Promise<Prisma.DraftGetPayload<{ select: S }>> {
  const draft = UUID.test(id)
    ? await prisma.draft.findFirst({ where: { id, userId }, select })
    : null;
  if (!draft) throw notFound('No such draft');
  return draft as Prisma.DraftGetPayload<{ select: S }>;
}

/** A jsonb list of `{name, address}` as stored; anything else in it is left out. */
export function storedAddresses(value: unknown): ComposeAddress[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (!item || typeof item !== 'object') return [];
    const { name, address } = item as Record<string, unknown>;
    return typeof address === 'string'
      ? [{ name: typeof name === 'string' ? name : '', address }]
      : [];
  });
}

/** A jsonb `{name, address}` or null. */
export function storedAddress(value: unknown): ComposeAddress | null {
  return storedAddresses(value === null || value === undefined ? [] : [value])[0] ?? null;
}
