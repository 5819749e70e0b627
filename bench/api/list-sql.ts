import type { MessageCursor } from '../../apps/server/src/mail/message-cursor';

/**
 * The statement GET /api/messages runs, written out for node-postgres: the peer that answers the
 * same request with nothing between HTTP and the query.
 */
export function listStatement(
  userId: string,
  options: { q?: string; after?: MessageCursor; limit: number },
) {
  const params: unknown[] = [userId];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const search = options.q ? `websearch_to_tsquery('simple', ${param(options.q)})` : null;
  const where = [`m."userId" = $1::uuid`, `m."trashedAt" IS NULL`];
  if (search) where.push('m.search @@ query');
  if (options.after) {
    const date = param(options.after.date.toISOString());
    const id = param(options.after.id);
    where.push(
      search
        ? `(ts_rank(m.search, query), m.date, m.id) < (${param(options.after.rank ?? '0')}::real, ${date}::timestamp, ${id}::uuid)`
        : `(m.date, m.id) < (${date}::timestamp, ${id}::uuid)`,
    );
  }
  const text = `
    SELECT m.id, m."accountId", m.subject, m."fromName", m."fromAddress", m.date, m.snippet,
           m.size, m.seen, m.flagged, m."hasAttachments",
           ${search ? 'ts_rank(m.search, query)::text' : 'NULL'} AS rank
      FROM messages m ${search ? `, ${search} AS query` : ''}
     WHERE ${where.join(' AND ')}
     ORDER BY ${search ? 'ts_rank(m.search, query) DESC,' : ''} m.date DESC, m.id DESC
     LIMIT ${param(options.limit + 1)}`;
  return { text, values: params };
}
