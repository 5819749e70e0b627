import { poolOf, type Db } from '../../db/prisma';
import { utcTimestamps } from '../../db/utc-timestamps';
import { Prisma } from '../../generated/prisma/client';
import type { MessageCursor } from '../../mail/message-cursor';
import { tsQuery } from '../../mail/search-query';
import type { ListColumns } from '../../mail/list-item';

export interface ListFilters {
  userId: string;
  accountId?: string;
  /** null: no search; otherwise results come best match first. */
  search: string | null;
  unread?: boolean;
  flagged?: boolean;
  trash: boolean;
  after?: MessageCursor;
  limit: number;
}

/** A list row: only what the list shows (never bodies), plus the rank when searching. */
export interface ListRow extends ListColumns {
  rank: string | null;
}

/**
 * One page of a user's messages, newest first (date, then id, both descending: the order of the
 * (userId|accountId, date DESC, id DESC) indexes, so a page is an index range scan however deep
 * it is). A search orders by rank first, then the same; its keyset includes the rank, compared as
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
  const query = filters.search === null ? null : tsQuery(filters.search);
  const rank = Prisma.sql`ts_rank(m.search, query)`;
  const where = [
    Prisma.sql`m."userId" = ${filters.userId}::uuid`,
    filters.trash ? Prisma.sql`m."trashedAt" IS NOT NULL` : Prisma.sql`m."trashedAt" IS NULL`,
  ];
  if (filters.accountId) where.push(Prisma.sql`m."accountId" = ${filters.accountId}::uuid`);
  if (filters.unread !== undefined) where.push(Prisma.sql`m.seen = ${!filters.unread}`);
  if (filters.flagged !== undefined) where.push(Prisma.sql`m.flagged = ${filters.flagged}`);
  if (query) where.push(Prisma.sql`m.search @@ query`);
  const after = filters.after;
  if (after) {
    // Prisma keeps DateTime as UTC in `timestamp` columns: compare with the UTC wall time.
    const date = after.date.toISOString();
    where.push(
      query
        ? Prisma.sql`(${rank}, m.date, m.id) < (${after.rank ?? '0'}::real, ${date}::timestamp, ${after.id}::uuid)`
        : Prisma.sql`(m.date, m.id) < (${date}::timestamp, ${after.id}::uuid)`,
    );
  }
  const statement = Prisma.sql`
    SELECT m.id, m."accountId", m.subject, m."fromName", m."fromAddress", m.date, m.snippet,
           m.size, m.seen, m.flagged, m."hasAttachments",
           ${query ? Prisma.sql`${rank}::text` : Prisma.sql`NULL`} AS rank
      FROM messages m ${query ? Prisma.sql`, ${query} AS query` : Prisma.empty}
     WHERE ${Prisma.join(where, ' AND ')}
     ORDER BY ${query ? Prisma.sql`${rank} DESC,` : Prisma.empty} m.date DESC, m.id DESC
     LIMIT ${filters.limit + 1}`;
  return { text: statement.text, values: statement.values };
}
