import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

async function writer(app = subject.app) {
  const client = new ApiClient(app);
  const user = await client.signUp(`drafts-${tag()}@example.test`);
  const account = await prisma().pop3Account.create({
    data: {
      userId: user.id,
      label: 'home',
      host: 'pop.example.test',
      port: 995,
      username: `me-${tag()}@example.test`,
      secretCiphertext: new Uint8Array([0]),
      secretKeyId: 'test',
    },
  });
  const identity = await prisma().identity.create({
    data: {
      userId: user.id,
      accountId: account.id,
      name: 'Me',
      address: `me-${tag()}@example.org`,
      smtpHost: 'smtp.example.org',
      smtpPort: 587,
      smtpUsername: 'me',
    },
  });
  return { client, user, account, identity };
}

describe('drafts', () => {
  it('are created, read, autosaved field by field, listed newest first and deleted', async () => {
    const { client, identity } = await writer();
    const created = await client.post('/api/drafts', {
      identityId: identity.id,
      to: [{ name: 'Bob', address: 'bob@example.net' }],
      subject: 'First',
      text: 'Hello',
    });
    expect(created.statusCode).toBe(201);
    const draft = created.json();
    expect(draft).toMatchObject({
      identityId: identity.id,
      to: [{ name: 'Bob', address: 'bob@example.net' }],
      cc: [],
      bcc: [],
      subject: 'First',
      text: 'Hello',
      html: null,
      inReplyTo: null,
      forwardOf: null,
      forwardAsAttachment: false,
      attachments: [],
    });

    const saved = await client.patch(`/api/drafts/${draft.id}`, { text: 'Hello again' });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({
      subject: 'First',
      to: [{ name: 'Bob', address: 'bob@example.net' }],
      identityId: identity.id,
      text: 'Hello again',
    });
    const html = await client.patch(`/api/drafts/${draft.id}`, {
      html: '<p>Hi</p>',
      cc: [{ name: '', address: 'carol@example.net' }],
    });
    expect(html.json()).toMatchObject({ text: 'Hello again', html: '<p>Hi</p>', subject: 'First' });

    const second = (await client.post('/api/drafts', { subject: 'Second' })).json();
    const list = await client.get('/api/drafts');
    expect(list.json().items.map((d: { id: string }) => d.id)).toEqual([second.id, draft.id]);
    // Saving the older one brings it to the top.
    await client.patch(`/api/drafts/${draft.id}`, {});
    const again = await client.get('/api/drafts');
    expect(again.json().items.map((d: { id: string }) => d.id)).toEqual([draft.id, second.id]);

    expect((await client.delete(`/api/drafts/${draft.id}`)).statusCode).toBe(204);
    expect((await client.get(`/api/drafts/${draft.id}`)).statusCode).toBe(404);
    expect((await client.get('/api/drafts')).json().items).toHaveLength(1);
  });

  it('answer 404 to anyone but their owner, admins included, and change nothing', async () => {
    const owner = await writer();
    const stranger = await writer();
    const draft = (await owner.client.post('/api/drafts', { subject: 'Mine' })).json();
    await prisma().user.update({ where: { id: stranger.user.id }, data: { role: 'admin' } });
    for (const response of [
      await stranger.client.get(`/api/drafts/${draft.id}`),
      await stranger.client.patch(`/api/drafts/${draft.id}`, { subject: 'Theirs' }),
      await stranger.client.delete(`/api/drafts/${draft.id}`),
    ]) {
      expect(response.statusCode).toBe(404);
    }
    expect((await stranger.client.get('/api/drafts')).json().items).toEqual([]);
    expect((await owner.client.get(`/api/drafts/${draft.id}`)).json().subject).toBe('Mine');
  });

  it("refuse another user's identity", async () => {
    const owner = await writer();
    const stranger = await writer();
    const response = await owner.client.post('/api/drafts', { identityId: stranger.identity.id });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('UNKNOWN_IDENTITY');
  });

  it('refuse unknown fields', async () => {
    const { client } = await writer();
    const response = await client.post('/api/drafts', { subject: 'x', userId: 'someone' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/userId is not a known field/);
  });

  it('survive a restart: a new app on the same database sees them', async () => {
    const first = await testApp();
    const { client, user } = await writer(first.app);
    const draft = (await client.post('/api/drafts', { subject: 'Kept', text: 'body' })).json();
    await first.close();
    const restarted = await testApp();
    try {
      const again = new ApiClient(restarted.app);
      const login = await again.post('/api/auth/login', {
        email: user.email,
        password: 'correct horse battery',
      });
      expect(login.statusCode).toBe(200);
      const response = await again.get(`/api/drafts/${draft.id}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ subject: 'Kept', text: 'body' });
    } finally {
      await restarted.close();
    }
  });

  it('leave the list while their send is in the outbox, come back when it is cancelled, and cannot change meanwhile', async () => {
    const { client, user, identity } = await writer();
    const draft = (await client.post('/api/drafts', { subject: 'Going' })).json();
    const item = await prisma().outboxItem.create({
      data: {
        userId: user.id,
        identityId: identity.id,
        draftId: draft.id,
        messageIdHeader: '<x@example.org>',
        envelopeFrom: identity.address,
        recipients: ['bob@example.net'],
        raw: new Uint8Array([1]),
        status: 'queued',
      },
    });
    expect((await client.get('/api/drafts')).json().items).toEqual([]);
    const patch = await client.patch(`/api/drafts/${draft.id}`, { subject: 'Changed' });
    expect(patch.statusCode).toBe(409);
    expect(patch.json().error.code).toBe('DRAFT_BEING_SENT');
    await prisma().outboxItem.update({ where: { id: item.id }, data: { status: 'cancelled' } });
    expect((await client.get('/api/drafts')).json().items.map((d: { id: string }) => d.id)).toEqual(
      [draft.id],
    );
  });
});

describe('recipient completion', () => {
  it("suggests the people of my own mail, most frequent first, never my own address nor others' mail", async () => {
    const { client, user, account } = await writer();
    const other = await writer();
    const mail = async (
      owner: { user: { id: string }; account: { id: string } },
      from: [string, string],
      to: Array<[string, string]>,
      cc: Array<[string, string]> = [],
    ) =>
      prisma().message.create({
        data: {
          userId: owner.user.id,
          accountId: owner.account.id,
          uidl: tag(),
          size: 1,
          date: new Date(),
          fromName: from[0],
          fromAddress: from[1],
          to: to.map(([name, address]) => ({ name, address })),
          cc: cc.map(([name, address]) => ({ name, address })),
        },
      });
    const me: [string, string] = ['Me', account.username];
    await mail({ user, account }, ['Anna Berg', 'anna@example.net'], [me]);
    await mail({ user, account }, ['', 'ANNA@example.net'], [me], [['Bert', 'bert@example.net']]);
    await mail({ user, account }, me, [['Annabel', 'annabel@example.org']]);
    await mail(other, ['Anneliese', 'anneliese@secret.example'], [['x', 'x@example.net']]);

    const response = await client.get('/api/drafts/recipients?q=ann');
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toEqual([
      { name: 'Anna Berg', address: 'ANNA@example.net' },
      { name: 'Annabel', address: 'annabel@example.org' },
    ]);
    const byName = await client.get('/api/drafts/recipients?q=bert');
    expect(byName.json().items).toEqual([{ name: 'Bert', address: 'bert@example.net' }]);
    const wildcard = await client.get('/api/drafts/recipients?q=%25');
    expect(wildcard.json().items).toEqual([]);
    const all = await client.get('/api/drafts/recipients');
    expect(all.json().items.map((r: { address: string }) => r.address)).not.toContain(
      account.username,
    );
  });

  it('reads only the latest 2,000 messages, so that it stays fast however much mail there is', async () => {
    const { client, user, account } = await writer();
    const row = (i: number, address: string) => ({
      userId: user.id,
      accountId: account.id,
      uidl: `bulk-${i}`,
      size: 1,
      date: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
      fromName: '',
      fromAddress: address,
    });
    await prisma().message.createMany({
      data: [
        ...Array.from({ length: 100 }, (_, i) => row(i, 'long.ago@example.net')),
        ...Array.from({ length: 2000 }, (_, i) => row(100 + i, `recent${i % 3}@example.net`)),
      ],
    });
    const started = performance.now();
    const response = await client.get('/api/drafts/recipients?q=example');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(
      response
        .json()
        .items.map((r: { address: string }) => r.address)
        .sort(),
    ).toEqual(['recent0@example.net', 'recent1@example.net', 'recent2@example.net']);
  });
});
