import { randomBytes } from 'node:crypto';
import { Pop3Server } from '@popgate/pop3-server';
import type { MessageDetail, MessageList, TrashOutcome } from '@popgate/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import type { PopgateEvent } from '../src/events/event-bus';
import { syncAccount } from '../src/sync/account-sync';
import { claimAccount, releaseLease } from '../src/sync/lease';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';

let subject: Awaited<ReturnType<typeof testApp>>;
let pop3: Pop3Server | undefined;
const seen: PopgateEvent[] = [];
beforeAll(async () => {
  // The POP3 server of these tests listens on 127.0.0.1.
  subject = await testApp({ env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' } });
  subject.app.events.subscribe((event) => seen.push(event));
});
afterEach(async () => {
  await pop3?.close();
  pop3 = undefined;
});
afterAll(async () => {
  await subject?.close();
});

const prisma = () => subject.app.db.prisma;
const tag = () => randomBytes(4).toString('hex');
const never = new AbortController().signal;
const mail = (n: number, size = 0) =>
  Buffer.from(
    `From: sender${n}@example.test\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@x>\r\n\r\nbody ${n}\r\n${'z'.repeat(size)}\r\n`,
  );

/** A reader whose account is served by a local POP3 server with `count` messages, synced once. */
async function readerWithMailbox(
  count: number,
  policy: { deleteWhenDeletedHere?: boolean; maxFullDownloadBytes?: number } = {},
) {
  pop3 = await Pop3Server.start({
    users: [{ username: 'user', password: 'secret' }],
    mailboxes: {
      user: Array.from({ length: count }, (_, i) => ({
        body: mail(i + 1, i === 0 ? 4000 : 0),
        uidl: `uid-${i + 1}`,
      })),
    },
  });
  const client = new ApiClient(subject.app);
  const user = await client.signUp(`flags-${tag()}@example.test`);
  const account = await linkAccount(prisma(), subject.app.keyring, user.id, {
    label: 'local',
    host: '127.0.0.1',
    port: pop3.port,
    security: 'none',
    username: 'user',
    password: 'secret',
    auth: 'auto',
    policy,
  });
  const sync = async () => {
    const result = await syncAccount(subject.app.syncContext, account.id, never);
    expect(result.ok, JSON.stringify(result.failure)).toBe(true);
    return result;
  };
  await sync();
  const list = (await client.get('/api/messages')).json<MessageList>();
  const idOf = (n: number) => list.items.find((item) => item.subject === `message ${n}`)!.id;
  return { client, user, account, server: pop3, sync, idOf };
}

const updatesFor = (userId: string) =>
  prisma()
    .event.findMany({ where: { userId, type: 'message.updated' }, orderBy: { id: 'asc' } })
    .then((rows) => rows.map((row) => row.payload));

describe('read and flagged', () => {
  it('marks a message read and flagged, and tells the user’s other tabs', async () => {
    const { client, user, idOf } = await readerWithMailbox(2);
    const id = idOf(1);
    const patched = await client.patch(`/api/messages/${id}`, { seen: true });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ id, seen: true, flagged: false });
    await client.patch(`/api/messages/${id}`, { flagged: true });
    await client.patch(`/api/messages/${id}`, { seen: false });
    const message = (await client.get(`/api/messages/${id}`)).json<MessageDetail>();
    expect(message).toMatchObject({ seen: false, flagged: true });
    expect(await updatesFor(user.id)).toEqual([
      { ids: [id], seen: true },
      { ids: [id], flagged: true },
      { ids: [id], seen: false },
    ]);
    // Delivered live to subscribers (other tabs), not only recorded.
    await vi.waitFor(() =>
      expect(seen.filter((e) => e.userId === user.id && e.type === 'message.updated')).toHaveLength(
        3,
      ),
    );
  });

  it('changes many messages at once', async () => {
    const { client, user, idOf } = await readerWithMailbox(3);
    const ids = [idOf(1), idOf(3)];
    const response = await client.patch('/api/messages', { ids, seen: true, flagged: true });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ ids: string[] }>().ids.sort()).toEqual([...ids].sort());
    const unread = (await client.get('/api/messages?unread=true')).json<MessageList>();
    expect(unread.items.map((item) => item.id)).toEqual([idOf(2)]);
    const flagged = (await client.get('/api/messages?flagged=true')).json<MessageList>();
    expect(flagged.items.map((item) => item.id).sort()).toEqual([...ids].sort());
    const [update] = await updatesFor(user.id);
    expect(update).toMatchObject({ seen: true, flagged: true });
  });

  it('refuses malformed changes, naming the field', async () => {
    const { client, idOf } = await readerWithMailbox(1);
    const cases = [
      [client.patch(`/api/messages/${idOf(1)}`, { seen: 'yes' }), 'seen'],
      [client.patch(`/api/messages/${idOf(1)}`, { starred: true }), 'starred'],
      [client.patch(`/api/messages/${idOf(1)}`, {}), 'body'],
      [client.patch('/api/messages', { ids: [idOf(1)] }), 'seen'],
      [client.patch('/api/messages', { ids: [], seen: true }), 'ids'],
      [client.patch('/api/messages', { ids: ['nope'], seen: true }), 'ids'],
      [client.patch('/api/messages/not-a-uuid', { seen: true }), 'id'],
    ] as const;
    for (const [pending, field] of cases) {
      const response = await pending;
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.message).toContain(field);
    }
  });
});

