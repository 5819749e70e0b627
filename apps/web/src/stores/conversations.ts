import type {
  ConversationDetail,
  ConversationListItem,
  ConversationListQuery,
} from '@popgate/contracts';
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { api, ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { usePaginator } from '../composables/usePaginator';
import { sortOf, type ListView } from '../lib/list-view';

const ENABLED_KEY = 'popgate.conversations';
export const CONVERSATION_PAGE_SIZE = 50;

function readEnabled(): boolean {
  try {
    return localStorage.getItem(ENABLED_KEY) !== 'off';
  } catch {
    return true;
  }
}

const time = (item: ConversationListItem) => Date.parse(item.latestAt) || 0;
/** Newest arrival first, as the server pages them; ties by id. */
export const latestFirst = (a: ConversationListItem, b: ConversationListItem) =>
  time(b) - time(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * The query of a list view, for conversations in the view's order (a search shows messages, not
 * conversations).
 */
export function conversationQuery(view: ListView): ConversationListQuery {
  const query: ConversationListQuery = {};
  if (sortOf(view) !== 'arrival') query.sort = sortOf(view);
  if (view.mailbox.kind === 'account') query.accountId = view.mailbox.accountId;
  if (view.mailbox.kind === 'flagged') query.flagged = true;
  if (view.mailbox.kind === 'trash') query.folder = 'trash';
  if (view.mailbox.kind === 'sent') query.folder = 'sent';
  if (view.unread) query.unread = true;
  return query;
}

/**
 * The conversation list of the current view (on by default; the choice is kept on this device)
 * and the conversation open in the reader.
 */
export const useConversationsStore = defineStore('conversations', () => {
  const endpoints = conversationsApi(api);
  const enabled = ref(readEnabled());
  watch(enabled, (value) => {
    try {
      localStorage.setItem(ENABLED_KEY, value ? 'on' : 'off');
    } catch {
      // Private mode: the choice lasts for this visit.
    }
  });

  const query = ref<ConversationListQuery>({});
  const pages = usePaginator<ConversationListItem>(
    (cursor, signal) =>
      endpoints.list(
        cursor
          ? { ...query.value, cursor, limit: CONVERSATION_PAGE_SIZE }
          : { ...query.value, limit: CONVERSATION_PAGE_SIZE },
        signal,
      ),
    { compare: latestFirst },
  );

  async function show(view: ListView): Promise<void> {
    query.value = conversationQuery(view);
    selected.value = new Set();
    await pages.reload();
  }

  /** The conversations ticked in the list (x, the row's box); a new view starts with none. */
  const selected = ref(new Set<string>());
  function toggleSelected(id: string, on?: boolean): void {
    const next = new Set(selected.value);
    if (on ?? !next.has(id)) next.add(id);
    else next.delete(id);
    selected.value = next;
  }
  function clearSelected(): void {
    if (selected.value.size > 0) selected.value = new Set();
  }

  /** The messages of conversations, as this view shows them (the trash's in the trash). */
  async function messageIdsOf(ids: string[]): Promise<string[]> {
    const folder = query.value.folder === 'trash' ? { folder: 'trash' as const } : {};
    const details = await Promise.all(ids.map((id) => endpoints.get(id, folder)));
    return details.flatMap((detail) => detail.messages.map((message) => message.id));
  }

  /**
   * New mail or a change: the first page again, merged into what is shown; in another order than
   * arrival a conversation may move anywhere, beyond the pages loaded, so the list loads again.
   */
  async function refresh(): Promise<void> {
    if (pages.state.value !== 'ready') return;
    if (query.value.sort) await pages.reload();
    else await pages.refreshHead();
  }

  const open = ref<ConversationDetail | null>(null);
  const openError = ref<string | null>(null);
  const loading = ref(false);
  let openSeq = 0;

  async function openConversation(id: string): Promise<void> {
    const seq = ++openSeq;
    loading.value = true;
    openError.value = null;
    try {
      const detail = await endpoints.get(
        id,
        query.value.folder === 'trash' ? { folder: 'trash' } : {},
      );
      if (seq === openSeq) open.value = detail;
    } catch (error) {
      if (seq !== openSeq) return;
      open.value = null;
      openError.value =
        error instanceof ApiError ? error.message : 'The conversation could not be loaded.';
    } finally {
      if (seq === openSeq) loading.value = false;
    }
  }

  function close(): void {
    openSeq++;
    open.value = null;
    openError.value = null;
    loading.value = false;
  }

  return {
    enabled,
    items: pages.items,
    status: pages.state,
    error: pages.error,
    hasMore: pages.hasMore,
    loadingMore: pages.loadingMore,
    loadMore: () => pages.loadNext(),
    show,
    refresh,
    open,
    openError,
    loading,
    openConversation,
    close,
    selected,
    toggleSelected,
    clearSelected,
    messageIdsOf,
  };
});
