import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { useMessageListStore } from './message-list';

/** The messages ticked in the list; a new view starts with none. */
export const useSelectionStore = defineStore('selection', () => {
  const list = useMessageListStore();
  const ids = ref(new Set<string>());

  watch(
    () => list.key,
    () => clear(),
    { flush: 'sync' },
  );

  function toggle(id: string, on?: boolean): void {
    const next = new Set(ids.value);
    if (on ?? !next.has(id)) next.add(id);
    else next.delete(id);
    ids.value = next;
  }

  /** Shift-click: everything between the last clicked row and this one. */
  function selectRange(fromId: string, toId: string): void {
    const from = list.items.findIndex((item) => item.id === fromId);
    const to = list.items.findIndex((item) => item.id === toId);
    if (from < 0 || to < 0) return toggle(toId, true);
    const next = new Set(ids.value);
    for (let i = Math.min(from, to); i <= Math.max(from, to); i++) next.add(list.items[i]!.id);
    ids.value = next;
  }

  function selectAll(): void {
    ids.value = new Set(list.items.map((item) => item.id));
  }

  function clear(): void {
    if (ids.value.size > 0) ids.value = new Set();
  }

  /** Messages that left the list leave the selection. */
  function drop(gone: Set<string>): void {
    const keep = new Set([...ids.value].filter((id) => !gone.has(id)));
    if (keep.size !== ids.value.size) ids.value = keep;
  }

  return { ids, toggle, selectRange, selectAll, clear, drop };
});
