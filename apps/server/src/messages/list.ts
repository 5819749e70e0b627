import type { MessageList, MessageListQuery } from '@popgate/contracts';
import { poolOf, type Db } from '../db/prisma';
import { utcTimestamps } from '../db/utc-timestamps';
import { invalid } from '../domain-errors';
import { Prisma } from '../generated/prisma/client';
import { parseSearch } from '../search/query-parser';
import { hitSnippet } from '../search/hit-snippet';
import { searchSql, type SearchSql } from '../search/search-sql';
import { listColumnsSql, toListItem, type ListColumns } from './columns';
import { decodeCursor, encodeCursor, type MessageCursor } from './cursor';

export interface ListFilters {
  userId: string;
  accountId?: string;
  /** null: no search; otherwise results come best match first (search/search-sql.ts). */
  search: SearchSql | null;
  unread?: boolean;
  flagged?: boolean;
  /** inbox: received mail; sent: what Popgate sent; trash: the trashed of both. */
  folder: 'inbox' | 'sent' | 'trash';
  after?: MessageCursor;
  limit: number;
}

/**
 * A list row: only what the list shows (never bodies), plus, when searching, the rank and the
 * part of the body around the first hit (null when the body has none).
 */
export interface ListRow extends ListColumns {
  rank: string | null;
  hit?: string | null;
}

const COLUMNS = Prisma.raw(listColumnsSql('m'));

const badCursor = (why: string) =>
  invalid('VALIDATION', `querystring/cursor ${why}: start again without it`);

/**
 * A page of the caller's messages across all accounts (or one), filtered and searched, and the
 * cursor of the next page (null at the end). A cursor belongs to the same filters and search.
 */
export async function messageList(
  prisma: Db,
  userId: string,
  request: MessageListQuery,
): Promise<MessageList> {
  const { cursor, limit = 50, ...query } = request;
  const node = query.q === undefined ? null : parseSearch(query.q);
  const search = node && searchSql(node, userId);
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (after === null) throw badCursor('is not a cursor from this list');
  if (after && (after.rank !== undefined) !== (search !== null)) {
    throw badCursor(search === null ? 'belongs to a search' : 'belongs to a list without a search');
  }
  const rows = await listMessages(prisma, {
    userId,
    ...(query.accountId && { accountId: query.accountId }),
    search,
    ...(query.unread !== undefined && { unread: query.unread }),
    ...(query.flagged !== undefined && { flagged: query.flagged }),
    folder: query.folder ?? (query.trash ? 'trash' : 'inbox'),
    ...(after && { after }),
    limit,
  });
  return listPage(rows, limit, search?.terms ?? []);
}

/**
 * The answer for rows read with `limit` (one row more than the page when another follows); for a
 * search, each snippet centred on the first hit and the searched words marked in it.
 */
export function listPage(
  rows: readonly ListRow[],
  limit: number,
  terms: readonly string[] = [],
): MessageList {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => {
      const item = toListItem(row);
      return row.rank === null ? item : { ...item, ...hitSnippet(item.snippet, row.hit, terms) };
    }),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({
            at: last.receivedAt,
            id: last.id,
            ...(last.rank !== null && { rank: last.rank }),
          })
        : null,
  };
}

/**
 * One page of a user's messages, newest first by arrival in Popgate (receivedAt, then id, both
 * descending: the order of the (userId|accountId, receivedAt DESC, id DESC) indexes, so a page is
 * an index range scan however deep it is). Arrival, not the Date header: a message that arrives
 * today with an old date shows on top where it is announced, and a future date cannot pin a
 * message there; the Date header is still what the list shows. A search orders by rank first, then the same; its keyset includes the rank, compared as
 * PostgreSQL's own `real` so no page repeats or skips a row. Fetches one row more than asked to
 * learn whether another page follows. Sent through node-postgres itself: the list is the API's
 * busiest read, and Prisma's raw query costs more than the statement at this size.
 */
export async function listMessages(prisma: Db, filters: ListFilters): Promise<ListRow[]> {
  const { rows } = await poolOf(prisma).query<ListRow>({
    ...listStatement(filters),
    types: utcTimestamps,
  });
  return rows;
}

/** The statement of one page, as node-postgres takes it. */
export function listStatement(filters: ListFilters): { text: string; values: unknown[] } {
  const query = filters.search;
  const rank = query?.rank ?? Prisma.sql`0`;
  const where = [Prisma.sql`m."userId" = ${filters.userId}::uuid`];
  // A search naming its folder (in:sent, in:anywhere…) replaces the list's.
  if (!query?.choosesFolder) {
    where.push(
      filters.folder === 'trash'
        ? Prisma.sql`m."trashedAt" IS NOT NULL`
        : Prisma.sql`m."trashedAt" IS NULL`,
    );
    if (filters.folder === 'inbox') where.push(Prisma.sql`m.origin <> 'sent'`);
    if (filters.folder === 'sent') where.push(Prisma.sql`m.origin = 'sent'`);
  }
  if (filters.accountId) where.push(Prisma.sql`m."accountId" = ${filters.accountId}::uuid`);
  if (filters.unread !== undefined) where.push(Prisma.sql`m.seen = ${!filters.unread}`);
  if (filters.flagged !== undefined) where.push(Prisma.sql`m.flagged = ${filters.flagged}`);
  if (query) where.push(query.where);
  const after = filters.after;
  if (after) {
    // Prisma keeps DateTime as UTC in `timestamp` columns: compare with the UTC wall time.
    const at = after.at.toISOString();
    where.push(
      query
        ? Prisma.sql`(${rank}, m."receivedAt", m.id) < (${after.rank ?? '0'}::real, ${at}::timestamp, ${after.id}::uuid)`
        : Prisma.sql`(m."receivedAt", m.id) < (${at}::timestamp, ${after.id}::uuid)`,
    );
  }
  const page = Prisma.sql`
    SELECT ${COLUMNS},
           ${query ? Prisma.sql`${rank}::text` : Prisma.sql`NULL`} AS rank
      FROM messages m
     WHERE ${Prisma.join(where, ' AND ')}
     ORDER BY ${query ? Prisma.sql`${rank} DESC,` : Prisma.empty} m."receivedAt" DESC, m.id DESC
     LIMIT ${filters.limit + 1}`;
  // The snippet's window is read for the page's rows only (after the sort and limit), from the
  // first 10,000 characters of each body: 40 characters before the first hit, 240 in all.
  const statement =
    query && query.terms.length > 0
      ? Prisma.sql`
    SELECT p.*, substr(h.body, greatest(h.at - 40, 1), 240) AS hit
      FROM (${page}) p
      LEFT JOIN LATERAL (
        SELECT f.body, least(${Prisma.join(
          query.terms.map(
            (t) => Prisma.sql`nullif(strpos(f.folded, popgate_search_fold(${t}::text)), 0)`,
          ),
        )}) AS at
          FROM (SELECT left(coalesce(b."textBody", b.snippet), 10000) AS body,
                       popgate_search_fold(left(coalesce(b."textBody", b.snippet), 10000)) AS folded
                  FROM messages b WHERE b.id = p.id) f) h ON true`
      : page;
  return { text: statement.text, values: statement.values };
}
