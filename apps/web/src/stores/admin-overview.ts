import type { AdminOverview } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';
import { adminApi } from '../api/endpoints';

/** The admin overview's numbers: accounts by status and the last 24 hours of syncs. */
export const useAdminOverviewStore = defineStore('admin-overview', () => {
  const endpoints = adminApi(api);
  const overview = ref<AdminOverview | null>(null);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      overview.value = await endpoints.overview();
      error.value = null;
    } catch (caught) {
      error.value = (caught as Error).message;
    }
  }

  return { overview, error, load };
});
