import { computed, ref, type Ref } from 'vue';

/** One page of a list, and where the next one starts (null: this was the last). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type PaginatorState = 'idle' | 'loading' | 'ready' | 'error';

export interface PaginatorOptions<T> {
  /** The list's order (the order pages come in): negative when `a` comes before `b`. */
  compare: (a: T, b: T) => number;
  /**
   * Where a first page comes from when it cannot be fetched (a copy kept offline); null when
   * there is none and the error stands.
   */
  fallback?: (error: unknown) => Promise<Page<T> | null>;
}

/** What a reload brought: the first page, and whether it came from the fallback. */
export interface Reloaded<T> {
  page: Page<T>;
  fallback: boolean;
}

/** Merges two lists sorted by `compare` into one. */
export function mergeSorted<T>(left: T[], right: T[], compare: (a: T, b: T) => number): T[] {
  const merged: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    merged.push(compare(left[i]!, right[j]!) <= 0 ? left[i++]! : right[j++]!);
  }
  while (i < left.length) merged.push(left[i++]!);
  while (j < right.length) merged.push(right[j++]!);
  return merged;
}

/**
 * A list read page by page (keyset cursors) that live items join as they arrive: each item
 * is in it once (by id), in the list's order. An answer for a list that was reloaded since
 * is dropped. Modelled on elk's usePaginator, with the live stream handed in as batches
 * (`insertLive`) by whoever listens to it.
 */
export function usePaginator<T extends { id: string }>(
  fetchPage: (cursor: string | null, signal?: AbortSignal) => Promise<Page<T>>,
  options: PaginatorOptions<T>,
) {
  const { compare, fallback } = options;
  const items = ref<T[]>([]) as Ref<T[]>;
  /** Ids in `items`, to merge pages and live items without scanning. */
  let ids = new Set<string>();
  const nextCursor = ref<string | null>(null);
  const state = ref<PaginatorState>('idle');
  const loadingMore = ref(false);
  const error = ref<string | null>(null);
  const hasMore = computed(() => nextCursor.value !== null);
  /** Bumped by every reload: an answer for an older generation is not this list's. */
  let generation = 0;
  let abort: AbortController | null = null;

  function replace(next: T[]): void {
    items.value = next;
    ids = new Set(next.map((item) => item.id));
  }

  const has = (id: string) => ids.has(id);

  /** Items of the list among `targets`. */
  function pick(targets: Iterable<string>): T[] {
    const wanted = new Set(targets);
    return items.value.filter((item) => wanted.has(item.id));
  }

  /** Starts over from the first page; answers what came, or null if a newer reload took over. */
  async function reload(): Promise<Reloaded<T> | null> {
    const seq = ++generation;
    abort?.abort();
    const controller = (abort = new AbortController());
    state.value = 'loading';
    error.value = null;
    loadingMore.value = false;
    replace([]);
    nextCursor.value = null;
    let page: Page<T> | null;
    let fromFallback = false;
    try {
      page = await fetchPage(null, controller.signal);
    } catch (caught) {
      if (seq !== generation || (caught as Error).name === 'AbortError') return null;
      page = fallback ? await fallback(caught) : null;
      if (seq !== generation) return null;
      if (!page) {
        error.value = (caught as Error).message;
        state.value = 'error';
        return null;
      }
      fromFallback = true;
    }
    if (seq !== generation) return null;
    replace(page.items);
    nextCursor.value = page.nextCursor;
    state.value = 'ready';
    return { page, fallback: fromFallback };
  }

  /** The next page, once at a time; what is already in the list is not added again. */
  async function loadNext(): Promise<void> {
    const cursor = nextCursor.value;
    if (!cursor || loadingMore.value || state.value !== 'ready') return;
    const seq = generation;
    loadingMore.value = true;
    try {
      const page = await fetchPage(cursor);
      if (seq !== generation) return;
      const fresh = page.items.filter((item) => !ids.has(item.id));
      for (const item of fresh) ids.add(item.id);
      items.value.push(...fresh);
      nextCursor.value = page.nextCursor;
    } catch (caught) {
      if (seq === generation) error.value = (caught as Error).message;
    } finally {
      if (seq === generation) loadingMore.value = false;
    }
  }

  /**
   * The first page again, merged into what is shown: new items in, known ones updated, and
   * those gone from the span the page covers taken out (older ones it cannot speak for stay).
   * Answers false when the page could not be had (the list stays as it was).
   */
  async function refreshHead(): Promise<boolean> {
    const seq = generation;
    let page: Page<T>;
    try {
      page = await fetchPage(null);
    } catch {
      return false;
    }
    if (seq !== generation) return false;
    const fresh = new Map(page.items.map((item) => [item.id, item]));
    const oldest = page.items[page.items.length - 1];
    const complete = page.nextCursor === null;
    const kept: T[] = [];
    for (const item of items.value) {
      const update = fresh.get(item.id);
      if (update) {
        Object.assign(item, update);
        fresh.delete(item.id);
        kept.push(item);
      } else if (complete || (oldest && compare(item, oldest) > 0)) {
        kept.push(item);
      }
    }
    replace(mergeSorted(kept, [...fresh.values()].sort(compare), compare));
    if (complete) nextCursor.value = null;
    return true;
  }

  /** Items into the list where they sort, those not in it yet; answers them. */
  function merge(rows: T[]): T[] {
    const fresh = rows.filter((item) => !ids.has(item.id)).sort(compare);
    if (fresh.length === 0) return [];
    for (const item of fresh) ids.add(item.id);
    const first = items.value[0];
    if (!first || fresh.every((item) => compare(item, first) < 0)) {
      items.value.unshift(...fresh);
    } else {
      items.value = mergeSorted(items.value, fresh, compare);
    }
    return fresh;
  }

  /**
   * Live items into the list, in order, each once. One that would sort after everything
   * loaded while pages remain is left for the page that holds it.
   */
  function insertLive(arrived: T[]): T[] {
    if (state.value !== 'ready') return [];
    const last = items.value[items.value.length - 1];
    return merge(arrived.filter((item) => !nextCursor.value || !last || compare(item, last) < 0));
  }

  /** Takes items out of the list; answers those that were in it, in list order. */
  function remove(gone: Set<string>): T[] {
    if (![...gone].some((id) => ids.has(id))) return [];
    const kept: T[] = [];
    const taken: T[] = [];
    for (const item of items.value) (gone.has(item.id) ? taken : kept).push(item);
    replace(kept);
    return taken;
  }

  /** Empties the list and forgets any answer still on its way. */
  function reset(): void {
    generation++;
    abort?.abort();
    replace([]);
    nextCursor.value = null;
    loadingMore.value = false;
    error.value = null;
    state.value = 'idle';
  }

  return {
    items,
    state,
    error,
    nextCursor,
    hasMore,
    loadingMore,
    has,
    pick,
    replace,
    reload,
    loadNext,
    refreshHead,
    merge,
    insertLive,
    remove,
    reset,
  };
}

export type Paginator<T extends { id: string }> = ReturnType<typeof usePaginator<T>>;
