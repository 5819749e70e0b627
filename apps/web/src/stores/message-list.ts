import type { MessageListItem } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, ApiError } from '../api/client';
import { messagesApi } from '../api/endpoints';
import { usePaginator } from '../composables/usePaginator';
import { belongsTo, compareFor, sortOf, viewKey, viewQuery, type ListView } from '../lib/list-view';
import { offlineDb } from '../lib/offline-db';

export const PAGE_SIZE = 100;

/**
 * The message list of the current view: its keyset pages merged with new mail as it arrives,
 * or, offline, the copy this device saw last.
 */
export const useMessageListStore = defineStore('message-list', () => {
  const endpoints = messagesApi(api);

  const view = ref<ListView>({ mailbox: { kind: 'inbox' }, q: '', unread: false });
  const key = computed(() => viewKey(view.value));
  const inTrash = computed(() => view.value.mailbox.kind === 'trash');
  /** The list comes from this device's copy: the server could not be reached. */
  const listFromCache = ref(false);

  const pages = usePaginator<MessageListItem>(
    (cursor, signal) => {
      const query = viewQuery(view.value);
      return endpoints.list(
        cursor ? { ...query, cursor, limit: PAGE_SIZE } : { ...query, limit: PAGE_SIZE },
        signal,
      );
    },
    {
      // Merged rows (live mail, an undo) go where the view's order puts them.
      compare: (a, b) => compareFor(sortOf(view.value))(a, b),
      fallback: async (caught) => {
        if (!(caught instanceof ApiError && caught.isNetwork)) return null;
        const saved = await offlineDb.list(key.value);
        return { items: saved?.items ?? [], nextCursor: null };
      },
    },
  );

  /** Shows a view; reloads it only when it changes (or when asked to). */
  async function show(next: ListView, options: { force?: boolean } = {}): Promise<void> {
    const changed = viewKey(next) !== key.value;
    view.value = { ...next, mailbox: { ...next.mailbox } };
    const current = pages.state.value === 'ready' || pages.state.value === 'loading';
    if (!changed && !options.force && current) return;
    await load();
  }

  async function load(): Promise<void> {
    const listKey = key.value;
    const reloaded = await pages.reload();
    if (!reloaded) return;
    listFromCache.value = reloaded.fallback;
    if (!reloaded.fallback) void offlineDb.saveList(listKey, reloaded.page.items);
  }

  /** The next keyset page, when the list is scrolled near its end. */
  const loadMore = () => pages.loadNext();

  /**
   * Catches up after a dropped connection: the first page again, merged into what is shown
   * (new messages in, changed flags updated, messages gone from the head taken out).
   */
  async function refreshHead(): Promise<void> {
    // Search results come best match first, other orders put new mail anywhere: there is no
    // head to merge into, so load again.
    const byArrival = sortOf(view.value) === 'arrival' && !view.value.q.trim();
    if (pages.state.value !== 'ready' || listFromCache.value || !byArrival) {
      await load();
      return;
    }
    if (await pages.refreshHead()) void offlineDb.saveList(key.value, pages.items.value);
  }

  /** New mail (live): into the list where it belongs; answers what the list did not know. */
  function applyNew(arrived: MessageListItem[]): MessageListItem[] {
    const unknown = arrived.filter((item) => !pages.has(item.id));
    pages.insertLive(unknown.filter((item) => belongsTo(view.value, item)));
    return unknown;
  }

  /** Recently removed rows, to put back when the move is undone. */
  const removed = new Map<string, MessageListItem>();

  /** Takes rows out of the list (moved to or from the trash), remembering them for an undo. */
  function take(gone: Set<string>): void {
    for (const item of pages.remove(gone)) {
      removed.delete(item.id);
      removed.set(item.id, item);
    }
    while (removed.size > 5000) removed.delete(removed.keys().next().value!);
  }

  /** Back into the view they left (an undo): the rows go back where they were. */
  function putBack(targets: string[]): void {
    const back = targets
      .map((id) => removed.get(id))
      .filter((item): item is MessageListItem => !!item);
    pages.merge(back);
  }

  return {
    view,
    key,
    inTrash,
    items: pages.items,
    nextCursor: pages.nextCursor,
    hasMore: pages.hasMore,
    status: pages.state,
    loadingMore: pages.loadingMore,
    error: pages.error,
    listFromCache,
    has: pages.has,
    pick: pages.pick,
    replace: pages.replace,
    show,
    load,
    loadMore,
    refreshHead,
    applyNew,
    take,
    putBack,
    reset: pages.reset,
  };
});
