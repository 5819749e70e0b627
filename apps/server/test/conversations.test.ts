import { randomBytes } from 'node:crypto';
import type {
  ConversationDetail,
  ConversationList,
  ConversationListItem,
  MessageList,
} from '@popgate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadUnthreaded } from '../src/conversations/backfill';
import { parseMessage } from '../src/mail/parse-message';
import { storeMessages, type DownloadedMessage } from '../src/messages/store';
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
const DAY = 86_400_000;

/** A signed-in reader with two linked accounts. */
async function reader() {
  const client = new ApiClient(subject.app);
  const user = await client.signUp(`conv-${tag()}@example.test`);
  const account = (label: string) =>
    prisma().pop3Account.create({
      data: {
        userId: user.id,
        label,
        host: 'pop.example.test',
        port: 995,
        username: `${label}-${tag()}`,
        secretCiphertext: new Uint8Array([0]),
        secretKeyId: 'test',
      },
    });
  return { client, user, home: await account('home'), work: await account('work') };
}

interface Mail {
  subject: string;
  id?: string;
  inReplyTo?: string;
  references?: string[];
  from?: string;
  date?: Date;
  /** When Popgate received it: now unless said. */
  receivedAt?: Date;
  origin?: 'pop3' | 'sent';
  body?: string;
}

function rawOf(mail: Mail): Buffer {
  return Buffer.from(
    [
      `From: ${mail.from ?? 'Ada <ada@example.test>'}`,
      'To: Reader <reader@example.test>',
      `Subject: ${mail.subject}`,
      `Date: ${(mail.date ?? new Date('2026-11-02T08:00:00Z')).toUTCString()}`,
      ...(mail.id ? [`Message-ID: ${mail.id}`] : []),
      ...(mail.inReplyTo ? [`In-Reply-To: ${mail.inReplyTo}`] : []),
      ...(mail.references ? [`References: ${mail.references.join(' ')}`] : []),
      '',
      mail.body ?? `About ${mail.subject}.`,
      '',
    ].join('\r\n'),
  );
}

/** Stores mail of one account through the store the sync uses, in one batch. */
async function store(userId: string, accountId: string, mails: Mail[]) {
  const batch = await Promise.all(
    mails.map(async (mail) => {
      const raw = rawOf(mail);
      const message: DownloadedMessage = {
        accountId,
        userId,
        uidl: mail.origin === 'sent' ? `sent ${tag()}` : `u-${tag()}`,
        listedSize: raw.length,
        raw,
        headersOnly: false,
        receivedAt: mail.receivedAt ?? new Date(),
        origin: mail.origin ?? 'pop3',
      };
      return { message, parsed: await parseMessage(raw) };
    }),
  );
  return storeMessages(prisma(), batch);
}

