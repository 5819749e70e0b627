import type { OutboxItemOut } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api } from '../api/client';
import { outboxApi } from '../api/endpoints';
import { useDraftsStore } from './drafts';
import { useUiStore } from './ui';

/** Why a message did not go, in a few words for a toast or a chip. */
export function notSentReason(item: OutboxItemOut): string {
  const rejected = item.rejectedRecipients.map((r) => r.address).join(', ');
  const reply = item.lastReply?.trim();
  if (reply) return reply;
  if (rejected) return `refused for ${rejected}`;
  switch (item.lastErrorCode) {
    case 'AUTH_FAILED':
      return 'the sending server rejected the user name or password';
    case 'TLS_UNTRUSTED':
      return "the sending server's certificate is not trusted";
    case 'NETWORK':
      return 'the sending server could not be reached';
    default:
      return item.lastErrorCode ?? 'the sending server refused it';
  }
}

/** What the outbox shows for a message: its state in words, and what can be done. */
export function outboxChip(item: OutboxItemOut, now = Date.now()) {
  switch (item.status) {
    case 'queued':
      return Date.parse(item.undoUntil) > now
        ? { label: 'Queued — undo', tone: 'busy' as const }
        : { label: item.attempts > 0 ? 'Waiting to retry' : 'Queued', tone: 'busy' as const };
    case 'sending':
      return { label: 'Sending…', tone: 'busy' as const };
    case 'sent':
      return { label: 'Sent', tone: 'ok' as const };
    case 'failed':
      return { label: `Not sent: ${notSentReason(item)}`, tone: 'error' as const };
    case 'unknown':
      return { label: 'Unknown — may have been sent', tone: 'warn' as const };
    default:
      return { label: 'Cancelled', tone: 'idle' as const };
  }
}

/** What opens a draft again in the compose form (given by the compose store). */
export type ReopenDraft = (draftId: string) => void;

interface Tracked {
  toastId: number;
  draftId: string | null;
  reopen: ReopenDraft;
  undoTimer: ReturnType<typeof setTimeout> | null;
}

/**
 * The outbox: messages on their way (queued, sending), and those that did not go (failed,
 * unknown) until the user retries or discards them. It also follows each message the user just
 * sent with one toast: "Sending… Undo", then "Sent" or "Not sent: <reason> — Retry / Edit".
 */
