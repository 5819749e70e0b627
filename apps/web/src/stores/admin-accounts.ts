import type {
  AccountDiagnostics,
  AccountStatus,
  AdminAccount,
  AdminAccountQuery,
  SyncRunOut,
} from '@popgate/contracts';
import { defineStore } from 'pinia';
import { reactive, ref } from 'vue';
import { api } from '../api/client';
import { adminApi } from '../api/endpoints';

export type AccountSort = NonNullable<AdminAccountQuery['sort']>;

/** What one account's drawer shows: its sync history and what its server said. */
export interface AccountDetail {
  runs: SyncRunOut[] | null;
  diagnostics: AccountDiagnostics | null;
  error: string | null;
}

/** Everyone's linked accounts as an admin sees them (no mail content): filter, sort, act. */
export const useAdminAccountsStore = defineStore('admin-accounts', () => {
  const endpoints = adminApi(api);
  const accounts = ref<AdminAccount[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const filters = reactive({
    q: '',
    status: '' as AccountStatus | '',
    sort: 'host' as AccountSort,
    order: 'asc' as 'asc' | 'desc',
  });
  const details = ref<Record<string, AccountDetail>>({});

  let latest = 0;
  async function load(): Promise<void> {
    const ticket = ++latest;
    loading.value = true;
    try {
      const { items } = await endpoints.accounts({
        q: filters.q.trim() || undefined,
        status: filters.status || undefined,
        sort: filters.sort,
        order: filters.order,
      });
      // A slower, older answer must not replace the one for the current filters.
      if (ticket !== latest) return;
      accounts.value = items;
      error.value = null;
    } catch (caught) {
      if (ticket === latest) error.value = (caught as Error).message;
    } finally {
      if (ticket === latest) {
        loaded.value = true;
        loading.value = false;
      }
    }
  }

  /** Sorts by the column, or turns the order round when it is the column already. */
  function sortBy(column: AccountSort): Promise<void> {
    if (filters.sort === column) filters.order = filters.order === 'asc' ? 'desc' : 'asc';
    else {
      filters.sort = column;
      filters.order = column === 'lastSyncAt' || column === 'messageCount' ? 'desc' : 'asc';
    }
    return load();
  }

  function replace(account: AdminAccount): void {
    const index = accounts.value.findIndex((candidate) => candidate.id === account.id);
    if (index >= 0) accounts.value.splice(index, 1, account);
  }

  async function setDisabled(id: string, disabled: boolean): Promise<AdminAccount> {
    const account = await endpoints.setAccountDisabled(id, disabled);
    replace(account);
    return account;
  }

  function syncNow(id: string): Promise<void> {
    return endpoints.syncAccount(id);
  }

  async function loadDetail(id: string): Promise<void> {
    details.value[id] = { runs: null, diagnostics: null, error: null };
    try {
      const [runs, diagnostics] = await Promise.all([
        endpoints.syncRuns(id),
        endpoints.diagnostics(id),
      ]);
      details.value[id] = { runs: runs.items, diagnostics, error: null };
    } catch (caught) {
      details.value[id] = { runs: [], diagnostics: null, error: (caught as Error).message };
    }
  }

  return {
    accounts,
    loaded,
    loading,
    error,
    filters,
    details,
    load,
    sortBy,
    setDisabled,
    syncNow,
    loadDetail,
  };
});