async function conversations(client: ApiClient, query = ''): Promise<ConversationList> {
  const response = await client.get(`/api/conversations?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<ConversationList>();
}

async function everyConversation(client: ApiClient, query: string) {
  const items: ConversationListItem[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await conversations(client, `${query}${suffix}`);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor);
  return { items, pages };
}

async function detail(client: ApiClient, id: string, query = '') {
  const response = await client.get(`/api/conversations/${id}${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<ConversationDetail>();
}

const id = (name: string) => `<${name}-${tag()}@example.test>`;

describe('threading', () => {
  it('shows a six-message thread over two accounts and a sent reply as one row with count 6', async () => {
    const { client, user, home, work } = await reader();
    const [a, b, c, d, e, f] = ['a', 'b', 'c', 'd', 'e', 'f'].map(id) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const day = (n: number) => new Date(Date.UTC(2026, 10, 2 + n, 9));
    const at = (n: number) => ({ date: day(n), receivedAt: day(n) });
    await store(user.id, home.id, [
      { subject: 'Plans for Friday', id: a, ...at(0), from: 'Ada <ada@example.test>' },
      {
        subject: 'Re: Plans for Friday',
        id: b,
        inReplyTo: a,
        references: [a],
        ...at(1),
        from: 'Bob <bob@example.test>',
      },
    ]);
    // Only In-Reply-To, on the other account.
    await store(user.id, work.id, [
      {
        subject: 'RE: Plans for Friday',
        id: c,
        inReplyTo: b,
        ...at(2),
        from: 'Cy <cy@example.test>',
      },
    ]);
    await store(user.id, home.id, [
      {
        subject: 'Re: Plans for Friday',
        id: d,
        references: [a, b, c],
        ...at(3),
        origin: 'sent',
        from: 'Reader <reader@example.test>',
      },
    ]);
    // The subject changed, the references did not.
    await store(user.id, work.id, [
      { subject: 'Friday, again', id: e, references: [a, d], ...at(4) },
      { subject: 'AW: Friday, again', id: f, inReplyTo: e, references: [a, e], ...at(5) },
    ]);
    const { items } = await conversations(client);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      subject: 'Plans for Friday',
      messageCount: 6,
      unreadCount: 6,
      flagged: false,
      hasAttachments: false,
      snippet: 'About AW: Friday, again.',
    });
    expect(items[0]!.participants.map((p) => p.address)).toEqual([
      'ada@example.test',
      'bob@example.test',
      'cy@example.test',
      'reader@example.test',
    ]);
    expect(new Set(items[0]!.accountIds)).toEqual(new Set([home.id, work.id]));

    const thread = await detail(client, items[0]!.id);
    expect(thread.messages.map((m) => m.subject)).toEqual([
      'Plans for Friday',
      'Re: Plans for Friday',
      'RE: Plans for Friday',
      'Re: Plans for Friday',
      'Friday, again',
      'AW: Friday, again',
    ]);
    const ids = thread.messages.map((m) => m.id);
    expect(thread.messages.map((m) => m.parentId)).toEqual([
      null,
      ids[0],
      ids[1],
      ids[2],
      ids[3],
      ids[4],
    ]);
    expect(thread.messages.every((m) => m.conversationId === items[0]!.id)).toBe(true);
    // The sent reply is in Sent too, as the same conversation.
    const sent = await conversations(client, 'folder=sent');
    expect(sent.items.map((item) => item.id)).toEqual([items[0]!.id]);
  });

  it('joins a reply that arrived before its parent when the parent arrives, merging its branches', async () => {
    const { client, user, home, work } = await reader();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(id) as [string, string, string, string];
    // b answers a, d answers c: two conversations while neither a nor the link between them is here.
    await store(user.id, home.id, [{ subject: 'Re: Budget', id: b, inReplyTo: a }]);
    await store(user.id, work.id, [{ subject: 'Re: Budget numbers', id: d, inReplyTo: c }]);
    expect((await conversations(client)).items).toHaveLength(2);
    // c answers a: the missing link.
    await store(user.id, work.id, [{ subject: 'Re: Budget', id: c, references: [a] }]);
    expect((await conversations(client)).items).toHaveLength(1);
    await store(user.id, home.id, [{ subject: 'Budget', id: a }]);
    const { items } = await conversations(client);
    expect(items).toHaveLength(1);
    expect(items[0]!.messageCount).toBe(4);
    expect(await prisma().conversation.count({ where: { userId: user.id } })).toBe(1);
    const thread = await detail(client, items[0]!.id);
    const byId = new Map(thread.messages.map((m) => [m.id, m]));
    const parentSubject = (s: string) =>
      byId.get(thread.messages.find((m) => m.snippet.includes(s) && m.parentId)?.parentId ?? '')
        ?.subject;
    expect(parentSubject('Budget numbers')).toBe('Re: Budget');
  });

  it('joins "Re: Report" to "Report" by subject within the window, but not "Re: hi" nor a reply months later', async () => {
    const { client, user, home } = await reader();
    const start = new Date('2026-03-02T10:00:00Z');
    await store(user.id, home.id, [
      { subject: 'Report', id: id('report'), date: start },
      { subject: 'hi', id: id('hi'), date: start },
      { subject: 'Quarterly figures', id: id('q'), date: start },
    ]);
    // No References or In-Reply-To: their mail programs dropped them.
    await store(user.id, home.id, [
      { subject: 'Re: Report', date: new Date(start.getTime() + 6 * DAY) },
      { subject: 'Re: hi', date: new Date(start.getTime() + 1 * DAY) },
      { subject: 'Re: Quarterly figures', date: new Date(start.getTime() + 95 * DAY) },
      // Not a reply: the same subject again is a message of its own.
      { subject: 'Report', date: new Date(start.getTime() + 2 * DAY) },
    ]);
    const { items } = await conversations(client);
    const counts = Object.fromEntries(
      items.map((item) => [`${item.subject}#${item.messageCount}`, true]),
    );
    expect(Object.keys(counts).sort()).toEqual(
      [
        'Report#2',
        'Report#1',
        'hi#1',
        'Re: hi#1',
        'Quarterly figures#1',
        'Re: Quarterly figures#1',
      ].sort(),
    );
  });

  it('never puts two users in one conversation, and answers 404 for the other’s', async () => {
    const alice = await reader();
    const bob = await reader();
    const root = id('shared');
    const reply = id('shared-reply');
    // The same mail reached both of them.
    for (const who of [alice, bob]) {
      await store(who.user.id, who.home.id, [
        { subject: 'Team lunch', id: root },
        { subject: 'Re: Team lunch', id: reply, inReplyTo: root },
      ]);
    }
    const mine = (await conversations(alice.client)).items;
    const theirs = (await conversations(bob.client)).items;
    expect(mine).toHaveLength(1);
    expect(theirs).toHaveLength(1);
    expect(mine[0]!.id).not.toBe(theirs[0]!.id);
    expect(mine[0]!.messageCount).toBe(2);
    const response = await bob.client.get(`/api/conversations/${mine[0]!.id}`);
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('NOT_FOUND');
    expect((await alice.client.get('/api/conversations/not-a-uuid')).statusCode).toBe(404);
  });

  it('threads mail stored before conversations existed, in batches', async () => {
    const { client, user, home } = await reader();
    const root = id('old');
    await prisma().message.createMany({
      data: [
        { subject: 'Old thread', messageId: root, date: new Date('2020-01-01T00:00:00Z') },
        { subject: 'Re: Old thread', inReplyTo: root, date: new Date('2020-01-02T00:00:00Z') },
      ].map((m, i) => ({ ...m, userId: user.id, accountId: home.id, uidl: `old-${i}`, size: 1 })),
    });
    expect((await conversations(client)).items).toHaveLength(0);
    let threaded = 0;
    for (let i = 0; i < 100; i++) {
      const done = await threadUnthreaded(prisma(), { maxBatches: 1 });
      threaded += done;
      const left = await prisma().message.count({
        where: { userId: user.id, conversationId: null },
      });
      if (left === 0) break;
    }
    expect(threaded).toBeGreaterThanOrEqual(2);
    const { items } = await conversations(client);
    expect(items.map((item) => [item.subject, item.messageCount])).toEqual([['Old thread', 2]]);
  });

  it('keeps the counts as messages are read, flagged, trashed and restored', async () => {
    const { client, user, home } = await reader();
    const root = id('counts');
    const stored = await store(user.id, home.id, [
      { subject: 'Counting', id: root },
      { subject: 'Re: Counting', inReplyTo: root },
      { subject: 'Re: Counting', inReplyTo: root },
    ]);
    const [first, second] = stored.map((s) => s.id) as [string, string];
    expect(
      (await client.request('PATCH', '/api/messages', { ids: [first], seen: true })).statusCode,
    ).toBe(200);
    expect(
      (await client.request('PATCH', `/api/messages/${second}`, { flagged: true })).statusCode,
    ).toBe(200);
    let [row] = (await conversations(client)).items;
    expect(row).toMatchObject({ messageCount: 3, unreadCount: 2, flagged: true });
    expect((await conversations(client, 'unread=true')).items).toHaveLength(1);
    expect((await conversations(client, 'flagged=true')).items).toHaveLength(1);
    expect(
      (await client.request('POST', '/api/messages/trash', { ids: stored.map((s) => s.id) }))
        .statusCode,
    ).toBe(200);
    expect((await conversations(client)).items).toHaveLength(0);
    [row] = (await conversations(client, 'folder=trash')).items;
    expect(row).toMatchObject({ messageCount: 3, unreadCount: 2, flagged: true });
    expect((await detail(client, row!.id, '?folder=trash')).messages).toHaveLength(3);
    expect((await detail(client, row!.id)).messages).toHaveLength(0);
    await client.request('POST', '/api/messages/restore', { ids: [first] });
    [row] = (await conversations(client)).items;
    expect(row).toMatchObject({ messageCount: 1, unreadCount: 0, flagged: false });
  });
});

