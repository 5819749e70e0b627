import { Type, type Static } from 'typebox';

/** A search the user named, listed in the mail sidebar; running it lists `query`'s results. */
export const SavedSearchOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  query: Type.String({
    description: 'In the message list’s search language (GET /api/messages?q=)',
  }),
  createdAt: Type.String({ description: 'ISO 8601' }),
});
export type SavedSearchOut = Static<typeof SavedSearchOut>;

export const SavedSearchList = Type.Object({ items: Type.Array(SavedSearchOut) });
export type SavedSearchList = Static<typeof SavedSearchList>;

/** The longest name and query a saved search keeps (the query: as long as the list takes). */
export const SAVED_SEARCH_NAME_MAX = 60;
export const SAVED_SEARCH_QUERY_MAX = 500;

/** POST /api/saved-searches */
export const SavedSearchIn = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: SAVED_SEARCH_NAME_MAX,
      description: 'Shown in the sidebar; one name per user',
    }),
    query: Type.String({
      minLength: 1,
      maxLength: SAVED_SEARCH_QUERY_MAX,
      description:
        'A search the list understands; one that cannot be read answers 400 INVALID_QUERY',
    }),
  },
  { additionalProperties: false },
);
export type SavedSearchIn = Static<typeof SavedSearchIn>;

export const SavedSearchIdParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

/** PATCH /api/saved-searches/:id: a new name, a new query, or both (checked as when saving). */
export const SavedSearchPatch = Type.Object(
  {
    name: Type.Optional(SavedSearchIn.properties.name),
    query: Type.Optional(SavedSearchIn.properties.query),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type SavedSearchPatch = Static<typeof SavedSearchPatch>;
