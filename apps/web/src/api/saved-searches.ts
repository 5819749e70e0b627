import type {
  SavedSearchIn,
  SavedSearchList,
  SavedSearchOut,
  SavedSearchPatch,
} from '@popgate/contracts';
import { api, type ApiClient } from './client';

/** The user's saved searches (the mail sidebar's). */
export function savedSearchesApi(client: ApiClient = api) {
  return {
    list: () => client.get<SavedSearchList>('/api/saved-searches'),
    save: (body: SavedSearchIn) => client.post<SavedSearchOut>('/api/saved-searches', body),
    update: (id: string, body: SavedSearchPatch) =>
      client.patch<SavedSearchOut>(`/api/saved-searches/${encodeURIComponent(id)}`, body),
    remove: (id: string) => client.delete<void>(`/api/saved-searches/${encodeURIComponent(id)}`),
  };
}
