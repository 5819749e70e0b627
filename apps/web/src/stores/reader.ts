import type { MessageDetail } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { api, ApiError } from '../api/client';
import { messagesApi } from '../api/endpoints';
import { prepareMailHtml } from '../lib/mail-html';
import { offlineDb } from '../lib/offline-db';
import { useMessageChangesStore } from './message-changes';

type Status = 'idle' | 'loading' | 'ready' | 'error';

/** What changes on an open message while it is read. */
export type OpenChange = Partial<Pick<MessageDetail, 'seen' | 'flagged' | 'trashed'>>;

/** The open message: loaded, or this device's copy of it offline, and its remote images. */
export const useReaderStore = defineStore('reader', () => {
  const endpoints = messagesApi(api);

  const openId = ref<string | null>(null);
  const message = shallowRef<MessageDetail | null>(null);
  /** The HTML body as prepared for the sandboxed frame. */
  const html = ref<string | null>(null);
  const status = ref<Status>('idle');
  const error = ref<string | null>(null);
  const fromCache = ref(false);
  /** The words of the search the message was opened from, as the server found them: marked. */
  const searchTerms = shallowRef<string[]>([]);
  let seq = 0;
  let openedFrom = '';

  async function present(found: MessageDetail): Promise<string | null> {
    const prepared = found.html ? await prepareMailHtml(found.html) : null;
    // The offline copy is the message alone, not the search it was once opened from.
    const { searchTerms: _terms, ...message } = found;
    void offlineDb.saveMessage(message, prepared);
    return prepared;
  }

  /** The message, with the words to mark when opened from a search; a search the server
   * refuses (the list says why) still opens the message, unmarked. */
  async function fetchDetail(id: string, q: string): Promise<MessageDetail> {
    if (!q.trim()) return endpoints.get(id);
    try {
      return await endpoints.get(id, { q });
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'INVALID_QUERY') return endpoints.get(id);
      throw caught;
    }
  }

  /** Marks an opened message read; if the server refuses, it simply stays unread. */
  function markRead(id: string): Promise<void> {
    return useMessageChangesStore()
      .setSeen([id], true)
      .catch(() => {});
  }

  /** Opens a message; `q`, the search it was opened from, decides the words marked in it. */
  async function open(id: string, q = ''): Promise<void> {
    const mine = ++seq;
    openId.value = id;
    openedFrom = q;
    if (message.value?.id !== id) {
      message.value = null;
      html.value = null;
      searchTerms.value = [];
    }
    status.value = 'loading';
    error.value = null;
    try {
      const found = await fetchDetail(id, q);
      const prepared = await present(found);
      if (mine !== seq) return;
      message.value = found;
      html.value = prepared;
      searchTerms.value = found.searchTerms ?? [];
      fromCache.value = false;
      status.value = 'ready';
      if (!found.seen) void markRead(id);
    } catch (caught) {
      if (mine !== seq) return;
      if (caught instanceof ApiError && caught.isNetwork) {
        const saved = await offlineDb.message(id);
        if (mine !== seq) return;
        if (saved) {
          message.value = saved.detail;
          html.value = saved.html;
          searchTerms.value = [];
          fromCache.value = true;
          status.value = 'ready';
          return;
        }
        error.value =
          'You are offline, and this message was never opened on this device, so there is no copy of it here.';
      } else {
        error.value = (caught as Error).message;
      }
      status.value = 'error';
    }
  }

  function close(): void {
    seq++;
    openId.value = null;
    message.value = null;
    html.value = null;
    searchTerms.value = [];
    status.value = 'idle';
    error.value = null;
  }

  /** Flags of the open message changed (here or elsewhere), if it is among `targets`. */
  function patch(targets: Iterable<string>, change: OpenChange): void {
    const current = message.value;
    if (current && new Set(targets).has(current.id)) message.value = { ...current, ...change };
  }

  /** Shows the open message's remote images this once (the server proxies them). */
  async function showImages(): Promise<void> {
    const current = message.value;
    if (!current) return;
    const mine = seq;
    const found = await endpoints.get(current.id, { images: true });
    const prepared = await present(found);
    if (mine !== seq) return;
    message.value = found;
    html.value = prepared;
  }

  /** Always shows remote images from the open message's sender; this one at once. */
  async function trustSender(): Promise<void> {
    const current = message.value;
    if (!current) return;
    await endpoints.trustSender(current.id);
    await showImages();
  }

  /** Stops showing the sender's remote images without asking; the open message hides them. */
  async function untrustSender(): Promise<void> {
    const current = message.value;
    if (!current) return;
    await endpoints.untrustSender(current.id);
    await open(current.id, openedFrom);
  }

  /** Downloads the whole of a message stored headers-only, then shows it. */
  async function fetchFull(): Promise<void> {
    const current = message.value;
    if (!current) return;
    await endpoints.fetchFull(current.id);
    await open(current.id, openedFrom);
  }

  return {
    openId,
    message,
    html,
    searchTerms,
    status,
    error,
    fromCache,
    open,
    close,
    patch,
    showImages,
    trustSender,
    untrustSender,
    fetchFull,
  };
});
