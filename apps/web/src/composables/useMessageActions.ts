import type { PermanentDeletion } from '@popgate/contracts';
import { useMessageChangesStore } from '../stores/message-changes';
import { useUiStore } from '../stores/ui';

const plural = (count: number, one: string, many: string) =>
  count === 1 ? one : `${count} ${many}`;

/**
 * What the user does to messages, with the feedback they expect: a toast, an Undo for the
 * trash, and the error in words when the server refuses.
 */
export function useMessageActions() {
  const messages = useMessageChangesStore();
  const ui = useUiStore();

  async function guard(work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      ui.error(error);
      return false;
    }
  }

  const markRead = (ids: string[]) => guard(() => messages.setSeen(ids, true));
  const markUnread = (ids: string[]) => guard(() => messages.setSeen(ids, false));
  const setFlag = (ids: string[], flagged: boolean) =>
    guard(() => messages.setFlagged(ids, flagged));

  async function trash(ids: string[]): Promise<boolean> {
    if (ids.length === 0) return false;
    const ok = await guard(() => messages.trash(ids));
    if (ok) {
      ui.toast(`${plural(ids.length, 'Message', 'messages')} moved to Trash.`, {
        action: { label: 'Undo', run: () => void restore(ids, { quiet: true }) },
      });
    }
    return ok;
  }

  async function restore(ids: string[], options: { quiet?: boolean } = {}): Promise<boolean> {
    if (ids.length === 0) return false;
    const ok = await guard(() => messages.restore(ids));
    if (ok && !options.quiet) {
      ui.toast(`${plural(ids.length, 'Message', 'messages')} restored to the inbox.`);
    }
    return ok;
  }

  /** After the user confirmed: gone for good, and what became of the server copies. */
  function deletedToast(done: PermanentDeletion): void {
    const count = done.ids.length;
    if (count === 0) {
      ui.toast('Nothing was deleted: the Trash no longer held those messages.');
      return;
    }
    const parts = [`${plural(count, 'Message', 'messages')} deleted permanently.`];
    const fromServer = done.deleteFromServer.length;
    if (fromServer === 1) parts.push('1 server copy is deleted at the next check.');
    else if (fromServer > 1)
      parts.push(`${fromServer} server copies are deleted at the next check.`);
    ui.toast(parts.join(' '));
  }

  async function deletePermanently(ids: string[]): Promise<boolean> {
    if (ids.length === 0) return false;
    return guard(async () => deletedToast(await messages.deletePermanently(ids)));
  }

  const emptyTrash = () => guard(async () => deletedToast(await messages.emptyTrash()));

  return { markRead, markUnread, setFlag, trash, restore, deletePermanently, emptyTrash };
}
