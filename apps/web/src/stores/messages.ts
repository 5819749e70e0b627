import type {
  MessageDetail,
  MessageListItem,
  MessageListQuery,
  ServerEvent,
} from '@popgate/contracts';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { api, ApiError } from '../api/client';
import { messagesApi } from '../api/endpoints';
import { prepareMailHtml } from '../lib/mail-html';
import { offlineDb } from '../lib/offline-db';
import { useAccountsStore } from './accounts';

export type Mailbox =
  | { kind: 'inbox' }
  | { kind: 'flagged' }
  | { kind: 'trash' }
  | { kind: 'account'; accountId: string };

/** What the message list shows: a mailbox, maybe searched, maybe only unread. */
export interface ListView {
  mailbox: Mailbox;
  q: string;
  unread: boolean;
}

export type MessageUpdate = Extract<ServerEvent, { type: 'message.updated' }>['payload'];

export const PAGE_SIZE = 100;

export function viewKey(view: ListView): string {
  const box =
    view.mailbox.kind === 'account' ? `account:${view.mailbox.accountId}` : view.mailbox.kind;
  return `${box}|${view.unread ? 'unread' : 'all'}|${view.q.trim()}`;
}

export function viewQuery(view: ListView): MessageListQuery {
  const query: MessageListQuery = {};
  if (view.mailbox.kind === 'account') query.accountId = view.mailbox.accountId;
  if (view.mailbox.kind === 'flagged') query.flagged = true;
  if (view.mailbox.kind === 'trash') query.trash = true;
  if (view.q.trim()) query.q = view.q.trim();
  if (view.unread) query.unread = true;
  return query;
}

/** Whether a message that just arrived belongs in a view (a search is the server's to decide). */
export function belongsTo(view: ListView, item: MessageListItem): boolean {
  if (view.q.trim()) return false;
  if (view.unread && item.seen) return false;
  switch (view.mailbox.kind) {
    case 'inbox':
      return true;
    case 'flagged':
      return item.flagged;
    case 'trash':
      return false;
    case 'account':
      return item.accountId === view.mailbox.accountId;
  }
}

