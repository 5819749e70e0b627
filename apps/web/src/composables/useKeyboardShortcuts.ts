import { onBeforeUnmount, onMounted } from 'vue';

/** Keys as KeyboardEvent.key gives them ("j", "#", "?", "Enter"), or two in a row ("g i"). */
export type Bindings = Record<string, (event: KeyboardEvent) => void>;

const TYPING = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
/** Elements that do something with Enter and Space themselves. */
const ACTIVATABLE = new Set(['A', 'BUTTON', 'INPUT', 'TEXTAREA', 'SELECT', 'SUMMARY']);

export function isTyping(target: EventTarget | null): boolean {
  if (!target || !(target instanceof Element)) return false;
  if (TYPING.has(target.tagName)) {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
  }
  return (target as HTMLElement).isContentEditable || target.closest('[contenteditable]') !== null;
}

/**
 * Turns keydown events into shortcut calls, Gmail style: single keys and "g" sequences, never
 * while typing in a field or with Ctrl, Alt or Meta held (those belong to the browser).
 */
export function createShortcutHandler(
  bindings: Bindings,
  options: { enabled?: () => boolean; sequenceMs?: number; now?: () => number } = {},
) {
  const sequenceMs = options.sequenceMs ?? 1500;
  const now = options.now ?? (() => Date.now());
  let prefix: { key: string; at: number } | null = null;
  const prefixes = new Set(
    Object.keys(bindings)
      .filter((combo) => combo.includes(' '))
      .map((combo) => combo.split(' ')[0]!),
  );

  return (event: KeyboardEvent): boolean => {
    if (event.defaultPrevented || event.isComposing) return false;
    if (event.ctrlKey || event.metaKey || event.altKey) return false;
    if (options.enabled && !options.enabled()) return false;
    if (isTyping(event.target)) return false;
    const key = event.key;
    if ((key === 'Enter' || key === ' ') && event.target instanceof Element) {
      if (ACTIVATABLE.has(event.target.tagName) || event.target.closest('[role="button"]')) {
        return false;
      }
    }
    if (prefix && now() - prefix.at <= sequenceMs) {
      const combo = `${prefix.key} ${key}`;
      prefix = null;
      const action = bindings[combo];
      if (action) {
        event.preventDefault();
        action(event);
        return true;
      }
      return false;
    }
    prefix = null;
    if (prefixes.has(key)) {
      prefix = { key, at: now() };
      event.preventDefault();
      return true;
    }
    const action = bindings[key];
    if (!action) return false;
    event.preventDefault();
    action(event);
    return true;
  };
}

/** Listens for the shortcuts while the calling component is mounted. */
export function useKeyboardShortcuts(
  bindings: Bindings,
  options: { enabled?: () => boolean } = {},
) {
  const handler = createShortcutHandler(bindings, options);
  const listener = (event: KeyboardEvent) => void handler(event);
  onMounted(() => window.addEventListener('keydown', listener));
  onBeforeUnmount(() => window.removeEventListener('keydown', listener));
  return handler;
}

/** What the help overlay lists. */
export const SHORTCUT_HELP: { keys: string[]; what: string }[] = [
  { keys: ['j'], what: 'Next message' },
  { keys: ['k'], what: 'Previous message' },
  { keys: ['o', 'Enter'], what: 'Open the message' },
  { keys: ['u'], what: 'Back to the list' },
  { keys: ['x'], what: 'Select or unselect the message' },
  { keys: ['s'], what: 'Flag or unflag' },
  { keys: ['Shift+i'], what: 'Mark as read' },
  { keys: ['Shift+u'], what: 'Mark as unread' },
  { keys: ['#'], what: 'Move to Trash (restore, in Trash)' },
  { keys: ['c'], what: 'Write a new message' },
  { keys: ['r'], what: 'Reply' },
  { keys: ['a'], what: 'Reply all' },
  { keys: ['f'], what: 'Forward' },
  { keys: ['Ctrl+Enter'], what: 'Send the message being written' },
  { keys: ['/'], what: 'Search' },
  { keys: ['g', 'i'], what: 'Go to the inbox' },
  { keys: ['g', 's'], what: 'Go to flagged messages' },
  { keys: ['g', 't'], what: 'Go to Trash' },
  { keys: ['g', 'a'], what: 'Go to accounts' },
  { keys: ['?'], what: 'Show this help' },
  { keys: ['Esc'], what: 'Close a dialog, clear the selection' },
];
