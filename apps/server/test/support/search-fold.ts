import type { Db } from '../../src/db/prisma';
import { Prisma } from '../../src/generated/prisma/client';
import { foldSql } from '../../src/search/fold-sql';

/** Text where folding does something: accents, ligatures, ß, Cyrillic ё and capitals, CJK. */
export const FOLD_SAMPLES = [
  'Jürgen Müller, Straße 5 — Grüße',
  'ÆSIR Œuvre ﬁle Ǆemal Øresund Ångström',
  'ОТЧЁТ за неделю: Ёлка, Й',
  '会議の資料を確認してください',
  'İstanbul ÇAĞRI — Ğ ş',
  'Crème brûlée, NAÏVE façade',
];

/**
 * The samples and the stored bodies whose written-out fold (search/fold-sql.ts) differs from
 * popgate_search_fold's: none, or a page's snippet window would look for its hit elsewhere.
 */
export async function foldMismatches(prisma: Db): Promise<string[]> {
  const samples = await prisma.$queryRaw<Array<{ text: string }>>`
    SELECT s.text FROM unnest(${FOLD_SAMPLES}::text[]) AS s(text)
     WHERE popgate_search_fold(s.text) IS DISTINCT FROM ${foldSql(Prisma.sql`s.text`)}`;
  const bodies = await prisma.$queryRaw<Array<{ text: string }>>`
    SELECT m.subject AS text FROM messages m, LATERAL (SELECT coalesce(m."textBody", m.snippet) AS body) b
     WHERE popgate_search_fold(b.body) IS DISTINCT FROM ${foldSql(Prisma.sql`b.body`)}`;
  return [...samples, ...bodies].map((row) => row.text);
}
