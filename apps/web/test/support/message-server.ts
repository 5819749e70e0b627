import type { MessageListItem } from '@popgate/contracts';
import { createPinia, setActivePinia } from 'pinia';
import { vi } from 'vitest';
import { api } from '../../src/api/client';
import { offlineDb } from '../../src/lib/offline-db';
import type { ListView } from '../../src/lib/list-view';
import { useAccountsStore } from '../../src/stores/accounts';
import { account, items } from './factories';
import { fakeApi, type Call } from './fake-api';

export const inbox: ListView = { mailbox: { kind: 'inbox' }, q: '', unread: false };

/** The list endpoint over `rows` (newest first), paging by offset like a keyset cursor would. */
export function listRoute(rows: () => MessageListItem[]) {
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

/**
 * A fresh Pinia, an empty offline copy and a messages API over 250 rows (changes accepted),
 * for an account acc-1 with all of them unread.
 */
export async function messageServer() {
  setActivePinia(createPinia());
  api.resetCsrf();
  await offlineDb.clear();
  const state = { rows: items(250) };
  const server = fakeApi({
    'GET /api/messages': listRoute(() => state.rows),
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
  useAccountsStore().accounts = [account({ id: 'acc-1', unreadCount: 250, messageCount: 250 })];
  return { server, state };
}
