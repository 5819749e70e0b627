import type { SavedSearchOut, SavedSearchPatch } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { api, ApiError } from '../api/client';
import { savedSearchesApi } from '../api/saved-searches';
import { useAuthStore } from './auth';

/** The searches the user named, listed in the sidebar in the order they were saved. */
export const useSavedSearchesStore = defineStore('saved-searches', () => {
  const endpoints = savedSearchesApi(api);
  const items = ref<SavedSearchOut[]>([]);
  const loaded = ref(false);

  // Another user (or none): nothing of the previous one's stays; the new one's are loaded.
  const auth = useAuthStore();
  watch(
    () => auth.me?.id ?? null,
    (id, previous) => {
      if (id === previous) return;
      items.value = [];
      loaded.value = false;
      if (id) void load();
    },
  );

  async function load(): Promise<void> {
    try {
      items.value = (await endpoints.list()).items;
      loaded.value = true;
    } catch {
      // Offline or signed out: the sidebar goes without them until the next load.
    }
  }

  /** Saves a search; answers the server's reason when it refuses (a taken name, a bad query). */
  async function save(name: string, query: string): Promise<string | null> {
    try {
      const saved = await endpoints.save({ name, query });
      if (loaded.value) items.value = [...items.value, saved];
      else await load();
      return null;
    } catch (error) {
      return error instanceof ApiError ? error.message : 'The search could not be saved.';
    }
  }

  /** Renames a search and/or changes its query; answers the server's reason when it refuses. */
  async function update(id: string, patch: SavedSearchPatch): Promise<string | null> {
    try {
      const updated = await endpoints.update(id, patch);
      items.value = items.value.map((item) => (item.id === id ? updated : item));
      return null;
    } catch (error) {
      return error instanceof ApiError ? error.message : 'The search could not be changed.';
    }
  }

  async function remove(id: string): Promise<boolean> {
    try {
      await endpoints.remove(id);
    } catch (error) {
      // Already gone (another tab): take it out here too.
      if (!(error instanceof ApiError && error.status === 404)) return false;
    }
    items.value = items.value.filter((item) => item.id !== id);
    return true;
  }

  return { items, loaded, load, save, update, remove };
});