describe('the order by arrival', () => {
  it('puts a message with an old Date header on top, and does not pin a future-dated one', async () => {
    const { client, user, home } = await reader();
    const now = Date.now();
    await store(user.id, home.id, [
      {
        subject: 'From the future',
        date: new Date(now + 400 * DAY),
        receivedAt: new Date(now - 2 * 60_000),
      },
      { subject: 'Ordinary', receivedAt: new Date(now - 60_000), date: new Date(now - 60_000) },
    ]);
    await store(user.id, home.id, [
      {
        subject: 'Delayed for years',
        date: new Date('2019-05-01T00:00:00Z'),
        receivedAt: new Date(now),
      },
    ]);
    const messages = (await client.get('/api/messages')).json<MessageList>();
    expect(messages.items.map((m) => m.subject)).toEqual([
      'Delayed for years',
      'Ordinary',
      'From the future',
    ]);
    // The Date header is still what the list shows.
    expect(messages.items[0]!.date).toBe('2019-05-01T00:00:00.000Z');
    const list = await conversations(client);
    expect(list.items.map((item) => item.subject)).toEqual([
      'Delayed for years',
      'Ordinary',
      'From the future',
    ]);
  });

  it('pages through a few hundred conversations without gaps or repeats, ties included', async () => {
    const { client, user, home, work } = await reader();
    const at = new Date('2026-06-01T12:00:00Z');
    // 320 conversations of two messages each; 80 of them arrived at the same moment.
    for (const [account, prefix] of [
      [home, 'h'],
      [work, 'w'],
    ] as const) {
      const mails: Mail[] = [];
      for (let i = 0; i < 160; i++) {
        const root = id(`${prefix}${i}`);
        const receivedAt = i < 40 ? at : new Date(at.getTime() - (i + 1) * 60_000);
        mails.push(
          { subject: `${prefix}${i}`, id: root, receivedAt },
          { subject: `Re: ${prefix}${i}`, inReplyTo: root, receivedAt },
        );
      }
      await store(user.id, account.id, mails);
    }
    const { items, pages } = await everyConversation(client, 'limit=37');
    expect(items).toHaveLength(320);
    expect(pages).toBe(Math.ceil(320 / 37));
    expect(new Set(items.map((item) => item.id)).size).toBe(320);
    expect(items.every((item) => item.messageCount === 2)).toBe(true);
    const stored = await prisma().conversation.findMany({
      where: { userId: user.id },
      orderBy: [{ latestAt: 'desc' }, { id: 'desc' }],
      select: { id: true },
    });
    expect(items.map((item) => item.id)).toEqual(stored.map((c) => c.id));
    const onlyWork = await everyConversation(client, `limit=50&accountId=${work.id}`);
    expect(onlyWork.items).toHaveLength(160);
    expect(onlyWork.items.every((item) => item.subject.startsWith('w'))).toBe(true);
  });

  it('refuses a cursor it did not write', async () => {
    const { client } = await reader();
    const response = await client.get('/api/conversations?cursor=nonsense');
    expect(response.statusCode).toBe(400);
  });
});
