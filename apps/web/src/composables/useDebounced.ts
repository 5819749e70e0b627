import { onBeforeUnmount } from 'vue';

/** Calls `run` once `delayMs` have passed without another call; `flush` runs it now. */
export function debounce<A extends unknown[]>(run: (...args: A) => void, delayMs: number) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last: A | null = null;
  const call = (...args: A) => {
    last = args;
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, delayMs);
  };
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (last) {
      const args = last;
      last = null;
      run(...args);
    }
  };
  const cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    last = null;
  };
  return Object.assign(call, { flush, cancel });
}

/** A debounced function that is cancelled with the component. */
export function useDebounced<A extends unknown[]>(run: (...args: A) => void, delayMs: number) {
  const debounced = debounce(run, delayMs);
  onBeforeUnmount(debounced.cancel);
  return debounced;
}
