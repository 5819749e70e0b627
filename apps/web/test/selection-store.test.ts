import { beforeEach, describe, expect, it } from 'vitest';
import { useMessageListStore } from '../src/stores/message-list';
import { useSelectionStore } from '../src/stores/selection';
import { inbox, messageServer } from './support/message-server';

describe('the selection', () => {
  beforeEach(async () => {
    await messageServer();
  });

  it('selects ranges and everything loaded', async () => {
    const messages = useMessageListStore();
    const selection = useSelectionStore();
    await messages.show(inbox);
    selection.selectRange(messages.items[2]!.id, messages.items[5]!.id);
    expect(selection.ids.size).toBe(4);
    selection.selectAll();
    expect(selection.ids.size).toBe(100);
    selection.clear();
    expect(selection.ids.size).toBe(0);
  });

  it('starts empty in a new view, and keeps its ticks when the same view loads again', async () => {
    const messages = useMessageListStore();
    const selection = useSelectionStore();
    await messages.show(inbox);
    selection.toggle(messages.items[0]!.id);
    selection.toggle(messages.items[1]!.id);
    selection.toggle(messages.items[1]!.id);
    expect([...selection.ids]).toEqual([messages.items[0]!.id]);
    await messages.show(inbox, { force: true });
    expect(selection.ids.size).toBe(1);
    await messages.show({ ...inbox, unread: true });
    expect(selection.ids.size).toBe(0);
  });
});
