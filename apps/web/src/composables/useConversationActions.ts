import { useConversationsStore } from '../stores/conversations';
import { useUiStore } from '../stores/ui';
import { useMessageActions } from './useMessageActions';

/**
 * The keyboard's actions on whole conversations (grouped list): on the ticked ones, else on the
 * one given (open or under the cursor). They go through the message routes with the
 * conversations' message ids; the list is fetched again afterwards.
 */
export function useConversationActions() {
  const conversations = useConversationsStore();
  const actions = useMessageActions();
  const ui = useUiStore();

  function targets(fallback: string | null): string[] {
    if (conversations.selected.size > 0) return [...conversations.selected];
    return fallback ? [fallback] : [];
  }

  /** Runs `work` on the messages of the target conversations; answers the conversations. */
  async function onMessages(
    fallback: string | null,
    work: (ids: string[]) => Promise<boolean>,
  ): Promise<string[]> {
    const ids = targets(fallback);
    if (ids.length === 0) return [];
    let messageIds: string[];
    try {
      messageIds = await conversations.messageIdsOf(ids);
    } catch (error) {
      ui.error(error);
      return [];
    }
    if (messageIds.length === 0 || !(await work(messageIds))) return [];
    conversations.clearSelected();
    await conversations.refresh();
    return ids;
  }

  return {
    trash: (fallback: string | null, inTrash: boolean) =>
      onMessages(fallback, (ids) => (inTrash ? actions.restore(ids) : actions.trash(ids))),
    markRead: (fallback: string | null) => onMessages(fallback, actions.markRead),
    markUnread: (fallback: string | null) => onMessages(fallback, actions.markUnread),
    /** Flags them all, or takes the flags off when every target is flagged already. */
    toggleFlag: (fallback: string | null) => {
      const ids = targets(fallback);
      const on = ids.some((id) => !conversations.items.find((item) => item.id === id)?.flagged);
      return onMessages(fallback, (messageIds) => actions.setFlag(messageIds, on));
    },
  };
}
