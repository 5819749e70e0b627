import type {
  ConversationList,
  ConversationListItem,
  ConversationListQuery,
} from '@popgate/contracts';
import { poolOf, type Db } from '../db/prisma';
import { utcTimestamps } from '../db/utc-timestamps';
import { invalid } from '../domain-errors';
import { Prisma } from '../generated/prisma/client';
import {
  decodeCursor,
  decodeSortedCursor,
  encodeCursor,
  encodeSortedCursor,
  type MessageCursor,
  type SortedCursor,
} from '../messages/cursor';
import { keyedSort, type KeyedSort } from '../messages/list-order';
import {
  conversationAfter,
  conversationCursorKey,
  conversationKey,
  conversationOrderBy,
} from './list-order';

/** How many of a conversation's latest messages the participants and accounts are read from. */
const RECENT_MESSAGES = 100;
const MAX_PARTICIPANTS = 4;
const MAX_ACCOUNTS = 20;

interface Row {
  id: string;
  subject: string;
  at: Date;
  messageCount: number;
  unreadCount: number;
  flagged: boolean;
  hasAttachments: boolean;
  latestMessageId: string;
  snippet: string;
  participants: Array<{ name: string; address: string }>;
  accountIds: string[];
  /** The conversation's key in a keyed order (list-order.ts), for the next cursor. */
  sortKey?: Date | string | null;
}

const badCursor = (why: string) =>
  invalid('VALIDATION', `querystring/cursor ${why}: start again without it`);

/** The cursor of the next page, refused when the list in another order wrote it. */
function readCursor(text: string, sort: KeyedSort | undefined): MessageCursor | SortedCursor {
  const sorted = decodeSortedCursor(text);
  const arrival = sorted ? null : decodeCursor(text);
  if (sort ? sorted?.sort === sort : arrival && arrival.rank === undefined) {
    return (sorted ?? arrival)!;
  }
  throw badCursor(
    sorted || arrival ? 'belongs to another order' : 'is not a cursor from this list',
  );
}

/**
 * A page of the caller's conversations, newest arrival first (or in another order of the
 * message list's: list-order.ts), and the cursor of the next page.
 * One row per conversation read from `conversations` through the partial index of its folder
 * (inbox, sent, trash; unread and flagged have theirs), keyset on (latest arrival, id): however
 * many messages the mailbox holds, a page is an index range scan and, for its rows only, a few
 * index lookups for the latest message, the participants and the accounts. An account filter
 * checks each conversation for a message of that account (an index lookup each). The other
 * orders page the same way on their key's index (outside the trash).
 */
