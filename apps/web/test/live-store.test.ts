import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import { useAccountsStore } from '../src/stores/accounts';
import { backoffMs, SESSION_ENDED_CLOSE, useLiveStore, type SocketLike } from '../src/stores/live';
import { useMessageListStore } from '../src/stores/message-list';
import { useUiStore } from '../src/stores/ui';
import { account, item, items } from './support/factories';
import { fakeApi } from './support/fake-api';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed = false;
  constructor(readonly url: string) {}
  open() {
    this.onopen?.(new Event('open'));
  }
  send(message: object) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(message) }));
  }
  drop(code = 1006) {
    this.onclose?.({ code } as CloseEvent);
  }
  close() {
    this.closed = true;
  }
}

describe('the live connection', () => {
  let sockets: FakeSocket[];
  let server: ReturnType<typeof fakeApi>;
  const rows = items(5);

  beforeEach(async () => {
    vi.useFakeTimers();
    setActivePinia(createPinia());
    api.resetCsrf();
    server = fakeApi({
      'GET /api/messages': { body: { items: rows, nextCursor: null } },
      'GET /api/accounts': { body: [account({ id: 'acc-1', unreadCount: 5 })] },
    });
    vi.stubGlobal('fetch', server.fetcher);
    sockets = [];
    const live = useLiveStore();
    live.configure({
      factory: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
    });
    useAccountsStore().accounts = [
      account({ id: 'acc-1', unreadCount: 5, lastSyncAt: '2026-01-01T00:00:00.000Z' }),
    ];
    await useMessageListStore().show({ mailbox: { kind: 'inbox' }, q: '', unread: false });
  });
  afterEach(() => {
    useLiveStore().stop();
    vi.useRealTimers();
  });

  it('connects to /api/events and goes live', () => {
    const live = useLiveStore();
    live.start();
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.url).toMatch(/^ws:\/\/[^/]+\/api\/events$/);
    sockets[0]!.open();
    sockets[0]!.send({ type: 'ready', lastEventId: '41' });
    expect(live.connection).toBe('live');
    expect(live.lastEventId).toBe('41');
  });

  it('puts new mail into the list in one batch, with one toast for the lot', async () => {
    const live = useLiveStore();
    const messages = useMessageListStore();
    const ui = useUiStore();
    live.start();
    sockets[0]!.open();
    const fresh = [
      item({ date: '2030-01-01T00:00:00.000Z' }),
      item({ date: '2030-01-02T00:00:00.000Z' }),
    ];
    sockets[0]!.send({ id: '42', type: 'message.new', payload: fresh[0] });
    sockets[0]!.send({ id: '43', type: 'message.new', payload: fresh[1] });
    expect(messages.items).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(200);
    expect(messages.items.slice(0, 2).map((row) => row.id)).toEqual([fresh[1]!.id, fresh[0]!.id]);
    expect(ui.toasts).toHaveLength(1);
    expect(ui.toasts[0]!.text).toBe('2 new messages');
    expect(live.lastEventId).toBe('43');
    expect(useAccountsStore().byId.get('acc-1')!.unreadCount).toBe(7);

    sockets[0]!.send({
      id: '44',
      type: 'message.new',
      payload: item({ date: '2030-01-03T00:00:00.000Z', subject: 'Hello' }),
    });
    await vi.advanceTimersByTimeAsync(200);
    expect(ui.toasts).toHaveLength(1);
    expect(ui.toasts[0]!.text).toBe('3 new messages');
  });

  it('announces nothing during an account’s first sync: its progress bar tells', async () => {
    const live = useLiveStore();
    useAccountsStore().accounts = [account({ id: 'acc-1', lastSyncAt: null })];
    live.start();
    sockets[0]!.open();
    sockets[0]!.send({ id: '1', type: 'message.new', payload: item({ accountId: 'acc-1' }) });
    await vi.advanceTimersByTimeAsync(200);
    expect(useMessageListStore().items).toHaveLength(6);
    expect(useUiStore().toasts).toHaveLength(0);
  });

  it('names the sender of a single new message and offers to open it', async () => {
    const opened: string[] = [];
    const live = useLiveStore();
    live.configure({ hooks: { openMessage: (id) => opened.push(id) } });
    live.start();
    sockets[0]!.open();
    const fresh = item({
      subject: 'Lunch?',
      from: { name: 'Grace', address: 'grace@example.com' },
    });
    sockets[0]!.send({ id: '1', type: 'message.new', payload: fresh });
    await vi.advanceTimersByTimeAsync(200);
    const toast = useUiStore().toasts[0]!;
    expect(toast.text).toBe('New message from Grace: Lunch?');
    toast.action!.run();
    expect(opened).toEqual([fresh.id]);
  });

  it('passes flag changes, sync progress and account states on', () => {
    const live = useLiveStore();
    const messages = useMessageListStore();
    const accounts = useAccountsStore();
    live.start();
    sockets[0]!.open();
    sockets[0]!.send({
      id: '5',
      type: 'message.updated',
      payload: { ids: [rows[0]!.id], flagged: true },
    });
    expect(messages.items[0]!.flagged).toBe(true);
    sockets[0]!.send({
      id: '6',
      type: 'sync.progress',
      payload: { accountId: 'acc-1', done: 3, total: 9, bytes: 100 },
    });
    expect(accounts.progress['acc-1']).toMatchObject({ done: 3, total: 9 });
    sockets[0]!.send({
      id: '7',
      type: 'account.status',
      payload: { accountId: 'acc-1', status: 'in_use' },
    });
    expect(accounts.byId.get('acc-1')!.status).toBe('in_use');
  });

  it('reconnects with growing waits and resumes after the last event seen', async () => {
    const live = useLiveStore();
    live.start();
    sockets[0]!.open();
    sockets[0]!.send({ id: '77', type: 'message.updated', payload: { ids: [], seen: true } });
    sockets[0]!.drop();
    expect(live.connection).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1300);
    expect(sockets).toHaveLength(2);
    expect(sockets[1]!.url).toMatch(/\/api\/events\?lastEventId=77$/);
    sockets[1]!.drop();
    await vi.advanceTimersByTimeAsync(1300);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1300);
    expect(sockets).toHaveLength(3);
    sockets[2]!.open();
    expect(live.connection).toBe('live');
    expect(live.attempts).toBe(0);
  });

  it('reloads the list and the accounts when the server says it cannot replay', async () => {
    const live = useLiveStore();
    live.start();
    sockets[0]!.open();
    const before = server.apiCalls().length;
    sockets[0]!.send({ type: 'resync', lastEventId: '900' });
    await vi.advanceTimersByTimeAsync(10);
    const after = server
      .apiCalls()
      .slice(before)
      .map((call) => call.url.split('?')[0]);
    expect(after).toContain('/api/accounts');
    expect(after).toContain('/api/messages');
    expect(live.lastEventId).toBe('900');
  });

  it('waits for the network instead of retrying offline, and tries at once when it returns', async () => {
    const live = useLiveStore();
    live.start();
    sockets[0]!.open();
    live.setOnline(false);
    sockets[0]!.drop();
    expect(live.connection).toBe('offline');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    live.setOnline(true);
    expect(sockets).toHaveLength(2);
  });

  it('stops and reports a session that ended', () => {
    const sessionEnded = vi.fn();
    const live = useLiveStore();
    live.configure({ hooks: { sessionEnded } });
    live.start();
    sockets[0]!.open();
    sockets[0]!.drop(SESSION_ENDED_CLOSE);
    expect(sessionEnded).toHaveBeenCalled();
    expect(live.connection).toBe('idle');
  });

  it('backs off from 1 s to 30 s', () => {
    expect(backoffMs(0, () => 0.5)).toBe(1000);
    expect(backoffMs(3, () => 0.5)).toBe(8000);
    expect(backoffMs(20, () => 0.5)).toBe(30_000);
  });
});
