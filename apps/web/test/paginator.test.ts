import { describe, expect, it } from 'vitest';
import { usePaginator, type Page } from '../src/composables/usePaginator';

interface Row {
  id: string;
  n: number;
}
const row = (n: number): Row => ({ id: `r${n}`, n });
/** Highest n first. */
const compare = (a: Row, b: Row) => b.n - a.n;
const ids = (rows: Row[]) => rows.map((r) => r.n);

/** Pages of `size` over `rows()`, the cursor an offset. */
function source(rows: () => Row[], size = 3) {
  const asked: (string | null)[] = [];
  const fetchPage = async (cursor: string | null): Promise<Page<Row>> => {
    asked.push(cursor);
    const start = Number(cursor ?? 0);
    const all = rows();
    return {
      items: all.slice(start, start + size),
      nextCursor: start + size < all.length ? String(start + size) : null,
    };
  };
  return { fetchPage, asked };
}

describe('usePaginator', () => {
  it('reads page after page, each item once even when pages overlap', async () => {
    let rows = [9, 8, 7, 6, 5, 4, 3].map(row);
    const { fetchPage, asked } = source(() => rows);
    const pages = usePaginator(fetchPage, { compare });
    expect(pages.state.value).toBe('idle');
    await pages.reload();
    expect(ids(pages.items.value)).toEqual([9, 8, 7]);
    // A new item at the head shifts the offsets: the next page starts with one already shown.
    rows = [row(10), ...rows];
    await pages.loadNext();
    expect(ids(pages.items.value)).toEqual([9, 8, 7, 6, 5]);
    await pages.loadNext();
    await pages.loadNext();
    expect(ids(pages.items.value)).toEqual([9, 8, 7, 6, 5, 4, 3]);
    expect(pages.hasMore.value).toBe(false);
    await pages.loadNext();
    expect(asked).toEqual([null, '3', '6']);
  });

  it('puts live items in order, once, and leaves ones past the loaded end to their page', async () => {
    const rows = [90, 80, 70, 60, 50].map(row);
    const pages = usePaginator(source(() => rows).fetchPage, { compare });
    expect(pages.insertLive([row(100)])).toEqual([]); // not loaded yet
    await pages.reload();
    const placed = pages.insertLive([row(75), row(100), row(10), row(80)]);
    expect(ids(placed)).toEqual([100, 75]);
    expect(ids(pages.items.value)).toEqual([100, 90, 80, 75, 70]);
    expect(pages.insertLive([row(100)])).toEqual([]);
    expect(pages.has('r75')).toBe(true);
  });

  it('drops the answer of a reload that a newer one replaced', async () => {
    let release!: () => void;
    let first = true;
    const pages = usePaginator(
      async (): Promise<Page<Row>> => {
        if (first) {
          first = false;
          await new Promise<void>((resolve) => (release = resolve));
          return { items: [row(1)], nextCursor: null };
        }
        return { items: [row(2)], nextCursor: null };
      },
      { compare },
    );
    const stale = pages.reload();
    const fresh = await pages.reload();
    release();
    expect(await stale).toBeNull();
    expect(fresh?.fallback).toBe(false);
    expect(ids(pages.items.value)).toEqual([2]);
  });

  it('falls back when the first page cannot be had, or says why', async () => {
    const failing = async (): Promise<Page<Row>> => {
      throw new Error('unreachable');
    };
    const kept = usePaginator(failing, {
      compare,
      fallback: async () => ({ items: [row(3)], nextCursor: null }),
    });
    expect((await kept.reload())?.fallback).toBe(true);
    expect(kept.state.value).toBe('ready');
    expect(ids(kept.items.value)).toEqual([3]);

    const bare = usePaginator(failing, { compare, fallback: async () => null });
    expect(await bare.reload()).toBeNull();
    expect(bare.state.value).toBe('error');
    expect(bare.error.value).toBe('unreachable');
  });

  it('merges a fresh first page into the list, keeping older items it cannot speak for', async () => {
    let rows = [9, 8, 7, 6, 5].map(row);
    const pages = usePaginator(source(() => rows).fetchPage, { compare });
    await pages.reload();
    await pages.loadNext();
    expect(ids(pages.items.value)).toEqual([9, 8, 7, 6, 5]);
    rows = [10, 9, 7, 6, 5].map(row);
    expect(await pages.refreshHead()).toBe(true);
    expect(ids(pages.items.value)).toEqual([10, 9, 7, 6, 5]);
  });

  it('takes items out and puts them back in place', async () => {
    const pages = usePaginator(source(() => [5, 4, 3].map(row)).fetchPage, { compare });
    await pages.reload();
    const taken = pages.remove(new Set(['r4', 'r3', 'r99']));
    expect(ids(taken)).toEqual([4, 3]);
    expect(pages.remove(new Set(['r99']))).toEqual([]);
    pages.merge(taken);
    expect(ids(pages.items.value)).toEqual([5, 4, 3]);
    pages.reset();
    expect(pages.state.value).toBe('idle');
    expect(pages.items.value).toEqual([]);
  });
});
