import { Prisma } from '../generated/prisma/client';
import type { SortedCursor } from '../messages/cursor';
import { SENDER_KEY, type KeyedSort } from '../messages/list-order';

/**
 * The conversation list in the message list's other orders (messages/list-order.ts), each by a
 * key of the conversation: date, its latest Date header (newest first); sender, the sender of
 * its latest arrival (A to Z, folded as the message list folds senders); size, the size of all
 * its messages together (largest first). Ties go to the id the same way, so (key, id) is one row
 * comparison and pages never repeat or skip a conversation.
 *
 * Outside the trash the keys are columns of `conversations` kept by the database (migration
 * conversation_sort_keys), each with an index of its own, so a page is an index range. In the
 * trash they come from the trashed messages as the list reads them (the trash is a sort of its
 * conversations, not of a whole mailbox).
 */
interface ConversationOrder {
  column: Prisma.Sql;
  /** The key over the trashed messages of conversation `c`. */
  trashed: Prisma.Sql;
  cast: Prisma.Sql;
  descending: boolean;
}

const trashedOf = Prisma.sql`FROM messages m WHERE m."conversationId" = c.id AND m."trashedAt" IS NOT NULL`;

const ORDERS: Record<KeyedSort, ConversationOrder> = {
  date: {
    column: Prisma.sql`c."latestDate"`,
    trashed: Prisma.sql`(SELECT max(m.date) ${trashedOf})`,
    cast: Prisma.sql`timestamp`,
    descending: true,
  },
  sender: {
    column: Prisma.sql`c."senderKey"`,
    trashed: Prisma.sql`(SELECT ${SENDER_KEY} ${trashedOf} ORDER BY m."receivedAt" DESC, m.id DESC LIMIT 1)`,
    cast: Prisma.sql`text`,
    descending: false,
  },
  size: {
    column: Prisma.sql`c."totalSize"`,
    trashed: Prisma.sql`(SELECT coalesce(sum(m.size), 0)::bigint ${trashedOf})`,
    cast: Prisma.sql`bigint`,
    descending: true,
  },
};

/** The key of conversation `c` in an order, for the list's folder. */
export const conversationKey = (sort: KeyedSort, trash: boolean): Prisma.Sql =>
  trash ? ORDERS[sort].trashed : ORDERS[sort].column;

/** ORDER BY over a selected key column `key` and the id, both the order's way. */
export function conversationOrderBy(sort: KeyedSort, key: Prisma.Sql, id: Prisma.Sql): Prisma.Sql {
  return ORDERS[sort].descending
    ? Prisma.sql`${key} DESC, ${id} DESC`
    : Prisma.sql`${key} ASC, ${id} ASC`;
}

/** The conversations after a cursor's: (key, id) beyond the last row's, as the order goes. */
export function conversationAfter(after: SortedCursor, key: Prisma.Sql): Prisma.Sql {
  const { cast, descending } = ORDERS[after.sort];
  // The Date header's key travels as epoch milliseconds; Prisma keeps timestamps as UTC.
  const value = after.sort === 'date' ? new Date(Number(after.key)).toISOString() : after.key;
  const beyond = descending ? Prisma.sql`<` : Prisma.sql`>`;
  return Prisma.sql`(${key}, c.id) ${beyond} (${value}::${cast}, ${after.id}::uuid)`;
}

/** A row's key (as node-postgres reads it: a Date, the text, a bigint's digits) in its cursor. */
export function conversationCursorKey(sort: KeyedSort, key: Date | string | null): string {
  if (sort === 'date') return String(key instanceof Date ? key.getTime() : 0);
  return typeof key === 'string' ? key : sort === 'size' ? '0' : '';
}
