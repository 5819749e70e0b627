import { describe, expect, it, vi } from 'vitest';
import {
  createShortcutHandler,
  isTyping,
  SHORTCUT_HELP,
} from '../src/composables/useKeyboardShortcuts';

function press(key: string, target: EventTarget = document.body, init: KeyboardEventInit = {}) {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  Object.defineProperty(event, 'target', { value: target });
  return event;
}

describe('keyboard shortcuts', () => {
  function setup(enabled = () => true) {
    let now = 0;
    const calls: string[] = [];
    const bind = (name: string) => () => calls.push(name);
    const handler = createShortcutHandler(
      {
        j: bind('next'),
        k: bind('previous'),
        '#': bind('trash'),
        '?': bind('help'),
        Enter: bind('open'),
        'g i': bind('inbox'),
        U: bind('unread'),
      },
      { enabled, now: () => now },
    );
    return { handler, calls, advance: (ms: number) => (now += ms) };
  }

  it('runs the action of a key and keeps the browser from doing anything else with it', () => {
    const { handler, calls } = setup();
    const event = press('j');
    expect(handler(event)).toBe(true);
    expect(event.defaultPrevented).toBe(true);
    handler(press('#'));
    handler(press('?'));
    handler(press('U', document.body, { shiftKey: true }));
    expect(calls).toEqual(['next', 'trash', 'help', 'unread']);
  });

  it('leaves typing alone', () => {
    const { handler, calls } = setup();
    const input = document.createElement('input');
    const textarea = document.createElement('textarea');
    const editable = document.createElement('div');
    editable.contentEditable = 'true';
    document.body.append(editable);
    expect(handler(press('j', input))).toBe(false);
    expect(handler(press('j', textarea))).toBe(false);
    expect(isTyping(editable)).toBe(true);
    expect(calls).toEqual([]);
    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    expect(handler(press('j', checkbox))).toBe(true);
  });

  it('leaves Ctrl, Alt and Meta combinations to the browser', () => {
    const { handler, calls } = setup();
    handler(press('k', document.body, { ctrlKey: true }));
    handler(press('k', document.body, { metaKey: true }));
    handler(press('k', document.body, { altKey: true }));
    expect(calls).toEqual([]);
  });

  it('leaves Enter on a button or link to that button or link', () => {
    const { handler, calls } = setup();
    expect(handler(press('Enter', document.createElement('button')))).toBe(false);
    expect(handler(press('Enter', document.createElement('a')))).toBe(false);
    expect(handler(press('Enter'))).toBe(true);
    expect(calls).toEqual(['open']);
  });

  it('takes "g" then "i" as one shortcut, within a second and a half', () => {
    const { handler, calls, advance } = setup();
    handler(press('g'));
    advance(500);
    handler(press('i'));
    expect(calls).toEqual(['inbox']);
    handler(press('g'));
    advance(2000);
    handler(press('j'));
    expect(calls).toEqual(['inbox', 'next']);
  });

  it('does nothing while disabled (a dialog is open)', () => {
    const enabled = vi.fn(() => false);
    const { handler, calls } = setup(enabled);
    handler(press('j'));
    expect(calls).toEqual([]);
  });

  it('documents the shortcuts the issue asks for', () => {
    const keys = SHORTCUT_HELP.flatMap((shortcut) => shortcut.keys);
    for (const key of ['j', 'k', 'o', 'Enter', 'u', 's', '#', '/', '?', 'g', 'i']) {
      expect(keys).toContain(key);
    }
  });
});
