import type {
  AccountIn,
  AccountOut,
  AccountPatch,
  AccountPolicy,
  AccountTestIn,
  AccountTestReply,
  ServerEvent,
} from '@popgate/contracts';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, ApiError } from '../api/client';
import { accountsApi } from '../api/endpoints';
import { offlineDb } from '../lib/offline-db';

type EventPayload<T extends ServerEvent['type']> = Extract<ServerEvent, { type: T }>['payload'];
export type SyncProgress = EventPayload<'sync.progress'>;
export type AccountStatusChange = EventPayload<'account.status'>;
/** A change to an account's message counts: how many more (or fewer) in all, and unread. */
export interface CountDelta {
  total?: number;
  unread?: number;
}

/** The user's linked POP3 accounts, their state and the progress of their syncs. */
export const useAccountsStore = defineStore('accounts', () => {
  const endpoints = accountsApi(api);
  const accounts = ref<AccountOut[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** The latest sync.progress of each account whose sync is running. */
  const progress = ref<Record<string, SyncProgress>>({});

  const byId = computed(() => new Map(accounts.value.map((account) => [account.id, account])));
  const totalUnread = computed(() =>
    accounts.value.reduce((sum, account) => sum + Math.max(0, account.unreadCount), 0),
  );

  async function load(): Promise<void> {
    loading.value = true;
    try {
      accounts.value = await endpoints.list();
      error.value = null;
      void offlineDb.saveAccounts(accounts.value);
    } catch (caught) {
      if (caught instanceof ApiError && caught.isNetwork && !loaded.value) {
        accounts.value = (await offlineDb.accounts()) ?? [];
      }
      error.value = (caught as Error).message;
    } finally {
      loaded.value = true;
      loading.value = false;
    }
  }

  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** Reloads soon, once, however many events ask for it (counts after a burst of changes). */
  function scheduleRefresh(delayMs = 1000): void {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void load();
    }, delayMs);
  }

  function replace(account: AccountOut): void {
    const index = accounts.value.findIndex((candidate) => candidate.id === account.id);
    if (index >= 0) accounts.value.splice(index, 1, account);
    else accounts.value.push(account);
  }

  /** This Popgate's policy for a new account (the admin's retention and minimum interval). */
  function newAccountDefaults(): Promise<AccountPolicy> {
    return endpoints.defaults();
  }

  async function create(input: AccountIn): Promise<AccountOut> {
    const account = await endpoints.create(input);
    replace(account);
    return account;
  }

  async function update(id: string, patch: AccountPatch): Promise<AccountOut> {
    const account = await endpoints.update(id, patch);
    replace(account);
    return account;
  }

  async function remove(id: string): Promise<void> {
    await endpoints.remove(id);
    accounts.value = accounts.value.filter((account) => account.id !== id);
    delete progress.value[id];
  }

  async function syncNow(id: string): Promise<void> {
    await endpoints.syncNow(id);
    const account = byId.value.get(id);
    if (account && account.status !== 'syncing') account.status = 'syncing';
  }

  /**
   * "Get mail": asks the servers of these accounts to be checked now (paused ones and those being
   * checked already left out); how many were asked. A refusal (throttled) of one does not stop
   * the others; the first error is thrown after all were asked.
   */
  async function checkNow(ids: string[]): Promise<number> {
    const due = ids
      .map((id) => byId.value.get(id))
      .filter((account): account is AccountOut => !!account && !account.disabled)
      .filter((account) => account.status !== 'syncing');
    const results = await Promise.allSettled(due.map((account) => syncNow(account.id)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return due.length;
  }

  function test(input: AccountTestIn): Promise<AccountTestReply> {
    return endpoints.test(input);
  }

  function applyStatus(change: AccountStatusChange): void {
    const account = byId.value.get(change.accountId);
    if (!account) {
      scheduleRefresh();
      return;
    }
    const wasSyncing = account.status === 'syncing';
    account.status = change.status as AccountOut['status'];
    if (change.lastError !== undefined) account.lastError = change.lastError;
    if (change.lastErrorCode !== undefined) account.lastErrorCode = change.lastErrorCode;
    if (change.status !== 'syncing') {
      delete progress.value[change.accountId];
      // Times, counts and server info are the server's to tell once a sync ends.
      if (wasSyncing || change.status !== 'ok') scheduleRefresh(300);
    }
  }

  function applyProgress(update: SyncProgress): void {
    progress.value[update.accountId] = update;
    const account = byId.value.get(update.accountId);
    if (account && update.done < update.total) account.status = 'syncing';
    if (update.total > 0 && update.done >= update.total) scheduleRefresh(500);
  }

  /**
   * Keeps an account's counts right between two loads, as changes made here or told by events
   * add or take away messages (`total`) and unread ones (`unread`); the next load has the word.
   */
  function applyCountDelta(accountId: string, delta: CountDelta): void {
    const account = byId.value.get(accountId);
    if (!account) return;
    if (delta.total) account.messageCount = Math.max(0, account.messageCount + delta.total);
    if (delta.unread) account.unreadCount = Math.max(0, account.unreadCount + delta.unread);
  }

  function reset(): void {
    accounts.value = [];
    loaded.value = false;
    progress.value = {};
    error.value = null;
  }

  return {
    accounts,
    loaded,
    loading,
    error,
    progress,
    byId,
    totalUnread,
    load,
    scheduleRefresh,
    newAccountDefaults,
    create,
    update,
    remove,
    syncNow,
    checkNow,
    test,
    applyStatus,
    applyProgress,
    applyCountDelta,
    reset,
  };
});
