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

  return { markRead, markUnread, setFlag, trash, restore };
}
