import type { AdminSyncStatus } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';
import { adminApi } from '../api/endpoints';

/** Polling as it runs now: the session rule in force, the backlog, sessions per server, lateness. */
export const useAdminSyncStore = defineStore('admin-sync', () => {
  const endpoints = adminApi(api);
  const status = ref<AdminSyncStatus | null>(null);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      status.value = await endpoints.sync();
      error.value = null;
    } catch (caught) {
      error.value = (caught as Error).message;
    }
  }

  return { status, error, load };
});