export const useOutboxStore = defineStore('outbox', () => {
  const endpoints = outboxApi(api);
  const items = ref<OutboxItemOut[]>([]);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const tracked = new Map<string, Tracked>();

  /** What is still the user's concern: not sent, not cancelled. */
  const pending = computed(() =>
    items.value.filter((item) => item.status !== 'sent' && item.status !== 'cancelled'),
  );
  /** The Outbox folder shows only when it has something in it. */
  const visible = computed(() => pending.value.length > 0);

  async function load(): Promise<void> {
    try {
      items.value = (await endpoints.list()).items;
      error.value = null;
    } catch (caught) {
      error.value = (caught as Error).message;
    } finally {
      loaded.value = true;
    }
  }

  function put(item: OutboxItemOut): void {
    const index = items.value.findIndex((existing) => existing.id === item.id);
    if (index >= 0) {
      // Events may overtake a reply: an older state never replaces a newer one.
      if (items.value[index]!.updatedAt > item.updatedAt) return;
      items.value.splice(index, 1, item);
    } else {
      items.value.unshift(item);
    }
  }

  /** An outbox.status event (or a reply): the item's new state, and its toast. */
  function apply(item: OutboxItemOut): void {
    const before = items.value.find((existing) => existing.id === item.id)?.status;
    put(item);
    // A send that failed or was cancelled puts its draft back in Drafts.
    if (before !== item.status && (item.status === 'failed' || item.status === 'cancelled')) {
      void useDraftsStore().load();
    }
    const current = items.value.find((existing) => existing.id === item.id) ?? item;
    announce(current);
  }

  async function cancel(id: string): Promise<OutboxItemOut> {
    const item = await endpoints.cancel(id);
    apply(item);
    return item;
  }

  async function retry(id: string, reopen?: ReopenDraft): Promise<OutboxItemOut> {
    const item = await endpoints.retry(id);
    const previous = tracked.get(id);
    if (previous || reopen) {
      follow(item, previous?.reopen ?? reopen!, { undo: false });
    }
    apply(item);
    return item;
  }

  /**
   * Back to the editor: a message still waiting or refused leaves the outbox first (so that it
   * cannot go while it is edited), then its draft opens.
   */
  async function edit(item: OutboxItemOut, reopen: ReopenDraft): Promise<void> {
    let draftId = item.draftId ?? tracked.get(item.id)?.draftId ?? null;
    if (item.status === 'queued' || item.status === 'failed') {
      const cancelled = await endpoints.cancel(item.id);
      draftId = cancelled.draftId ?? draftId;
      const entry = tracked.get(item.id);
      if (entry) replace(entry, () => 0);
      tracked.delete(item.id);
      put(cancelled);
    }
    if (draftId) reopen(draftId);
  }

  /** Takes a message that did not go out of the outbox (it stays in Drafts to edit or delete). */
  async function discard(id: string): Promise<void> {
    await cancel(id);
  }

  // The toasts that follow a message the user just sent.
  function follow(item: OutboxItemOut, reopen: ReopenDraft, options: { undo: boolean }): void {
    const ui = useUiStore();
    const old = tracked.get(item.id);
    if (old) {
      ui.dismiss(old.toastId);
      if (old.undoTimer) clearTimeout(old.undoTimer);
    }
    const undoMs = Date.parse(item.undoUntil) - Date.now();
    const canUndo = options.undo && item.status === 'queued' && undoMs > 0;
    const entry: Tracked = { toastId: 0, draftId: item.draftId, reopen, undoTimer: null };
    tracked.set(item.id, entry);
    if (canUndo) {
      entry.toastId = ui.toast('Sending…', {
        action: { label: 'Undo', run: () => void undo(item.id) },
        timeout: 0,
      });
      // When the undo window closes, the toast stays as "Sending…" until the outcome.
      entry.undoTimer = setTimeout(() => {
        entry.undoTimer = null;
        if (tracked.get(item.id) !== entry) return;
        ui.dismiss(entry.toastId);
        entry.toastId = ui.toast('Sending…', { timeout: 0 });
      }, undoMs);
    } else {
      entry.toastId = ui.toast('Sending…', { timeout: 0 });
    }
  }

  /** Follows a message the user just sent: its toast, with Undo until `undoUntil`. */
  function trackSend(item: OutboxItemOut, reopen: ReopenDraft): void {
    put(item);
    follow(item, reopen, { undo: true });
  }

  async function undo(id: string): Promise<void> {
    const ui = useUiStore();
    const entry = tracked.get(id);
    if (!entry) return;
    if (entry.undoTimer) clearTimeout(entry.undoTimer);
    entry.undoTimer = null;
    ui.dismiss(entry.toastId);
    try {
      const item = await endpoints.cancel(id);
      tracked.delete(id);
      put(item);
      ui.toast('Sending undone. The message is back in the editor.');
      const draftId = item.draftId ?? entry.draftId;
      if (draftId) entry.reopen(draftId);
    } catch (caught) {
      // Too late (the sender took it): follow it to the end as before.
      entry.toastId = ui.toast(`Could not undo: ${(caught as Error).message}`, {
        kind: 'error',
        timeout: 0,
      });
    }
  }

  function announce(item: OutboxItemOut): void {
    const entry = tracked.get(item.id);
    if (!entry) return;
    const ui = useUiStore();
    const draftId = item.draftId ?? entry.draftId;
    const editAction = draftId
      ? [{ label: 'Edit', run: () => void edit(item, entry.reopen).catch(useUiStore().error) }]
      : [];
    switch (item.status) {
      case 'queued':
      case 'sending':
        return; // the "Sending…" toast is already there
      case 'sent':
        replace(entry, () => ui.toast('Sent', { timeout: 5000 }));
        tracked.delete(item.id);
        return;
      case 'failed':
        replace(entry, () =>
          ui.toast(`Not sent: ${notSentReason(item)}`, {
            kind: 'error',
            actions: [{ label: 'Retry', run: () => void retryFromToast(item.id) }, ...editAction],
            timeout: 0,
          }),
        );
        return;
      case 'unknown':
        replace(entry, () =>
          ui.toast('Unknown — the message may have been sent. See the Outbox.', {
            kind: 'error',
            timeout: 0,
          }),
        );
        return;
      case 'cancelled':
        replace(entry, () => 0);
        tracked.delete(item.id);
        return;
    }
  }

  function replace(entry: Tracked, show: () => number): void {
    const ui = useUiStore();
    if (entry.undoTimer) clearTimeout(entry.undoTimer);
    entry.undoTimer = null;
    ui.dismiss(entry.toastId);
    entry.toastId = show();
  }

  async function retryFromToast(id: string): Promise<void> {
    try {
      await retry(id);
    } catch (caught) {
      useUiStore().error(caught);
    }
  }

  function reset(): void {
    for (const entry of tracked.values()) if (entry.undoTimer) clearTimeout(entry.undoTimer);
    tracked.clear();
    items.value = [];
    loaded.value = false;
  }

  return {
    items,
    loaded,
    error,
    pending,
    visible,
    load,
    apply,
    cancel,
    retry,
    edit,
    discard,
    trackSend,
    reset,
  };
});
