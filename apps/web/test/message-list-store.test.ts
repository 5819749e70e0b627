import type { MessageListItem } from '@popgate/contracts';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { belongsTo, viewQuery } from '../src/lib/list-view';
import { useAccountsStore } from '../src/stores/accounts';
import { useMessageChangesStore } from '../src/stores/message-changes';
import { useMessageListStore } from '../src/stores/message-list';
import { item } from './support/factories';
import { settle } from './support/fake-api';
import { inbox, listRoute, messageServer } from './support/message-server';

describe('the message list store', () => {
  let mail: Awaited<ReturnType<typeof messageServer>>;
  const rows = () => mail.state.rows;

  beforeEach(async () => {
    mail = await messageServer();
  });

  it('loads the first page of a view, then the next ones by cursor', async () => {
    const messages = useMessageListStore();
    await messages.show(inbox);
    expect(messages.status).toBe('ready');
    expect(messages.items.map((row) => row.id)).toEqual(
      rows()
        .slice(0, 100)
        .map((row) => row.id),
    );
    expect(messages.hasMore).toBe(true);
    await messages.loadMore();
    await messages.loadMore();
    expect(messages.items).toHaveLength(250);
    expect(messages.hasMore).toBe(false);
    const cursors = mail.server
      .apiCalls()
      .map((call) => new URL(call.url, 'http://x').searchParams.get('cursor'));
    expect(cursors).toEqual([null, '100', '200']);
  });

  it('does not load a page twice when asked twice at once', async () => {
    const messages = useMessageListStore();
    await messages.show(inbox);
    await Promise.all([messages.loadMore(), messages.loadMore(), messages.loadMore()]);
    expect(mail.server.apiCalls()).toHaveLength(2);
    expect(new Set(messages.items.map((row) => row.id)).size).toBe(messages.items.length);
  });

  it('turns views into list queries', () => {
    expect(
      viewQuery({ mailbox: { kind: 'account', accountId: 'a' }, q: ' tax ', unread: true }),
    ).toEqual({
      accountId: 'a',
      q: 'tax',
      unread: true,
    });
    expect(viewQuery({ mailbox: { kind: 'trash' }, q: '', unread: false })).toEqual({
      trash: true,
    });
    expect(viewQuery({ mailbox: { kind: 'flagged' }, q: '', unread: false })).toEqual({
      flagged: true,
    });
  });

  it('ignores the answer for a view the user already left', async () => {
    let release!: () => void;
    mail.server.on('GET /api/messages', async (call) => {
      if (!call.url.includes('flagged')) await new Promise<void>((resolve) => (release = resolve));
      return listRoute(rows)(call);
    });
    const messages = useMessageListStore();
    const slow = messages.show(inbox);
    await settle();
    rows()[0]!.flagged = true;
    await messages.show({ ...inbox, mailbox: { kind: 'flagged' } });
    release();
    await slow;
    expect(messages.items.map((row) => row.id)).toEqual([rows()[0]!.id]);
  });

  it('merges new mail from live events in date order, once, where it belongs', async () => {
    const messages = useMessageListStore();
    const changes = useMessageChangesStore();
    const accounts = useAccountsStore();
    await messages.show(inbox);
    const newest = item({ date: new Date(Date.UTC(2027, 0, 1)).toISOString() });
    const between = item({ date: new Date(Date.parse(rows()[3]!.date) - 1000).toISOString() });
    const ancient = item({ date: new Date(Date.UTC(2000, 0, 1)).toISOString() });
    const arrived = changes.applyNew([between, newest, ancient]);
    expect(arrived).toHaveLength(3);
    expect(messages.items[0]!.id).toBe(newest.id);
    expect(messages.items[5]!.id).toBe(between.id);
    // Older than every loaded row while pages remain: the page that holds it brings it.
    expect(messages.items.some((row) => row.id === ancient.id)).toBe(false);
    expect(changes.applyNew([newest])).toHaveLength(0);
    expect(messages.items.filter((row) => row.id === newest.id)).toHaveLength(1);
    expect(accounts.byId.get('acc-1')).toMatchObject({ unreadCount: 253, messageCount: 253 });
  });

  it('keeps new mail out of views it does not belong to', () => {
    const fresh = item({ accountId: 'acc-2', flagged: false, seen: false });
    expect(belongsTo(inbox, fresh)).toBe(true);
    expect(belongsTo({ ...inbox, mailbox: { kind: 'account', accountId: 'acc-1' } }, fresh)).toBe(
      false,
    );
    expect(belongsTo({ ...inbox, mailbox: { kind: 'flagged' } }, fresh)).toBe(false);
    expect(belongsTo({ ...inbox, mailbox: { kind: 'trash' } }, fresh)).toBe(false);
    expect(belongsTo({ ...inbox, q: 'invoice' }, fresh)).toBe(false);
    expect(belongsTo({ ...inbox, unread: true }, { ...fresh, seen: true })).toBe(false);
  });

  it('catches up after a dropped connection: new rows in, changes applied, gone rows out', async () => {
    const messages = useMessageListStore();
    await messages.show(inbox);
    const fresh = item({ date: new Date(Date.UTC(2027, 0, 1)).toISOString() });
    const gone = rows()[2]!;
    const next: MessageListItem[] = [fresh, ...rows().filter((row) => row !== gone)];
    next[1] = { ...next[1]!, seen: true };
    mail.state.rows = next;
    await messages.refreshHead();
    expect(messages.items[0]!.id).toBe(fresh.id);
    expect(messages.items[1]!.seen).toBe(true);
    expect(messages.items.some((row) => row.id === gone.id)).toBe(false);
    expect(messages.items).toHaveLength(100);
  });

  it('offline, shows the list this device saw last', async () => {
    const messages = useMessageListStore();
    await messages.show(inbox);
    await settle();
    setActivePinia(createPinia());
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const offline = useMessageListStore();
    await offline.show(inbox);
    expect(offline.status).toBe('ready');
    expect(offline.listFromCache).toBe(true);
    expect(offline.items).toHaveLength(100);
    expect(offline.hasMore).toBe(false);
  });

  it('says why when the list cannot be loaded, and forgets all on reset', async () => {
    mail.server.on('GET /api/messages', {
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'boom' } },
    });
    const messages = useMessageListStore();
    await messages.show(inbox);
    expect(messages.status).toBe('error');
    expect(messages.error).toBe('boom');
    messages.reset();
    expect(messages.status).toBe('idle');
    expect(messages.items).toHaveLength(0);
  });
});
