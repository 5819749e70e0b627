import { Prisma } from '../generated/prisma/client';

/**
 * Full-text search over messages: the `search` column is a tsvector the database keeps with the
 * 'simple' configuration (words as written, any language), so queries use the same one.
 * websearch_to_tsquery never fails on user input: it reads words, "quoted phrases", -not and or.
 */
export function searchText(q: string | undefined): string | null {
  const text = q?.trim();
  return text ? text : null;
}

/** The tsquery for a search, as an SQL expression. */
export const tsQuery = (text: string) => Prisma.sql`websearch_to_tsquery('simple', ${text})`;
