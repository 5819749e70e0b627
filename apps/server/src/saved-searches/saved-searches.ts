import type { SavedSearchIn, SavedSearchOut } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { conflict, invalid, notFound } from '../domain-errors';
import { parseSearch } from '../search/query-parser';

/** How many searches one user may keep (a sidebar, not a store). */
export const SAVED_SEARCHES_PER_USER = 50;

const toOut = (row: {
  id: string;
  name: string;
  query: string;
  createdAt: Date;
}): SavedSearchOut => ({
  id: row.id,
  name: row.name,
  query: row.query,
  createdAt: row.createdAt.toISOString(),
});

/** The user's saved searches, oldest first (the order they were added in the sidebar). */
export async function listSavedSearches(prisma: Db, userId: string): Promise<SavedSearchOut[]> {
  const rows = await prisma.savedSearch.findMany({
    where: { userId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toOut);
}

/**
 * Saves a search under a name. The query must be one the list can run (the parser's error says
 * where it is wrong); the name is trimmed and unique per user.
 */
export async function saveSearch(
  prisma: Db,
  userId: string,
  input: SavedSearchIn,
): Promise<SavedSearchOut> {
  const name = input.name.trim();
  const query = input.query.trim();
  if (!name) throw invalid('NAME_REQUIRED', 'Give the search a name');
  if (!query) throw invalid('QUERY_REQUIRED', 'There is no search to save');
  parseSearch(query); // throws INVALID_QUERY with the position
  const count = await prisma.savedSearch.count({ where: { userId } });
  if (count >= SAVED_SEARCHES_PER_USER) {
    throw conflict(
      'TOO_MANY_SAVED_SEARCHES',
      `You can keep ${SAVED_SEARCHES_PER_USER} saved searches; remove one to save another`,
    );
  }
  const taken = await prisma.savedSearch.findUnique({
    where: { userId_name: { userId, name } },
    select: { id: true },
  });
  if (taken) throw conflict('NAME_TAKEN', `A saved search is already called “${name}”`);
  try {
    return toOut(await prisma.savedSearch.create({ data: { userId, name, query } }));
  } catch (error) {
    // Two saves of one name at once: the unique index decides.
    if ((error as { code?: string }).code === 'P2002') {
      throw conflict('NAME_TAKEN', `A saved search is already called “${name}”`);
    }
    throw error;
  }
}

/** Removes one of the user's saved searches; anyone else's is not found. */
export async function removeSavedSearch(prisma: Db, userId: string, id: string): Promise<void> {
  const { count } = await prisma.savedSearch.deleteMany({ where: { id, userId } });
  if (count === 0) throw notFound('No such saved search');
}