const time = (item: MessageListItem) => {
  const value = Date.parse(item.date);
  return Number.isNaN(value) ? 0 : value;
};
/** Newest first, as the server pages them; ties by id. */
export function newerFirst(a: MessageListItem, b: MessageListItem): number {
  return time(b) - time(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Merges two lists sorted newest first into one. */
function mergeSorted(left: MessageListItem[], right: MessageListItem[]): MessageListItem[] {
  const merged: MessageListItem[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    merged.push(newerFirst(left[i]!, right[j]!) <= 0 ? left[i++]! : right[j++]!);
  }
  while (i < left.length) merged.push(left[i++]!);
  while (j < right.length) merged.push(right[j++]!);
  return merged;
}

type Status = 'idle' | 'loading' | 'ready' | 'error';

/**
 * The message list (keyset pages of the current view, merged with live events), the selection
 * and the open message.
 */
export const useMessagesStore = defineStore('messages', () => {
  const endpoints = messagesApi(api);
  const accounts = useAccountsStore();

  const view = ref<ListView>({ mailbox: { kind: 'inbox' }, q: '', unread: false });
  const key = computed(() => viewKey(view.value));
  const items = ref<MessageListItem[]>([]);
  /** Ids in `items`, to merge pages and events without scanning. */
  let ids = new Set<string>();
  const nextCursor = ref<string | null>(null);
  const status = ref<Status>('idle');
  const loadingMore = ref(false);
  const error = ref<string | null>(null);
  /** The list comes from this device's copy: the server could not be reached. */
  const listFromCache = ref(false);
  const selected = ref(new Set<string>());
  let listSeq = 0;
  let listAbort: AbortController | null = null;

  const hasMore = computed(() => nextCursor.value !== null);

  function setItems(next: MessageListItem[]): void {
    items.value = next;
    ids = new Set(next.map((item) => item.id));
  }

  /** Shows a view; reloads it only when it changes (or when asked to). */
  async function show(next: ListView, options: { force?: boolean } = {}): Promise<void> {
    const changed = viewKey(next) !== key.value;
    view.value = { ...next, mailbox: { ...next.mailbox } };
    if (!changed && !options.force && (status.value === 'ready' || status.value === 'loading')) {
      return;
    }
    if (changed) selected.value = new Set();
    await load();
  }

  async function load(): Promise<void> {
    const seq = ++listSeq;
    listAbort?.abort();
    const abort = (listAbort = new AbortController());
    const listKey = key.value;
    status.value = 'loading';
    error.value = null;
    loadingMore.value = false;
    setItems([]);
    nextCursor.value = null;
    try {
      const page = await endpoints.list(
        { ...viewQuery(view.value), limit: PAGE_SIZE },
        abort.signal,
      );
      if (seq !== listSeq) return;
      setItems(page.items);
      nextCursor.value = page.nextCursor;
      listFromCache.value = false;
      status.value = 'ready';
      void offlineDb.saveList(listKey, page.items);
    } catch (caught) {
      if (seq !== listSeq || (caught as Error).name === 'AbortError') return;
      if (caught instanceof ApiError && caught.isNetwork) {
        const saved = await offlineDb.list(listKey);
        if (seq !== listSeq) return;
        setItems(saved?.items ?? []);
        listFromCache.value = true;
        status.value = 'ready';
        return;
      }
      error.value = (caught as Error).message;
      status.value = 'error';
    }
  }

  /** The next keyset page, when the list is scrolled near its end. */
  async function loadMore(): Promise<void> {
    const cursor = nextCursor.value;
    if (!cursor || loadingMore.value || status.value !== 'ready') return;
    const seq = listSeq;
    loadingMore.value = true;
    try {
      const page = await endpoints.list({ ...viewQuery(view.value), cursor, limit: PAGE_SIZE });
      if (seq !== listSeq) return;
      const fresh = page.items.filter((item) => !ids.has(item.id));
      for (const item of fresh) ids.add(item.id);
      items.value.push(...fresh);
      nextCursor.value = page.nextCursor;
    } catch (caught) {
      if (seq === listSeq) error.value = (caught as Error).message;
    } finally {
      if (seq === listSeq) loadingMore.value = false;
    }
  }

  /**
   * Catches up after a dropped connection: the first page again, merged into what is shown
   * (new messages in, changed flags updated, messages gone from the head taken out).
   */
  async function refreshHead(): Promise<void> {
    // Search results come best match first: there is no head to merge into, so load again.
    if (status.value !== 'ready' || listFromCache.value || view.value.q.trim()) {
      await load();
      return;
    }
    const seq = listSeq;
    let page;
    try {
      page = await endpoints.list({ ...viewQuery(view.value), limit: PAGE_SIZE });
    } catch {
      return;
    }
    if (seq !== listSeq) return;
    const fresh = new Map(page.items.map((item) => [item.id, item]));
    const oldest = page.items[page.items.length - 1];
    const complete = page.nextCursor === null;
    const kept: MessageListItem[] = [];
    for (const item of items.value) {
      const update = fresh.get(item.id);
      if (update) {
        Object.assign(item, update);
        fresh.delete(item.id);
        kept.push(item);
      } else if (complete || (oldest && newerFirst(item, oldest) > 0)) {
        kept.push(item); // older than the page: not something the page can speak for
      }
    }
    setItems(mergeSorted(kept, [...fresh.values()].sort(newerFirst)));
    if (complete) nextCursor.value = null;
    void offlineDb.saveList(key.value, items.value);
  }

  /** New messages from the server (live): into the list where they belong, in date order. */
  function applyNew(arrived: MessageListItem[]): MessageListItem[] {
    const unknown = arrived.filter((item) => !ids.has(item.id));
    for (const item of unknown) {
      accounts.adjustCount(item.accountId, 1);
      if (!item.seen) accounts.adjustUnread(item.accountId, 1);
    }
    if (status.value !== 'ready') return unknown;
    const fitting = unknown.filter((item) => belongsTo(view.value, item)).sort(newerFirst);
    if (fitting.length === 0) return unknown;
    const last = items.value[items.value.length - 1];
    // Older than everything loaded while more pages remain: the page that holds it will come.
    const placeable = fitting.filter(
      (item) => !nextCursor.value || !last || newerFirst(item, last) < 0,
    );
    for (const item of placeable) ids.add(item.id);
    const first = items.value[0];
    if (!first || placeable.every((item) => newerFirst(item, first) < 0)) {
      items.value.unshift(...placeable);
    } else {
      items.value = mergeSorted(items.value, placeable);
    }
    return unknown;
  }

  /** Recently removed rows, to put back when the move is undone. */
  const removed = new Map<string, MessageListItem>();

  function removeFromList(gone: Set<string>): void {
    if (![...gone].some((id) => ids.has(id))) return;
    const kept: MessageListItem[] = [];
    for (const item of items.value) {
      if (!gone.has(item.id)) kept.push(item);
      else {
        removed.delete(item.id);
        removed.set(item.id, item);
      }
    }
    while (removed.size > 5000) removed.delete(removed.keys().next().value!);
    setItems(kept);
    const keep = new Set([...selected.value].filter((id) => !gone.has(id)));
    if (keep.size !== selected.value.size) selected.value = keep;
  }

  /** Flags changed here, in another tab or on another device. */
  function applyUpdated(update: MessageUpdate): void {
    const target = new Set(update.ids);
    for (const item of items.value) {
      if (!target.has(item.id)) continue;
      if (update.seen !== undefined && item.seen !== update.seen) {
        accounts.adjustUnread(item.accountId, update.seen ? -1 : 1);
        item.seen = update.seen;
      }
      if (update.flagged !== undefined) item.flagged = update.flagged;
    }
    const open = detail.value;
    if (open && target.has(open.id)) {
      detail.value = {
        ...open,
        ...(update.seen !== undefined && { seen: update.seen }),
        ...(update.flagged !== undefined && { flagged: update.flagged }),
        ...(update.trashed !== undefined && { trashed: update.trashed }),
      };
    }
    if (update.trashed !== undefined) {
      const inTrash = view.value.mailbox.kind === 'trash';
      // Leaving this view, or arriving in it from elsewhere (another tab, another device).
      if (update.trashed !== inTrash) removeFromList(target);
      else if (!update.ids.every((id) => ids.has(id))) void refreshHead();
    }
    for (const id of update.ids) {
      const change: Partial<MessageListItem & { trashed: boolean }> = {};
      if (update.seen !== undefined) change.seen = update.seen;
      if (update.flagged !== undefined) change.flagged = update.flagged;
      if (update.trashed !== undefined) change.trashed = update.trashed;
      void offlineDb.updateMessage(id, change);
    }
    accounts.scheduleRefresh();
  }

  // ---- the selection ----
  function toggleSelected(id: string, on?: boolean): void {
    const next = new Set(selected.value);
    if (on ?? !next.has(id)) next.add(id);
    else next.delete(id);
    selected.value = next;
  }
  /** Shift-click: everything between the last clicked row and this one. */
  function selectRange(fromId: string, toId: string): void {
    const from = items.value.findIndex((item) => item.id === fromId);
    const to = items.value.findIndex((item) => item.id === toId);
    if (from < 0 || to < 0) return toggleSelected(toId, true);
    const next = new Set(selected.value);
    for (let i = Math.min(from, to); i <= Math.max(from, to); i++) next.add(items.value[i]!.id);
    selected.value = next;
  }
  function selectAll(): void {
    selected.value = new Set(items.value.map((item) => item.id));
  }
  function clearSelection(): void {
    selected.value = new Set();
  }

  // ---- the open message ----
  const openId = ref<string | null>(null);
  const detail = shallowRef<MessageDetail | null>(null);
  /** The HTML body as prepared for the sandboxed frame. */
  const detailHtml = ref<string | null>(null);
  const detailStatus = ref<Status>('idle');
  const detailError = ref<string | null>(null);
  const detailFromCache = ref(false);
  let detailSeq = 0;

  async function present(found: MessageDetail): Promise<string | null> {
    const html = found.html ? await prepareMailHtml(found.html) : null;
    void offlineDb.saveMessage(found, html);
    return html;
  }

  async function open(id: string): Promise<void> {
    const seq = ++detailSeq;
    openId.value = id;
    if (detail.value?.id !== id) {
      detail.value = null;
      detailHtml.value = null;
    }
    detailStatus.value = 'loading';
    detailError.value = null;
    try {
      const found = await endpoints.get(id);
      const html = await present(found);
      if (seq !== detailSeq) return;
      detail.value = found;
      detailHtml.value = html;
      detailFromCache.value = false;
      detailStatus.value = 'ready';
      // Opening marks it read; if the server refuses, it simply stays unread.
      if (!found.seen) void setSeen([id], true).catch(() => {});
    } catch (caught) {
      if (seq !== detailSeq) return;
      if (caught instanceof ApiError && caught.isNetwork) {
        const saved = await offlineDb.message(id);
        if (seq !== detailSeq) return;
        if (saved) {
          detail.value = saved.detail;
          detailHtml.value = saved.html;
          detailFromCache.value = true;
          detailStatus.value = 'ready';
          return;
        }
        detailError.value =
          'You are offline, and this message was never opened on this device, so there is no copy of it here.';
      } else {
        detailError.value = (caught as Error).message;
      }
      detailStatus.value = 'error';
    }
  }

  function close(): void {
    detailSeq++;
    openId.value = null;
    detail.value = null;
    detailHtml.value = null;
    detailStatus.value = 'idle';
    detailError.value = null;
  }

  /** Shows the open message's remote images this once (the server proxies them). */
  async function showImages(): Promise<void> {
    const current = detail.value;
    if (!current) return;
    const seq = detailSeq;
    const found = await endpoints.get(current.id, { images: true });
    const html = await present(found);
    if (seq !== detailSeq) return;
    detail.value = found;
    detailHtml.value = html;
  }

  /** Always shows remote images from the open message's sender; this one at once. */
  async function trustSender(): Promise<void> {
    const current = detail.value;
    if (!current) return;
    await endpoints.trustSender(current.id);
    await showImages();
  }

  /** Stops showing the sender's remote images without asking; the open message hides them. */
  async function untrustSender(): Promise<void> {
    const current = detail.value;
    if (!current) return;
    await endpoints.untrustSender(current.id);
    await open(current.id);
  }

  /** Downloads the whole of a message stored headers-only, then shows it. */
  async function fetchFull(): Promise<void> {
    const current = detail.value;
    if (!current) return;
    await endpoints.fetchFull(current.id);
    await open(current.id);
  }

  // ---- changes: at once on screen, undone if the server refuses ----
  function itemsFor(targets: string[]): MessageListItem[] {
    const wanted = new Set(targets);
    return items.value.filter((item) => wanted.has(item.id));
  }

  async function patchMany(targets: string[], change: { seen?: boolean; flagged?: boolean }) {
    if (targets.length === 1) await endpoints.patch(targets[0]!, change);
    else {
      for (let i = 0; i < targets.length; i += 1000) {
        await endpoints.patchMany({ ids: targets.slice(i, i + 1000), ...change });
      }
    }
  }

  async function setSeen(targets: string[], seen: boolean): Promise<void> {
    if (targets.length === 0) return;
    const before = itemsFor(targets).map((item) => [item, item.seen] as const);
    const openBefore = detail.value && targets.includes(detail.value.id) ? detail.value.seen : null;
    for (const [item] of before) {
      if (item.seen !== seen) accounts.adjustUnread(item.accountId, seen ? -1 : 1);
      item.seen = seen;
    }
    if (openBefore !== null && detail.value) {
      // The open message may not be in the list (opened from a link): count it once.
      if (!ids.has(detail.value.id) && openBefore !== seen) {
        accounts.adjustUnread(detail.value.accountId, seen ? -1 : 1);
      }
      detail.value = { ...detail.value, seen };
    }
    try {
      await patchMany(targets, { seen });
    } catch (caught) {
      for (const [item, was] of before) {
        if (item.seen !== was) accounts.adjustUnread(item.accountId, was ? -1 : 1);
        item.seen = was;
      }
      if (openBefore !== null && detail.value) detail.value = { ...detail.value, seen: openBefore };
      throw caught;
    }
  }

  async function setFlagged(targets: string[], flagged: boolean): Promise<void> {
    if (targets.length === 0) return;
    const before = itemsFor(targets).map((item) => [item, item.flagged] as const);
    const openBefore =
      detail.value && targets.includes(detail.value.id) ? detail.value.flagged : null;
    for (const [item] of before) item.flagged = flagged;
    if (openBefore !== null && detail.value) detail.value = { ...detail.value, flagged };
    try {
      await patchMany(targets, { flagged });
    } catch (caught) {
      for (const [item, was] of before) item.flagged = was;
      if (openBefore !== null && detail.value) {
        detail.value = { ...detail.value, flagged: openBefore };
      }
      throw caught;
    }
  }

  /** One request per message, a few at a time (for a server without the bulk routes). */
  async function eachMessage(targets: string[], work: (id: string) => Promise<unknown>) {
    const queue = [...targets];
    const failures: unknown[] = [];
    await Promise.all(
      Array.from({ length: Math.min(6, queue.length) }, async () => {
        for (let id = queue.shift(); id; id = queue.shift()) {
          await work(id).catch((caught: unknown) => failures.push(caught));
        }
      }),
    );
    if (failures.length) throw failures[0];
  }

  let bulkTrashRoutes = true;
  async function sendTrash(targets: string[], trashed: boolean): Promise<void> {
    if (bulkTrashRoutes && targets.length > 1) {
      try {
        for (let i = 0; i < targets.length; i += 1000) {
          const ids = targets.slice(i, i + 1000);
          await (trashed ? endpoints.trashMany(ids) : endpoints.restoreMany(ids));
        }
        return;
      } catch (caught) {
        if (!(caught instanceof ApiError && caught.status === 404)) throw caught;
        bulkTrashRoutes = false;
      }
    }
    await eachMessage(targets, (id) => (trashed ? endpoints.trash(id) : endpoints.restore(id)));
  }

  /** Moves messages to or from the trash; they leave the list they no longer belong to. */
  async function moveTrash(targets: string[], trashed: boolean): Promise<void> {
    if (targets.length === 0) return;
    const inTrash = view.value.mailbox.kind === 'trash';
    const leaving = trashed !== inTrash;
    const snapshot = items.value.slice();
    const moved = itemsFor(targets);
    if (leaving) removeFromList(new Set(targets));
    else {
      // Back into the view it left (an undo): put the rows back where they were.
      const back = targets
        .map((id) => removed.get(id))
        .filter((item): item is MessageListItem => !!item && !ids.has(item.id));
      for (const item of back) ids.add(item.id);
      if (back.length) items.value = mergeSorted(items.value, back.sort(newerFirst));
    }
    for (const item of moved) {
      accounts.adjustCount(item.accountId, trashed ? -1 : 1);
      if (!item.seen) accounts.adjustUnread(item.accountId, trashed ? -1 : 1);
    }
    if (detail.value && targets.includes(detail.value.id)) {
      detail.value = { ...detail.value, trashed };
    }
    try {
      await sendTrash(targets, trashed);
    } catch (caught) {
      if (leaving) setItems(snapshot);
      accounts.scheduleRefresh(0);
      throw caught;
    } finally {
      accounts.scheduleRefresh();
    }
  }

  const trash = (targets: string[]) => moveTrash(targets, true);
  const restore = (targets: string[]) => moveTrash(targets, false);

  /** Everything of the signed-out user goes. */
  function reset(): void {
    listSeq++;
    detailSeq++;
    listAbort?.abort();
    setItems([]);
    nextCursor.value = null;
    status.value = 'idle';
    selected.value = new Set();
    close();
  }

  return {
    view,
    key,
    items,
    nextCursor,
    hasMore,
    status,
    loadingMore,
    error,
    listFromCache,
    selected,
    show,
    load,
    loadMore,
    refreshHead,
    applyNew,
    applyUpdated,
    toggleSelected,
    selectRange,
    selectAll,
    clearSelection,
    openId,
    detail,
    detailHtml,
    detailStatus,
    detailError,
    detailFromCache,
    open,
    close,
    showImages,
    trustSender,
    untrustSender,
    fetchFull,
    setSeen,
    setFlagged,
    trash,
    restore,
    reset,
  };
});
