import { beforeEach, describe, expect, it } from 'vitest';
import { useAccountsStore } from '../src/stores/accounts';
import { useMessageChangesStore } from '../src/stores/message-changes';
import { useMessageListStore } from '../src/stores/message-list';
import { useReaderStore } from '../src/stores/reader';
import { useSelectionStore } from '../src/stores/selection';
import { detail, item } from './support/factories';
import { inbox, messageServer } from './support/message-server';

describe('changes to messages', () => {
  let mail: Awaited<ReturnType<typeof messageServer>>;

  beforeEach(async () => {
    mail = await messageServer();
  });

  it('applies flag changes from elsewhere, and takes trashed messages out of the list', async () => {
    const messages = useMessageListStore();
    const changes = useMessageChangesStore();
    const selection = useSelectionStore();
    const accounts = useAccountsStore();
    await messages.show(inbox);
    const [a, b, c] = messages.items;
    changes.applyUpdated({ ids: [a!.id, b!.id], seen: true, flagged: true });
    expect(messages.items[0]).toMatchObject({ seen: true, flagged: true });
    expect(accounts.byId.get('acc-1')!.unreadCount).toBe(248);
    selection.toggle(c!.id);
    changes.applyUpdated({ ids: [c!.id], trashed: true });
    expect(messages.items.some((row) => row.id === c!.id)).toBe(false);
    expect(selection.ids.size).toBe(0);
  });

  it('marks read at once, tells the server, and undoes it when the server refuses', async () => {
    const messages = useMessageListStore();
    const changes = useMessageChangesStore();
    const accounts = useAccountsStore();
    await messages.show(inbox);
    const ids = messages.items.slice(0, 3).map((row) => row.id);
    await changes.setSeen(ids, true);
    expect(messages.items.slice(0, 3).every((row) => row.seen)).toBe(true);
    expect(accounts.byId.get('acc-1')!.unreadCount).toBe(247);
    const patch = mail.server.apiCalls().find((call) => call.method === 'PATCH')!;
    expect(patch.body).toEqual({ ids, seen: true });

    mail.server.on('PATCH /api/messages', {
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'boom' } },
    });
    await expect(changes.setFlagged(ids, true)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(messages.items.slice(0, 3).every((row) => !row.flagged)).toBe(true);
    await expect(changes.setSeen(ids, false)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(messages.items.slice(0, 3).every((row) => row.seen)).toBe(true);
    expect(accounts.byId.get('acc-1')!.unreadCount).toBe(247);
  });

  it('counts the open message once when it is not in the list, and undoes that too', async () => {
    const changes = useMessageChangesStore();
    const reader = useReaderStore();
    const accounts = useAccountsStore();
    const row = item({ seen: true });
    mail.server.on(`GET /api/messages/${row.id}`, { body: detail(row) });
    mail.server.on(`PATCH /api/messages/${row.id}`, { body: {} });
    await reader.open(row.id);
    await changes.setSeen([row.id], false);
    expect(reader.message?.seen).toBe(false);
    expect(accounts.byId.get('acc-1')!.unreadCount).toBe(251);
    mail.server.on(`PATCH /api/messages/${row.id}`, {
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'boom' } },
    });
    await expect(changes.setSeen([row.id], true)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(reader.message?.seen).toBe(false);
    expect(accounts.byId.get('acc-1')!.unreadCount).toBe(251);
  });

  it('moves to the trash at once, puts rows back if that fails, and undoes a trash in place', async () => {
    const messages = useMessageListStore();
    const changes = useMessageChangesStore();
    const accounts = useAccountsStore();
    await messages.show(inbox);
    const ids = messages.items.slice(1, 3).map((row) => row.id);
    await changes.trash(ids);
    expect(messages.items.some((row) => ids.includes(row.id))).toBe(false);
    expect(accounts.byId.get('acc-1')).toMatchObject({ unreadCount: 248, messageCount: 248 });
    const trash = mail.server.apiCalls().find((call) => call.url === '/api/messages/trash')!;
    expect(trash.body).toEqual({ ids });

    await changes.restore(ids);
    expect(messages.items.slice(1, 3).map((row) => row.id)).toEqual(ids);
    expect(accounts.byId.get('acc-1')).toMatchObject({ unreadCount: 250, messageCount: 250 });

    mail.server.on('POST /api/messages/trash', {
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'boom' } },
    });
    await expect(changes.trash(ids)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(messages.items.slice(1, 3).map((row) => row.id)).toEqual(ids);
  });

  it('falls back to one request per message where the bulk routes are missing', async () => {
    mail.server.on('POST /api/messages/trash', {
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'No route' } },
    });
    const deleted: string[] = [];
    const messages = useMessageListStore();
    await messages.show(inbox);
    const ids = messages.items.slice(0, 3).map((row) => row.id);
    for (const id of ids) {
      mail.server.on(`DELETE /api/messages/${id}`, () => {
        deleted.push(id);
        return { body: {} };
      });
    }
    await useMessageChangesStore().trash(ids);
    expect(deleted.sort()).toEqual([...ids].sort());
  });
});