describe('trash', () => {
  it('moves a message to the trash and back, the lists following', async () => {
    const { client, user, idOf } = await readerWithMailbox(2);
    const id = idOf(1);
    const trashed = await client.delete(`/api/messages/${id}`);
    expect(trashed.statusCode).toBe(200);
    expect(trashed.json()).toEqual({
      ids: [id],
      trashed: true,
      deleteFromServer: [],
      serverCopyGone: [],
    });
    const ids = async (query: string) =>
      (await client.get(`/api/messages?${query}`)).json<MessageList>().items.map((i) => i.id);
    expect(await ids('')).toEqual([idOf(2)]);
    expect(await ids('trash=true')).toEqual([id]);
    expect((await client.get(`/api/messages/${id}`)).json()).toMatchObject({ trashed: true });

    const restored = await client.post(`/api/messages/${id}/restore`);
    expect(restored.json()).toMatchObject({ ids: [id], trashed: false, serverCopyGone: [] });
    expect((await ids('')).sort()).toEqual([idOf(1), idOf(2)].sort());
    expect(await ids('trash=true')).toEqual([]);
    expect(await updatesFor(user.id)).toEqual([
      { ids: [id], trashed: true },
      { ids: [id], trashed: false },
    ]);
  });

  it('trashes and restores many at once', async () => {
    const { client, idOf } = await readerWithMailbox(3);
    const ids = [idOf(1), idOf(2)];
    const trashed = await client.post('/api/messages/trash', { ids });
    expect(trashed.json<TrashOutcome>().ids.sort()).toEqual([...ids].sort());
    const inTrash = (await client.get('/api/messages?trash=true')).json<MessageList>();
    expect(inTrash.items).toHaveLength(2);
    const restored = await client.post('/api/messages/restore', { ids });
    expect(restored.json<TrashOutcome>().ids).toHaveLength(2);
    expect((await client.get('/api/messages')).json<MessageList>().items).toHaveLength(3);
  });

  it('leaves the server copy alone when the account keeps mail on the server', async () => {
    const { client, account, server, sync, idOf } = await readerWithMailbox(2);
    await client.delete(`/api/messages/${idOf(2)}`);
    const stored = await prisma().pop3Account.findUniqueOrThrow({ where: { id: account.id } });
    expect(stored.syncRequested).toBe(false);
    await sync();
    expect(server.mailbox('user')).toHaveLength(2);
  });

  it('deletes the server copy at the next check when the account deletes what is deleted here, and still restores', async () => {
    const { client, account, server, sync, idOf } = await readerWithMailbox(2, {
      deleteWhenDeletedHere: true,
    });
    const id = idOf(2);
    const trashed = (await client.delete(`/api/messages/${id}`)).json<TrashOutcome>();
    expect(trashed.deleteFromServer).toEqual([id]);
    const asked = await prisma().pop3Account.findUniqueOrThrow({ where: { id: account.id } });
    expect(asked.syncRequested).toBe(true);

    const result = await sync();
    expect(result.deletedOnServer).toBe(1);
    expect(server.mailbox('user').map((m) => m.uidl)).toEqual(['uid-1']);

    const restored = (await client.post(`/api/messages/${id}/restore`)).json<TrashOutcome>();
    expect(restored).toMatchObject({ ids: [id], trashed: false, serverCopyGone: [id] });
    const message = (await client.get(`/api/messages/${id}`)).json<MessageDetail>();
    expect(message).toMatchObject({ trashed: false, serverState: 'deleted_by_popgate' });
    expect(message.text).toContain('body 2');
    await sync();
    expect((await client.get('/api/messages')).json<MessageList>().items).toHaveLength(2);
  });
});

describe('fetching the whole of a headers-only message', () => {
  it('downloads it on demand and answers with the complete message', async () => {
    const { client, idOf } = await readerWithMailbox(2, { maxFullDownloadBytes: 1000 });
    const id = idOf(1);
    const before = (await client.get(`/api/messages/${id}`)).json<MessageDetail>();
    expect(before).toMatchObject({ headersOnly: true, text: null });
    const response = await client.post(`/api/messages/${id}/fetch-full`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ id, headersOnly: false });
    expect(response.json<MessageDetail>().text).toContain('body 1');
    // Asking again for a complete message just answers with it.
    expect((await client.post(`/api/messages/${id}/fetch-full`)).statusCode).toBe(200);
  });

  it('says 410 when the server no longer has it', async () => {
    const { client, server, idOf } = await readerWithMailbox(2, { maxFullDownloadBytes: 1000 });
    server.setMailbox('user', server.mailbox('user').slice(1));
    const response = await client.post(`/api/messages/${idOf(1)}/fetch-full`);
    expect(response.statusCode).toBe(410);
    expect(response.json().error.code).toBe('GONE_FROM_SERVER');
  });

  it('says 409 while the account is being checked', async () => {
    const { client, account, idOf } = await readerWithMailbox(2, { maxFullDownloadBytes: 1000 });
    // As a sync session in another process holds it.
    const token = await claimAccount(prisma(), 'another-process', account.id, 60);
    try {
      const response = await client.post(`/api/messages/${idOf(1)}/fetch-full`);
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('BUSY');
    } finally {
      await releaseLease(prisma(), { accountId: account.id, token: token! });
    }
  });

  it('says 502 with the reason when the server cannot be reached', async () => {
    const { client, server, idOf } = await readerWithMailbox(2, { maxFullDownloadBytes: 1000 });
    await server.close();
    const response = await client.post(`/api/messages/${idOf(1)}/fetch-full`);
    expect(response.statusCode).toBe(502);
    expect(response.json().error).toMatchObject({ code: 'FETCH_FAILED' });
    expect(response.json().error.message).not.toBe('');
  });
});
