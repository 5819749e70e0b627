import type { MessageListItem, PermanentDeletion, ServerEvent } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { api, ApiError } from '../api/client';
import { messagesApi } from '../api/endpoints';
import { offlineDb } from '../lib/offline-db';
import { useAccountsStore } from './accounts';
import { useMessageListStore } from './message-list';
import { useReaderStore, type OpenChange } from './reader';
import { useSelectionStore } from './selection';

export type MessageUpdate = Extract<ServerEvent, { type: 'message.updated' }>['payload'];

type Flag = 'seen' | 'flagged';

/** Sends one request per message, a few at a time (for a server without the bulk routes). */
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

/**
 * Changes to messages: made here (on screen at once, undone if the server refuses) or told by
 * events (new mail, flags changed in another tab or on another device). They reach the list,
 * the selection, the open message, the offline copy and the accounts' counts.
 */
export const useMessageChangesStore = defineStore('message-changes', () => {
  const endpoints = messagesApi(api);
  const accounts = useAccountsStore();
  const list = useMessageListStore();
  const selection = useSelectionStore();
  const reader = useReaderStore();

  /** The unread count follows a message read or unread. */
  function countSeen(row: Pick<MessageListItem, 'accountId' | 'seen'>, seen: boolean): void {
    if (row.seen !== seen) accounts.applyCountDelta(row.accountId, { unread: seen ? -1 : 1 });
  }

  /** Messages that left the view (to or from the trash) leave the list and the selection. */
  function leave(gone: Set<string>): void {
    list.take(gone);
    selection.drop(gone);
  }

  /** New messages from the server (live); answers those not known yet. */
  function applyNew(arrived: MessageListItem[]): MessageListItem[] {
    const unknown = list.applyNew(arrived);
    for (const item of unknown) {
      accounts.applyCountDelta(item.accountId, { total: 1, unread: item.seen ? 0 : 1 });
    }
    return unknown;
  }

  /** Flags changed here, in another tab or on another device. */
  function applyUpdated(update: MessageUpdate): void {
    const target = new Set(update.ids);
    const change: OpenChange = {};
    if (update.seen !== undefined) change.seen = update.seen;
    if (update.flagged !== undefined) change.flagged = update.flagged;
    if (update.trashed !== undefined) change.trashed = update.trashed;
    for (const item of list.pick(target)) {
      if (update.seen !== undefined) {
        countSeen(item, update.seen);
        item.seen = update.seen;
      }
      if (update.flagged !== undefined) item.flagged = update.flagged;
    }
    reader.patch(target, change);
    // Deleted permanently (here, in another tab or on another device): gone from every list.
    if (update.deleted) leave(target);
    if (update.trashed !== undefined) {
      // Leaving this view, or arriving in it from elsewhere (another tab, another device).
      if (update.trashed !== list.inTrash) leave(target);
      else if (!update.ids.every((id) => list.has(id))) void list.refreshHead();
    }
    for (const id of update.ids) void offlineDb.updateMessage(id, change);
    accounts.scheduleRefresh();
  }

  async function patchMany(targets: string[], change: { seen?: boolean; flagged?: boolean }) {
    if (targets.length === 1) await endpoints.patch(targets[0]!, change);
    else {
      for (let i = 0; i < targets.length; i += 1000) {
        await endpoints.patchMany({ ids: targets.slice(i, i + 1000), ...change });
      }
    }
  }

  /** Seen or flagged, on the rows of the list and the open message: at once, undone if refused. */
  async function setFlag(targets: string[], flag: Flag, value: boolean): Promise<void> {
    if (targets.length === 0) return;
    const open = reader.message && targets.includes(reader.message.id) ? reader.message : null;
    const rows = list.pick(targets);
    // The open message may not be in the list (opened from a link): a copy of it counts then.
    if (open && !list.has(open.id)) rows.push({ ...open });
    const before = rows.map((row) => [row, row[flag]] as const);
    const setAll = (to: (was: boolean) => boolean) => {
      for (const [row, was] of before) {
        if (flag === 'seen') countSeen(row, to(was));
        row[flag] = to(was);
      }
    };
    setAll(() => value);
    if (open) reader.patch([open.id], { [flag]: value });
    try {
      await patchMany(targets, { [flag]: value });
    } catch (caught) {
      setAll((was) => was);
      if (open) reader.patch([open.id], { [flag]: open[flag] });
      throw caught;
    }
  }

  const setSeen = (targets: string[], seen: boolean) => setFlag(targets, 'seen', seen);
  const setFlagged = (targets: string[], flagged: boolean) => setFlag(targets, 'flagged', flagged);

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
    const leaving = trashed !== list.inTrash;
    const snapshot = list.items.slice();
    let moved: MessageListItem[];
    if (leaving) {
      moved = list.pick(targets);
      leave(new Set(targets));
    } else {
      list.putBack(targets);
      moved = list.pick(targets);
    }
    const sign = trashed ? -1 : 1;
    for (const item of moved) {
      accounts.applyCountDelta(item.accountId, { total: sign, unread: item.seen ? 0 : sign });
    }
    reader.patch(targets, { trashed });
    try {
      await sendTrash(targets, trashed);
    } catch (caught) {
      if (leaving) list.replace(snapshot);
      accounts.scheduleRefresh(0);
      throw caught;
    } finally {
      accounts.scheduleRefresh();
    }
  }

  const trash = (targets: string[]) => moveTrash(targets, true);
  const restore = (targets: string[]) => moveTrash(targets, false);

  /** Deletes trashed messages permanently (the server answers which); they leave the list. */
  async function deletePermanently(targets: string[]): Promise<PermanentDeletion> {
    const done = await endpoints.deletePermanently(targets);
    leave(new Set(done.ids));
    return done;
  }

  /** Empties the Trash: every trashed message deleted permanently. */
  async function emptyTrash(): Promise<PermanentDeletion> {
    const done = await endpoints.emptyTrash();
    leave(new Set(done.ids));
    return done;
  }

  return {
    applyNew,
    applyUpdated,
    setSeen,
    setFlagged,
    trash,
    restore,
    deletePermanently,
    emptyTrash,
  };
});
