import {
  findMatches,
  type MessageList,
  type MessageListItem,
  type MessageListQuery,
  type MessageSort,
} from '@popgate/contracts';
import { poolOf, type Db } from '../db/prisma';
import { utcTimestamps } from '../db/utc-timestamps';
import { invalid } from '../domain-errors';
import { Prisma } from '../generated/prisma/client';
import { addressMarks, addressTerms, type AddressTerms } from '../search/address-marks';
import { parseSearch } from '../search/query-parser';
import { foldSql } from '../search/fold-sql';
import { hitSnippet } from '../search/hit-snippet';
import { searchSql, type SearchSql } from '../search/search-sql';
import { listColumnsSql, toListItem, type ListColumns } from './columns';
import {
  decodeCursor,
  decodeSortedCursor,
  encodeCursor,
  encodeSortedCursor,
  type MessageCursor,
  type SortedCursor,
} from './cursor';
import {
  cursorKey,
  keyedAfter,
  keyedOrderBy,
  keyedSelect,
  keyedSort,
  type KeyedSort,
} from './list-order';

export interface ListFilters {
  userId: string;
  accountId?: string;
  /** null: no search; otherwise results come best match first (search/search-sql.ts). */
  search: SearchSql | null;
  unread?: boolean;
  flagged?: boolean;
  /** inbox: received mail; sent: what Popgate sent; trash: the trashed of both. */
  folder: 'inbox' | 'sent' | 'trash';
  /**
   * The order: unset, arrival (a search: best match first, then arrival); arrival (a search
   * too), or by another key (list-order.ts).
   */
  sort?: MessageSort;
  after?: MessageCursor | SortedCursor;
  limit: number;
}

/**
 * A list row: only what the list shows (never bodies), plus, when searching, the rank and the
 * part of the body around the first hit (null when the body has none).
 */
export interface ListRow extends ListColumns {
  rank: string | null;
  hit?: string | null;
  /** The row's key in a keyed order (the sender's), for the next cursor. */
  sortKey?: string | null;
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
  const { cursor, limit = 50, sort: order, ...query } = request;
  const node = query.q === undefined ? null : parseSearch(query.q);
  const search = node && searchSql(node, userId);
  // A search comes best match first unless an order is asked for; then it is in that order.
  const sort = keyedSort(order);
  const ranked = search !== null && order === undefined;
  const after = cursor === undefined ? undefined : readCursor(cursor, sort, ranked);
  const rows = await listMessages(prisma, {
    userId,
    ...(query.accountId && { accountId: query.accountId }),
    search,
    ...(query.unread !== undefined && { unread: query.unread }),
    ...(query.flagged !== undefined && { flagged: query.flagged }),
    folder: query.folder ?? (query.trash ? 'trash' : 'inbox'),
    ...(order !== undefined && { sort: order }),
    ...(after && { after }),
    limit,
  });
  return listPage(rows, limit, search?.terms ?? [], {
    searched: search !== null,
    sort,
    ...(node && { addresses: addressTerms(node) }),
  });
}

/** The cursor of the next page, refused when another list (order, search or not) wrote it. */
function readCursor(
  text: string,
  sort: KeyedSort | undefined,
  ranked: boolean,
): MessageCursor | SortedCursor {
  if (sort) {
    const after = decodeSortedCursor(text);
    if (after?.sort === sort) return after;
    throw badCursor(
      after || decodeCursor(text) ? 'belongs to another order' : 'is not a cursor from this list',
    );
  }
  const after = decodeCursor(text);
  if (after === null) {
    throw badCursor(
      decodeSortedCursor(text) ? 'belongs to another order' : 'is not a cursor from this list',
    );
  }
  if ((after.rank !== undefined) !== ranked) {
    throw badCursor(ranked ? 'belongs to a list without a search' : 'belongs to a search');
  }
  return after;
}

/**
 * The answer for rows read with `limit` (one row more than the page when another follows); for a
 * search, each snippet centred on the first hit and the searched words marked in it.
 */
export function listPage(
  rows: readonly ListRow[],
  limit: number,
  terms: readonly string[] = [],
  options: { searched?: boolean; sort?: KeyedSort | undefined; addresses?: AddressTerms } = {},
): MessageList {
  const { sort, addresses = { from: [], to: [] } } = options;
  const searched = options.searched ?? rows.some((row) => row.rank !== null);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => {
      const item = toListItem(row);
      return searched ? { ...item, ...searchMarks(item, row.hit, terms, addresses) } : item;
    }),
    nextCursor: rows.length > limit && last ? nextCursor(last, sort) : null,
  };
}

/**
 * A search result's snippet around its hit, and where the words are in it, subject and sender;
 * from: and to: values marked in the sender and the recipients (address-marks.ts).
 */