export async function conversationList(
  prisma: Db,
  userId: string,
  request: ConversationListQuery,
): Promise<ConversationList> {
  const { limit = 50 } = request;
  const sort = keyedSort(request.sort);
  const { rows } = await poolOf(prisma).query<Row>({
    ...conversationListStatement(userId, request),
    types: utcTimestamps,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last ? nextCursor(last, sort) : null,
  };
}

/** The statement of one page (one row more than the page), as node-postgres takes it. */
export function conversationListStatement(
  userId: string,
  request: ConversationListQuery,
): { text: string; values: unknown[] } {
  const { cursor, limit = 50, folder = 'inbox' } = request;
  const sort = keyedSort(request.sort);
  const after = cursor === undefined ? undefined : readCursor(cursor, sort);
  const trash = folder === 'trash';
  const at = trash ? Prisma.sql`c."trashLatestAt"` : Prisma.sql`c."latestAt"`;
  const inFolder = trash
    ? Prisma.sql`m."trashedAt" IS NOT NULL`
    : Prisma.sql`m."trashedAt" IS NULL`;
  const where = [
    Prisma.sql`c."userId" = ${userId}::uuid`,
    folder === 'inbox'
      ? Prisma.sql`c."inboxCount" > 0`
      : folder === 'sent'
        ? Prisma.sql`c."sentCount" > 0`
        : Prisma.sql`c."trashCount" > 0`,
  ];
  // The keys' indexes hold the conversations with messages outside the trash: say so.
  if (sort && !trash) where.push(Prisma.sql`c."messageCount" > 0`);
  // Outside the trash the counts are kept in the row; in the trash they are read per row below.
  if (request.unread && !trash) where.push(Prisma.sql`c."unreadCount" > 0`);
  if (request.flagged && !trash) where.push(Prisma.sql`c."flaggedCount" > 0`);
  if (request.accountId) {
    where.push(Prisma.sql`EXISTS (SELECT 1 FROM messages m
      WHERE m."conversationId" = c.id AND m."accountId" = ${request.accountId}::uuid AND ${inFolder})`);
  }
  if (trash && (request.unread || request.flagged)) {
    where.push(Prisma.sql`EXISTS (SELECT 1 FROM messages m
      WHERE m."conversationId" = c.id AND ${inFolder}
        ${request.unread ? Prisma.sql`AND NOT m.seen` : Prisma.empty}
        ${request.flagged ? Prisma.sql`AND m.flagged` : Prisma.empty})`);
  }
  const key = sort && conversationKey(sort, trash);
  if (after && 'sort' in after) {
    where.push(conversationAfter(after, key!));
  } else if (after) {
    where.push(
      Prisma.sql`(${at}, c.id) < (${after.at.toISOString()}::timestamp, ${after.id}::uuid)`,
    );
  }
  const counts = trash
    ? Prisma.sql`tc.total AS "messageCount", tc.unread AS "unreadCount",
                 tc.flagged > 0 AS flagged, tc.attachments > 0 AS "hasAttachments"`
    : Prisma.sql`c."messageCount", c."unreadCount",
                 c."flaggedCount" > 0 AS flagged, c."attachmentCount" > 0 AS "hasAttachments"`;
  const statement = Prisma.sql`
    SELECT c.id, c.subject, c.at, ${sort ? Prisma.sql`c."sortKey",` : Prisma.empty} ${counts},
           latest.id AS "latestMessageId", latest.snippet,
           people.participants, accounts."accountIds"
      FROM (SELECT c.*, ${at} AS at${sort ? Prisma.sql`, ${key} AS "sortKey"` : Prisma.empty}
              FROM conversations c
             WHERE ${Prisma.join(where, ' AND ')}
             ORDER BY ${sort ? conversationOrderBy(sort, key!, Prisma.sql`c.id`) : Prisma.sql`${at} DESC, c.id DESC`}
             LIMIT ${limit + 1}) c
     CROSS JOIN LATERAL (
       SELECT m.id, m.snippet FROM messages m
        WHERE m."conversationId" = c.id AND ${inFolder}
        ORDER BY m."receivedAt" DESC, m.id DESC LIMIT 1) latest
     CROSS JOIN LATERAL (
       SELECT coalesce(jsonb_agg(jsonb_build_object('name', p."fromName", 'address', p."fromAddress")
                ORDER BY p.first), '[]'::jsonb) AS participants
         FROM (SELECT d.* FROM (
                 SELECT DISTINCT ON (lower(r."fromAddress")) r."fromName", r."fromAddress", r.first
                   FROM (SELECT m."fromName", m."fromAddress", m."receivedAt" AS first
                           FROM messages m WHERE m."conversationId" = c.id AND ${inFolder}
                          ORDER BY m."receivedAt" DESC, m.id DESC LIMIT ${RECENT_MESSAGES}) r
                  ORDER BY lower(r."fromAddress"), r.first) d
                ORDER BY d.first LIMIT ${MAX_PARTICIPANTS}) p) people
     CROSS JOIN LATERAL (
       SELECT coalesce(array_agg(DISTINCT r."accountId"::text), '{}') AS "accountIds"
         FROM (SELECT m."accountId" FROM messages m
                WHERE m."conversationId" = c.id AND ${inFolder}
                ORDER BY m."receivedAt" DESC, m.id DESC LIMIT ${RECENT_MESSAGES}) r) accounts
     ${
       trash
         ? Prisma.sql`CROSS JOIN LATERAL (
       SELECT count(*)::int AS total, (count(*) FILTER (WHERE NOT r.seen))::int AS unread,
              count(*) FILTER (WHERE r.flagged) AS flagged,
              count(*) FILTER (WHERE r."hasAttachments") AS attachments
         FROM (SELECT m.seen, m.flagged, m."hasAttachments" FROM messages m
                WHERE m."conversationId" = c.id AND ${inFolder} LIMIT 10000) r) tc`
         : Prisma.empty
     }
     ORDER BY ${sort ? conversationOrderBy(sort, Prisma.sql`c."sortKey"`, Prisma.sql`c.id`) : Prisma.sql`c.at DESC, c.id DESC`}`;
  return { text: statement.text, values: statement.values };
}

function nextCursor(last: Row, sort: KeyedSort | undefined): string {
  if (!sort) return encodeCursor({ at: last.at, id: last.id });
  return encodeSortedCursor({
    sort,
    key: conversationCursorKey(sort, last.sortKey ?? null),
    id: last.id,
  });
}

function toItem(row: Row): ConversationListItem {
  return {
    id: row.id,
    subject: row.subject,
    participants: row.participants.slice(0, MAX_PARTICIPANTS),
    messageCount: row.messageCount,
    unreadCount: row.unreadCount,
    latestAt: row.at.toISOString(),
    latestMessageId: row.latestMessageId,
    snippet: row.snippet,
    hasAttachments: row.hasAttachments,
    flagged: row.flagged,
    accountIds: row.accountIds.slice(0, MAX_ACCOUNTS),
  };
}
