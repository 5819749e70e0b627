import type { MessageSort } from '@popgate/contracts';
import { Prisma } from '../generated/prisma/client';
import { SENDER_KEY_LENGTH, type SortedCursor } from './cursor';

/** The orders other than arrival (and a search's best match), which the list pages by key. */
export type KeyedSort = Exclude<MessageSort, 'arrival'>;

/** The keyed order of a requested one (none for arrival, the list's own). */
export const keyedSort = (sort: MessageSort | undefined): KeyedSort | undefined =>
  sort === 'arrival' ? undefined : sort;

/**
 * A row's sender as the list sorts it: the name, else the address, folded as search folds text
 * (Álvaro next to alice, not after Zoë under the C collation) and cut short. The index
 * messages_userId_sender_id_idx (migration list_sort_indexes) is this very expression: change
 * both together, or the sort falls back to sorting all of a user's messages. A conversation's
 * senderKey (migration conversation_sort_keys) is the same expression over its latest message.
 */
export const SENDER_KEY = Prisma.sql`left(popgate_search_fold(coalesce(nullif(m."fromName", ''), m."fromAddress")), ${Prisma.raw(String(SENDER_KEY_LENGTH))})`;

interface KeyedOrder {
  /** The key's SQL over `messages m`, and the type a cursor's key is cast to. */
  key: Prisma.Sql;
  cast: Prisma.Sql;
  /** The key's direction; the id goes the same way, so (key, id) is one row comparison. */
  descending: boolean;
}

const ORDERS: Record<KeyedSort, KeyedOrder> = {
  date: { key: Prisma.sql`m.date`, cast: Prisma.sql`timestamp`, descending: true },
  sender: { key: SENDER_KEY, cast: Prisma.sql`text`, descending: false },
  // bigint: a cursor's size may be a conversation's total too (cursor.ts), beyond int's range.
  size: { key: Prisma.sql`m.size`, cast: Prisma.sql`bigint`, descending: true },
};

/** ORDER BY for a keyed order: the key, then the id, both the same way. */
export function keyedOrderBy(sort: KeyedSort): Prisma.Sql {
  const { key, descending } = ORDERS[sort];
  return descending ? Prisma.sql`${key} DESC, m.id DESC` : Prisma.sql`${key} ASC, m.id ASC`;
}

/** The page's rows after the cursor's: (key, id) beyond the last row's, as the order goes. */
export function keyedAfter(after: SortedCursor): Prisma.Sql {
  const { key, cast, descending } = ORDERS[after.sort];
  // The Date header's key travels as epoch milliseconds; Prisma keeps timestamps as UTC.
  const value = after.sort === 'date' ? new Date(Number(after.key)).toISOString() : after.key;
  const beyond = descending ? Prisma.sql`<` : Prisma.sql`>`;
  return Prisma.sql`(${key}, m.id) ${beyond} (${value}::${cast}, ${after.id}::uuid)`;
}

/** The key column a page's SELECT adds so the next cursor can be written ("sortKey"). */
export function keyedSelect(sort: KeyedSort): Prisma.Sql {
  return Prisma.sql`${ORDERS[sort].key}::text AS "sortKey"`;
}

/** A row's key as its cursor carries it. */
export function cursorKey(
  sort: KeyedSort,
  row: { date: Date; size: number; sortKey?: string | null },
): string {
  if (sort === 'date') return String(row.date.getTime());
  if (sort === 'size') return String(row.size);
  return row.sortKey ?? '';
}