function searchMarks(
  item: MessageListItem,
  hit: string | null | undefined,
  terms: readonly string[],
  addresses: AddressTerms,
) {
  const subjectHighlights = findMatches(item.subject, terms, MAX_MARKS);
  const shown = item.from.name || item.from.address;
  const sender = addressMarks(item.from, addresses.from, MAX_MARKS);
  // from: found only in the address behind the name marks the whole name; else every word's place.
  const fromHighlights = sender.some((r) => r.start === 0 && r.end === shown.length)
    ? sender
    : findMatches(shown, [...terms, ...addresses.from], MAX_MARKS);
  const toHighlights = (item.to ?? [])
    .map((recipient, index) => ({
      index,
      ranges: addressMarks(recipient, addresses.to, MAX_MARKS),
    }))
    .filter((recipient) => recipient.ranges.length > 0);
  return {
    ...hitSnippet(item.snippet, hit, terms),
    ...(subjectHighlights.length > 0 && { subjectHighlights }),
    ...(fromHighlights.length > 0 && { fromHighlights }),
    ...(toHighlights.length > 0 && { toHighlights }),
  };
}
/** At most this many marks in a subject or sender. */
const MAX_MARKS = 20;

function nextCursor(last: ListRow, sort: KeyedSort | undefined): string {
  if (sort) return encodeSortedCursor({ sort, key: cursorKey(sort, last), id: last.id });
  return encodeCursor({
    at: last.receivedAt,
    id: last.id,
    ...(last.rank !== null && { rank: last.rank }),
  });
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
  const sort = keyedSort(filters.sort);
  // Best match first only for a search in no other order.
  const ranked = query !== null && filters.sort === undefined;
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
  if (after && 'sort' in after) {
    where.push(keyedAfter(after));
  } else if (after) {
    // Prisma keeps DateTime as UTC in `timestamp` columns: compare with the UTC wall time.
    const at = after.at.toISOString();
    where.push(
      ranked
        ? Prisma.sql`(${rank}, m."receivedAt", m.id) < (${after.rank ?? '0'}::real, ${at}::timestamp, ${after.id}::uuid)`
        : Prisma.sql`(m."receivedAt", m.id) < (${at}::timestamp, ${after.id}::uuid)`,
    );
  }
  const order = sort
    ? keyedOrderBy(sort)
    : Prisma.sql`${ranked ? Prisma.sql`"rankValue" DESC,` : Prisma.empty} m."receivedAt" DESC, m.id DESC`;
  const keyed = sort ? Prisma.sql`, ${keyedSelect(sort)}` : Prisma.empty;
  const page = (statement: Prisma.Sql) => ({ text: statement.text, values: statement.values });
  if (!query) {
    return page(Prisma.sql`
    SELECT ${COLUMNS}, NULL AS rank${keyed}
      FROM messages m
     WHERE ${Prisma.join(where, ' AND ')}
     ORDER BY ${order}
     LIMIT ${filters.limit + 1}`);
  }
  // A search goes in two steps. The first orders the matches by what the order needs alone and
  // keeps where the page's rows are (their ctid): each match costs what it costs the plain
  // full-text search. A ranked one selects its rank once and orders by that column ("rankValue";
  // written twice, PostgreSQL would work it out twice for every match). The second reads the list
  // columns and the snippet window of the page's rows only, in the same order.
  const matches = Prisma.sql`
    SELECT m.ctid AS "rowTid"${ranked ? Prisma.sql`, ${rank} AS "rankValue"` : Prisma.empty}
      FROM messages m
     WHERE ${Prisma.join(where, ' AND ')}
     ORDER BY ${order}
     LIMIT ${filters.limit + 1}`;
  const terms = query.terms;
  // The window from the first 10,000 characters of the body: 40 characters before the first hit,
  // 240 in all. The fences (OFFSET 0) cut and fold the body once a row whatever the number of
  // terms (inlined, each term's strpos would fold it again).
  const window =
    terms.length > 0
      ? Prisma.sql`
      CROSS JOIN LATERAL (
        SELECT substr(f.body, greatest(least(${Prisma.join(
          terms.map(
            (t) => Prisma.sql`nullif(strpos(f.folded, popgate_search_fold(${t}::text)), 0)`,
          ),
        )}) - 40, 1), 240) AS hit
          FROM (SELECT b.body, ${foldSql(Prisma.sql`b.body`)} AS folded
                  FROM (SELECT left(coalesce(m."textBody", m.snippet), 10000) AS body OFFSET 0) b
                OFFSET 0) f) h`
      : Prisma.empty;
  return page(Prisma.sql`
    SELECT ${COLUMNS}, ${ranked ? Prisma.sql`p."rankValue"::text` : Prisma.sql`NULL`} AS rank${keyed}${
      terms.length > 0 ? Prisma.sql`, h.hit` : Prisma.empty
    }
      FROM (${matches}) p
      JOIN messages m ON m.ctid = p."rowTid"${window}
     ORDER BY ${order}`);
}
