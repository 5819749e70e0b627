import type { Db } from '../db/prisma';
import { ownAddresses } from './own-addresses';

export interface RecipientSuggestion {
  name: string;
  address: string;
}

/**
 * Completion reads the user's latest messages only (through the (userId, date) index): bounded
 * work however much mail is stored, and the people written with lately are the likely ones.
 */
const RECENT_MESSAGES = 2000;
const MAX_SUGGESTIONS = 10;

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Up to 10 addresses from the From, To and Cc of the user's recent mail whose address or name
 * contains `q`, the most frequent first, then the most recent; each address once (compared
 * case-insensitively) with the latest name it was seen with. The user's own addresses are left out.
 */
export async function suggestRecipients(
  prisma: Db,
  userId: string,
  q: string,
): Promise<RecipientSuggestion[]> {
  const own = [...(await ownAddresses(prisma, userId))];
  const rows = await prisma.$queryRaw<RecipientSuggestion[]>`
    WITH recent AS (
      SELECT "fromName", "fromAddress", "to", cc, date FROM messages
      WHERE "userId" = ${userId}::uuid
      ORDER BY date DESC, id DESC
      LIMIT ${RECENT_MESSAGES}
    ), seen AS (
      SELECT "fromName" AS name, "fromAddress" AS address, date FROM recent
      UNION ALL
      SELECT coalesce(e->>'name', ''), e->>'address', r.date
      FROM recent r, jsonb_array_elements(
        CASE WHEN jsonb_typeof(r."to") = 'array' THEN r."to" ELSE '[]'::jsonb END
        || CASE WHEN jsonb_typeof(r.cc) = 'array' THEN r.cc ELSE '[]'::jsonb END) e
    )
    SELECT (array_agg(name ORDER BY (name <> '') DESC, date DESC))[1] AS name,
           (array_agg(address ORDER BY date DESC))[1] AS address
    FROM seen
    WHERE address LIKE '%_@_%'
      AND NOT (lower(address) = ANY(${own}::text[]))
      AND (address ILIKE ${likePattern(q)} OR name ILIKE ${likePattern(q)})
    GROUP BY lower(address)
    ORDER BY count(*) DESC, max(date) DESC, lower(address)
    LIMIT ${MAX_SUGGESTIONS}`;
  return rows.map((row) => ({ name: row.name ?? '', address: row.address }));
}
