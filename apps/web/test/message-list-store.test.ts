import type { MessageListItem } from '@popgate/contracts';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import { offlineDb } from '../src/lib/offline-db';
import { useAccountsStore } from '../src/stores/accounts';
import { belongsTo, useMessagesStore, viewQuery, type ListView } from '../src/stores/messages';
import { account, detail, item, items } from './support/factories';
import { fakeApi, settle, type Call } from './support/fake-api';

const inbox: ListView = { mailbox: { kind: 'inbox' }, q: '', unread: false };

/** The list endpoint over `rows` (newest first), paging by offset like a keyset cursor would. */
function listRoute(rows: () => MessageListItem[]) {
  return (call: Call) => {
    const query = new URL(call.url, 'http://x').searchParams;
    const limit = Number(query.get('limit') ?? 50);
    const start = Number(query.get('cursor') ?? 0);
    let all = rows();
    if (query.get('trash') === 'true') all = [];
    if (query.get('flagged') === 'true') all = all.filter((row) => row.flagged);
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : null;
    return { body: { items: page, nextCursor: next } };
  };
}

describe('the messages store', () => {
  let rows: MessageListItem[];
  let server: ReturnType<typeof fakeApi>;

  beforeEach(async () => {
    setActivePinia(createPinia());
    api.resetCsrf();
    await offlineDb.clear();
    rows = items(250);
    server = fakeApi({
      'GET /api/messages': listRoute(() => rows),
      'PATCH /api/messages': (call) => ({ body: call.body }),
      'POST /api/messages/trash': (call) => ({
        body: { ...(call.body as object), trashed: true, deleteFromServer: [], serverCopyGone: [] },
      }),
      'POST /api/messages/restore': (call) => ({
        body: {
          ...(call.body as object),
          trashed: false,
          deleteFromServer: [],
          serverCopyGone: [],
        },
      }),
    });
    vi.stubGlobal('fetch', server.fetcher);
    const accounts = useAccountsStore();
    accounts.accounts = [account({ id: 'acc-1', unreadCount: 250, messageCount: 250 })];
  });

  it('loads the first page of a view, then the next ones by cursor', async () => {
    const messages = useMessagesStore();
    await messages.show(inbox);
    expect(messages.status).toBe('ready');
    expect(messages.items.map((row) => row.id)).toEqual(rows.slice(0, 100).map((row) => row.id));
    expect(messages.hasMore).toBe(true);
    await messages.loadMore();
    await messages.loadMore();
    expect(messages.items).toHaveLength(250);
    expect(messages.hasMore).toBe(false);
    const cursors = server
      .apiCalls()
      .map((call) => new URL(call.url, 'http://x').searchParams.get('cursor'));
    expect(cursors).toEqual([null, '100', '200']);
  });

  it('does not load a page twice when asked twice at once', async () => {
    const messages = useMessagesStore();
    await messages.show(inbox);
    await Promise.all([messages.loadMore(), messages.loadMore(), messages.loadMore()]);
    expect(server.apiCalls()).toHaveLength(2);
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
    server.on('GET /api/messages', async (call) => {
      if (!call.url.includes('flagged')) await new Promise<void>((resolve) => (release = resolve));
      return listRoute(() => rows)(call);
    });
    const messages = useMessagesStore();
    const slow = messages.show(inbox);
    await settle();
    rows[0]!.flagged = true;
    await messages.show({ ...inbox, mailbox: { kind: 'flagged' } });
    release();
    await slow;
    expect(messages.items.map((row) => row.id)).toEqual([rows[0]!.id]);
  });

  it('merges new mail from live events in date order, once, where it belongs', async () => {
    const messages = useMessagesStore();
    const accounts = useAccountsStore();
    await messages.show(inbox);
    const newest = item({ date: new Date(Date.UTC(2027, 0, 1)).toISOString() });
    const between = item({ date: new Date(Date.parse(rows[3]!.date) - 1000).toISOString() });
    const ancient = item({ date: new Date(Date.UTC(2000, 0, 1)).toISOString() });
    const arrived = messages.applyNew([between, newest, ancient]);
    expect(arrived).toHaveLength(3);
    expect(messages.items[0]!.id).toBe(newest.id);
    expect(messages.items[5]!.id).toBe(between.id);
    // Older than every loaded row while pages remain: the page that holds it brings it.
    expect(messages.items.some((row) => row.id === ancient.id)).toBe(false);
    expect(messages.applyNew([newest])).toHaveLength(0);
    expect(messages.items.filter((row) => row.id === newest.id)).toHaveLength(1);
    expect(accounts.byId.get('acc-1')!.unreadCount).toBe(253);
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

  it('applies flag changes from elsewhere, and takes trashed messages out of the list', async () => {
    const messages = useMessagesStore();
    const accounts = useAccountsStore();
    await messages.show(inbox);
    const [a, b, c] = messages.items;
    messages.applyUpdated({ ids: [a!.id, b!.id], seen: true, flagged: true });
    expect(messages.items[0]).toMatchObject({ seen: true, flagged: true });
    expect(accounts.byId.get('acc-1')!.unreadCount).toBe(248);
    messages.toggleSelected(c!.id);
    messages.applyUpdated({ ids: [c!.id], trashed: true });
    expect(messages.items.some((row) => row.id === c!.id)).toBe(false);
    expect(messages.selected.size).toBe(0);
  });

  it('marks read at once, tells the server, and undoes it when the server refuses', async () => {
    const messages = useMessagesStore();
    const accounts = useAccountsStore();
    await messages.show(inbox);
    const ids = messages.items.slice(0, 3).map((row) => row.id);
    await messages.setSeen(ids, true);
    expect(messages.items.slice(0, 3).every((row) => row.seen)).toBe(true);
    expect(accounts.byId.get('acc-1')!.unreadCount).toBe(247);
    const patch = server.apiCalls().find((call) => call.method === 'PATCH')!;
    expect(patch.body).toEqual({ ids, seen: true });

    server.on('PATCH /api/messages', {
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'boom' } },
    });
    await expect(messages.setFlagged(ids, true)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(messages.items.slice(0, 3).every((row) => !row.flagged)).toBe(true);
  });

  it('moves to the trash at once, puts rows back if that fails, and undoes a trash in place', async () => {
    const messages = useMessagesStore();
    await messages.show(inbox);
    const ids = messages.items.slice(1, 3).map((row) => row.id);
    await messages.trash(ids);
    expect(messages.items.some((row) => ids.includes(row.id))).toBe(false);
    const trash = server.apiCalls().find((call) => call.url === '/api/messages/trash')!;
    expect(trash.body).toEqual({ ids });

    await messages.restore(ids);
    expect(messages.items.slice(1, 3).map((row) => row.id)).toEqual(ids);

    server.on('POST /api/messages/trash', {
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'boom' } },
    });
    await expect(messages.trash(ids)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(messages.items.slice(1, 3).map((row) => row.id)).toEqual(ids);
  });

  it('falls back to one request per message where the bulk routes are missing', async () => {
    server.on('POST /api/messages/trash', {
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'No route' } },
    });
    const deleted: string[] = [];
    const messages = useMessagesStore();
    await messages.show(inbox);
    const ids = messages.items.slice(0, 3).map((row) => row.id);
    for (const id of ids) {
      server.on(`DELETE /api/messages/${id}`, () => {
        deleted.push(id);
        return { body: {} };
      });
    }
    await messages.trash(ids);
    expect(deleted.sort()).toEqual([...ids].sort());
  });

  it('catches up after a dropped connection: new rows in, changes applied, gone rows out', async () => {
    const messages = useMessagesStore();
    await messages.show(inbox);
    const fresh = item({ date: new Date(Date.UTC(2027, 0, 1)).toISOString() });
    const gone = rows[2]!;
    rows = [fresh, ...rows.filter((row) => row !== gone)];
    rows[1] = { ...rows[1]!, seen: true };
    await messages.refreshHead();
    expect(messages.items[0]!.id).toBe(fresh.id);
    expect(messages.items[1]!.seen).toBe(true);
    expect(messages.items.some((row) => row.id === gone.id)).toBe(false);
    expect(messages.items).toHaveLength(100);
  });

  it('selects ranges and everything loaded', async () => {
    const messages = useMessagesStore();
    await messages.show(inbox);
    messages.selectRange(messages.items[2]!.id, messages.items[5]!.id);
    expect(messages.selected.size).toBe(4);
    messages.selectAll();
    expect(messages.selected.size).toBe(100);
    messages.clearSelection();
    expect(messages.selected.size).toBe(0);
  });

  it('opens a message, marks it read, and keeps a copy to read offline', async () => {
    const messages = useMessagesStore();
    await messages.show(inbox);
    const row = messages.items[0]!;
    server.on(`GET /api/messages/${row.id}`, {
      body: detail(row, {
        html: '<p>Hi <a href="https://example.com">there</a></p>',
        text: 'Hi there',
      }),
    });
    server.on(`PATCH /api/messages/${row.id}`, { body: {} });
    await messages.open(row.id);
    await settle();
    expect(messages.detailStatus).toBe('ready');
    expect(messages.detailHtml).toContain('target="_blank"');
    expect(row.seen).toBe(true);

    vi.stubGlobal(
      'fetch',
      fakeApi({ [`GET /api/messages/${row.id}`]: new TypeError('offline') }).fetcher,
    );
    messages.close();
    await messages.open(row.id);
    expect(messages.detailStatus).toBe('ready');
    expect(messages.detailFromCache).toBe(true);
    expect(messages.detail?.subject).toBe(row.subject);
    expect(messages.detailHtml).toContain('there');
  });

  it('offline, shows the list this device saw last, and says so for a message never opened', async () => {
    const messages = useMessagesStore();
    await messages.show(inbox);
    await settle();
    setActivePinia(createPinia());
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const offline = useMessagesStore();
    await offline.show(inbox);
    expect(offline.listFromCache).toBe(true);
    expect(offline.items).toHaveLength(100);
    await offline.open(offline.items[5]!.id);
    expect(offline.detailStatus).toBe('error');
    expect(offline.detailError).toMatch(/never opened on this device/);
  });
});
