import type { SavedSearchIn, SavedSearchOut, SavedSearchPatch } from '@popgate/contracts';
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
  const name = checkedName(input.name);
  const query = checkedQuery(input.query);
  const count = await prisma.savedSearch.count({ where: { userId } });
  if (count >= SAVED_SEARCHES_PER_USER) {
    throw conflict(
      'TOO_MANY_SAVED_SEARCHES',
      `You can keep ${SAVED_SEARCHES_PER_USER} saved searches; remove one to save another`,
    );
  }
  await refuseTakenName(prisma, userId, name);
  return writeUnique(name, async () =>
    toOut(await prisma.savedSearch.create({ data: { userId, name, query } })),
  );
}

/**
 * Renames one of the user's saved searches and/or changes its query, with the rules of saving:
 * a trimmed name unique per user, a query the list can run. Anyone else's is not found.
 */
export async function updateSavedSearch(
  prisma: Db,
  userId: string,
  id: string,
  patch: SavedSearchPatch,
): Promise<SavedSearchOut> {
  const data: { name?: string; query?: string } = {};
  if (patch.name !== undefined) data.name = checkedName(patch.name);
  if (patch.query !== undefined) data.query = checkedQuery(patch.query);
  const current = await prisma.savedSearch.findFirst({
    where: { id, userId },
    select: { name: true },
  });
  if (!current) throw notFound('No such saved search');
  if (data.name !== undefined && data.name !== current.name) {
    await refuseTakenName(prisma, userId, data.name);
  }
  return writeUnique(data.name ?? current.name, async () => {
    const rows = await prisma.savedSearch.updateManyAndReturn({ where: { id, userId }, data });
    if (!rows[0]) throw notFound('No such saved search'); // removed meanwhile
    return toOut(rows[0]);
  });
}

function checkedName(text: string): string {
  const name = text.trim();
  if (!name) throw invalid('NAME_REQUIRED', 'Give the search a name');
  return name;
}

function checkedQuery(text: string): string {
  const query = text.trim();
  if (!query) throw invalid('QUERY_REQUIRED', 'There is no search to save');
  parseSearch(query); // throws INVALID_QUERY with the position
  return query;
}

const nameTaken = (name: string) =>
  conflict('NAME_TAKEN', `A saved search is already called “${name}”`);

async function refuseTakenName(prisma: Db, userId: string, name: string): Promise<void> {
  const taken = await prisma.savedSearch.findUnique({
    where: { userId_name: { userId, name } },
    select: { id: true },
  });
  if (taken) throw nameTaken(name);
}

/** A write that may meet another one taking the same name at once: the unique index decides. */
async function writeUnique<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') throw nameTaken(name);
    throw error;
  }
}

/** Removes one of the user's saved searches; anyone else's is not found. */
export async function removeSavedSearch(prisma: Db, userId: string, id: string): Promise<void> {
  const { count } = await prisma.savedSearch.deleteMany({ where: { id, userId } });
  if (count === 0) throw notFound('No such saved search');
}
