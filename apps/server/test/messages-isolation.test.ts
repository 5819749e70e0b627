import { randomBytes } from 'node:crypto';
import type { MessageDetail } from '@popgate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../src/mail/parse-message';
import { storeMessage } from '../src/messages/store';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';

let subject: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  subject = await testApp();
});
afterAll(async () => {
  await subject?.close();
});

const prisma = () => subject.app.db.prisma;
const tag = () => randomBytes(4).toString('hex');

const secretMail = [
  'From: Bank <bank@example.test>',
  'Subject: your secret statement',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b"',
  '',
  '--b',
  'Content-Type: text/html',
  '',
  '<p>balance</p><img src="https://bank.example/pixel.gif">',
  '--b',
  'Content-Type: text/plain; name="statement.txt"',
  'Content-Disposition: attachment; filename="statement.txt"',
  '',
  'account 1234',
  '--b--',
  '',
].join('\r\n');

/** Alice has a message; Bob and an admin are signed in too. */
async function alicesMessage() {
  const alice = new ApiClient(subject.app);
  const aliceUser = await alice.signUp(`alice-${tag()}@example.test`);
  const account = await prisma().pop3Account.create({
    data: {
      userId: aliceUser.id,
      label: 'alice',
      host: 'pop.example.test',
      port: 995,
      username: `alice-${tag()}`,
      secretCiphertext: new Uint8Array([0]),
      secretKeyId: 'test',
    },
  });
  const raw = Buffer.from(secretMail);
  const { id } = await storeMessage(
    prisma(),
    {
      accountId: account.id,
      userId: aliceUser.id,
      uidl: 'secret',
      listedSize: raw.length,
      raw,
      headersOnly: false,
      receivedAt: new Date(),
    },
    await parseMessage(raw),
  );
  const shown = (await alice.get(`/api/messages/${id}?images=1`)).json<MessageDetail>();
  const imageUrl = /src="([^"]*\/images\?[^"]*)"/.exec(shown.html!)![1]!.replace(/&amp;/g, '&');

  const bob = new ApiClient(subject.app);
  await bob.signUp(`bob-${tag()}@example.test`);
  const admin = new ApiClient(subject.app);
  const adminUser = await admin.signUp(`admin-${tag()}@example.test`);
  await prisma().user.update({ where: { id: adminUser.id }, data: { role: 'admin' } });
  return { alice, id, attachmentId: shown.attachments[0]!.id, imageUrl, bob, admin };
}

describe('another user’s messages', () => {
  it('answer 404 on every messages route, for users and admins alike, and stay unchanged', async () => {
    const { alice, id, attachmentId, imageUrl, bob, admin } = await alicesMessage();
    for (const intruder of [bob, admin]) {
      const attempts = [
        intruder.get(`/api/messages/${id}`),
        intruder.get(`/api/messages/${id}?images=1`),
        intruder.get(`/api/messages/${id}/raw`),
        intruder.get(`/api/messages/${id}/attachments/${attachmentId}`),
        intruder.get(imageUrl),
        intruder.patch(`/api/messages/${id}`, { seen: true, flagged: true }),
        intruder.delete(`/api/messages/${id}`),
        intruder.post(`/api/messages/${id}/restore`),
        intruder.post(`/api/messages/${id}/trust-sender`),
        intruder.delete(`/api/messages/${id}/trust-sender`),
        intruder.post(`/api/messages/${id}/fetch-full`),
      ];
      for (const response of await Promise.all(attempts)) {
        expect(response.statusCode, response.body).toBe(404);
        expect(response.json().error.code).toBe('NOT_FOUND');
        expect(response.body).not.toMatch(/secret|statement|bank/i);
      }
    }
    const after = (await alice.get(`/api/messages/${id}`)).json<MessageDetail>();
    expect(after).toMatchObject({ seen: false, flagged: false, trashed: false });
  });

  it('look exactly like messages that do not exist', async () => {
    const { id, bob } = await alicesMessage();
    const theirs = await bob.get(`/api/messages/${id}`);
    const nobodys = await bob.get(
      `/api/messages/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}`,
    );
    expect(theirs.statusCode).toBe(nobodys.statusCode);
    expect(theirs.json()).toEqual(nobodys.json());
  });

  it('are left alone by bulk changes, which report only the caller’s own', async () => {
    const { alice, id, bob } = await alicesMessage();
    const patched = await bob.patch('/api/messages', { ids: [id], seen: true });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toEqual({ ids: [], seen: true });
    const trashed = await bob.post('/api/messages/trash', { ids: [id] });
    expect(trashed.json()).toMatchObject({ ids: [], trashed: true });
    const restored = await bob.post('/api/messages/restore', { ids: [id] });
    expect(restored.json()).toMatchObject({ ids: [], trashed: false });
    const after = (await alice.get(`/api/messages/${id}`)).json<MessageDetail>();
    expect(after).toMatchObject({ seen: false, trashed: false });
  });

  it('never appear in another user’s list, search or trash', async () => {
    const { id, bob, admin } = await alicesMessage();
    for (const intruder of [bob, admin]) {
      for (const query of ['', 'q=secret', 'q=bank', 'trash=true', 'unread=true']) {
        const list = await intruder.get(`/api/messages?${query}`);
        expect(list.statusCode).toBe(200);
        expect(list.json().items.map((item: { id: string }) => item.id)).not.toContain(id);
      }
    }
  });

  it('are nobody’s business when signed out', async () => {
    const { id } = await alicesMessage();
    const anonymous = new ApiClient(subject.app);
    expect((await anonymous.get(`/api/messages/${id}`)).statusCode).toBe(401);
    expect((await anonymous.get(`/api/messages/${id}/raw`)).statusCode).toBe(401);
  });
});
