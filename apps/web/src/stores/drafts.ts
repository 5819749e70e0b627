import type { DraftOut } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';
import { draftsApi } from '../api/endpoints';

type Status = 'idle' | 'loading' | 'ready' | 'error';

const newerFirst = (a: DraftOut, b: DraftOut) => b.updatedAt.localeCompare(a.updatedAt);

/** The Drafts folder: drafts the user is writing, newest change first. */
export const useDraftsStore = defineStore('drafts', () => {
  const endpoints = draftsApi(api);
  const items = ref<DraftOut[]>([]);
  const status = ref<Status>('idle');
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    status.value = 'loading';
    try {
      items.value = (await endpoints.list()).items;
      status.value = 'ready';
      error.value = null;
    } catch (caught) {
      status.value = 'error';
      error.value = (caught as Error).message;
    }
  }

  /** A draft saved by the compose form: first in the list, or updated where it is. */
  function upsert(draft: DraftOut): void {
    items.value = [draft, ...items.value.filter((item) => item.id !== draft.id)].sort(newerFirst);
  }

  /** Gone from the list (sent, or deleted). */
  function forget(id: string): void {
    items.value = items.value.filter((item) => item.id !== id);
  }

  async function remove(id: string): Promise<void> {
    await endpoints.remove(id);
    forget(id);
  }

  return { items, status, error, load, upsert, forget, remove };
});
