import { computed, type Ref } from 'vue';

export interface VirtualRange {
  /** First row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
  /** Space above the first rendered row, in pixels. */
  offset: number;
  /** Height of all rows together, in pixels. */
  total: number;
}

/** The rows of a list of fixed-height rows that are in view, plus `overscan` on each side. */
export function virtualRange(
  count: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
  overscan: number,
): VirtualRange {
  const total = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, total };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, total - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + Math.max(viewportHeight, rowHeight)) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, last + overscan);
  return { start, end, offset: start * rowHeight, total };
}

/** The scroll position that brings row `index` into view, moving as little as possible. */
export function scrollTopFor(
  index: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

export function useVirtualRange(
  count: Ref<number>,
  rowHeight: Ref<number>,
  scrollTop: Ref<number>,
  viewportHeight: Ref<number>,
  overscan: Ref<number>,
) {
  return computed(() =>
    virtualRange(
      count.value,
      rowHeight.value,
      scrollTop.value,
      viewportHeight.value,
      overscan.value,
    ),
  );
}
