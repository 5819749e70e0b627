import { randomBytes } from 'node:crypto';
import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import type { PermanentDeletion, PermanentDeletionPreview } from '@popgate/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { linkAccount, type AccountInput } from '../src/accounts/link-account';
import { syncAccount } from '../src/sync/account-sync';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { testSyncContext } from './support/sync-context';

const never = new AbortController().signal;
const tag = () => randomBytes(4).toString('hex');

function mail(n: number): Buffer {
  return Buffer.from(
    [
      `From: Sender ${n} <sender${n}@example.test>`,
      'To: user@example.test',
      `Subject: Message number ${n}`,
      `Date: Mon, 02 Nov 2026 08:0${n}:00 +0000`,
      `Message-ID: <perm-${n}-${tag()}@example.test>`,
      '',
      `Body of message ${n}.`,
      '',
    ].join('\r\n'),
  );
}

let dovecot: Dovecot;
let subject: Awaited<ReturnType<typeof testApp>>;
let harness: Awaited<ReturnType<typeof testSyncContext>>;
const prisma = () => subject.app.db.prisma;

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ username: 'carol', password: 'carol-pw' }] });
  subject = await testApp();
  harness = await testSyncContext(prisma());
});
afterAll(async () => {
  await harness?.close();
  await subject?.close();
  await dovecot?.stop();
});
beforeEach(async () => {
  await dovecot.clear('carol');
});

/** A user with the Dovecot mailbox linked, three messages downloaded, two of them trashed. */
async function mailboxWithTrash(policy: AccountInput['policy'] = {}) {
  for (const n of [1, 2, 3]) await dovecot.deliver('carol', mail(n));
  const client = new ApiClient(subject.app);
  const user = await client.signUp(`perm-${tag()}@example.test`);
  const account = await linkAccount(prisma(), harness.keyring, user.id, {
    label: 'Dovecot',
    host: '127.0.0.1',
    port: dovecot.tlsPort,
    security: 'tls',
    username: 'carol',
    password: 'carol-pw',
    auth: 'auto',
    tls: { caPem: dovecot.caPem },
    policy,
  });
  expect(await syncAccount(harness.ctx, account.id, never)).toMatchObject({ newMessages: 3 });
  const messages = await prisma().message.findMany({
    where: { accountId: account.id },
    orderBy: { subject: 'asc' },
  });
  const [first, second, third] = messages.map((m) => m.id) as [string, string, string];
  const trashed = await client.post('/api/messages/trash', { ids: [first, second] });
  expect(trashed.statusCode).toBe(200);
  return { client, user, account, first, second, third };
}

const serverSubjects = async () =>
  (await dovecot.messageFiles('carol'))
    .map((f) => /Subject: (.*)\r?\n/.exec(f.bytes.toString())![1])
    .sort();

describe('deleting permanently', () => {
  it('removes only trashed messages, and a message left on the server is never downloaded again', async () => {
    const { client, account, first, second, third } = await mailboxWithTrash();

    const response = await client.post('/api/messages/delete-permanently', {
      ids: [first, third],
    });
    expect(response.statusCode).toBe(200);
    // The third is not in the Trash: it is kept.
    expect(response.json<PermanentDeletion>()).toEqual({
      ids: [first],
      deleteFromServer: [],
      keptOnServer: [first],
    });
    expect(
      (await prisma().message.findMany({ where: { accountId: account.id } })).map((m) => m.id),
    ).toEqual(expect.arrayContaining([second, third]));
    expect(await prisma().message.count({ where: { accountId: account.id } })).toBe(2);
    expect((await client.get(`/api/messages/${first}`)).statusCode).toBe(404);

    // Leave on server (the default): the server keeps its copy, and the next checks skip it.
    expect(await syncAccount(harness.ctx, account.id, never)).toMatchObject({
      ok: true,
      newMessages: 0,
      deletedOnServer: 0,
    });
    expect(await serverSubjects()).toEqual([
      'Message number 1',
      'Message number 2',
      'Message number 3',
    ]);
    expect(await prisma().message.count({ where: { accountId: account.id } })).toBe(2);
  });

  it('empties the Trash after saying how many messages go, here and on the server', async () => {
    const { client, account, third } = await mailboxWithTrash({ deleteWhenDeletedHere: true });

    const preview = await client.get('/api/messages/empty-trash');
    expect(preview.json<PermanentDeletionPreview>()).toEqual({
      count: 2,
      deleteFromServer: 2,
      keptOnServer: 0,
    });

    const emptied = await client.post('/api/messages/empty-trash');
    expect(emptied.statusCode).toBe(200);
    expect(emptied.json<PermanentDeletion>().ids).toHaveLength(2);
    expect(emptied.json<PermanentDeletion>().deleteFromServer).toHaveLength(2);
    // A check is asked for at once (any process picks it up).
    const asked = await prisma().pop3Account.findUniqueOrThrow({ where: { id: account.id } });
    expect(asked.syncRequested).toBe(true);

    // The policy deletes what is deleted here: the next check deletes both server copies.
    expect(await syncAccount(harness.ctx, account.id, never)).toMatchObject({
      ok: true,
      newMessages: 0,
      deletedOnServer: 2,
    });
    expect(await serverSubjects()).toEqual(['Message number 3']);
    // Nothing is left to remember once the server no longer has them.
    expect(await prisma().forgottenMessage.count({ where: { accountId: account.id } })).toBe(0);
    const left = await prisma().message.findMany({ where: { accountId: account.id } });
    expect(left.map((m) => m.id)).toEqual([third]);

    expect((await client.get('/api/messages/empty-trash')).json()).toEqual({
      count: 0,
      deleteFromServer: 0,
      keptOnServer: 0,
    });
  });

  it('tells the owner’s lists that the messages are gone', async () => {
    const { client, user, first } = await mailboxWithTrash();
    const seen: Array<{ userId: string; type: string; payload: unknown }> = [];
    subject.app.events.subscribe((event) => seen.push(event));
    await client.post('/api/messages/delete-permanently', { ids: [first] });
    await expect
      .poll(() =>
        seen.find(
          (e) =>
            e.userId === user.id &&
            e.type === 'message.updated' &&
            (e.payload as { deleted?: boolean }).deleted,
        ),
      )
      .toMatchObject({ payload: { ids: [first], deleted: true } });
  });

  it('leaves other people’s trashed messages alone', async () => {
    const { first } = await mailboxWithTrash();
    const stranger = new ApiClient(subject.app);
    await stranger.signUp(`stranger-${tag()}@example.test`);
    const response = await stranger.post('/api/messages/delete-permanently', { ids: [first] });
    expect(response.json<PermanentDeletion>().ids).toEqual([]);
    expect(await prisma().message.count({ where: { id: first } })).toBe(1);
  });

  it('refuses a request with unknown fields or no ids, in words', async () => {
    const client = new ApiClient(subject.app);
    await client.signUp(`bad-${tag()}@example.test`);
    const extra = await client.post('/api/messages/delete-permanently', { ids: [], all: true });
    expect(extra.statusCode).toBe(400);
    expect(extra.json<{ error: { message: string } }>().error.message).toBeTruthy();
  });
});
