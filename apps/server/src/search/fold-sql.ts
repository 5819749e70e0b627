import { Prisma } from '../generated/prisma/client';

/**
 * `popgate_search_fold(text)` (migration search_multilingual) written out, for an expression
 * evaluated on each row. The SQL function is IMMUTABLE around unaccent, which is STABLE, so
 * PostgreSQL never inlines it: each call runs as a small query of its own, which costs more than
 * folding a short body. Written out, the fold is planned with the statement. For a constant (a
 * search term) call the function itself: being IMMUTABLE, it is folded once while planning.
 * A test holds this to the function.
 */
export const foldSql = (text: Prisma.Sql): Prisma.Sql =>
  Prisma.sql`lower(public.unaccent('public.unaccent'::regdictionary, ${text}))`;
