import { randomBytes } from 'node:crypto';
import type { ConversationList, ConversationListItem, MessageSort } from '@popgate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../src/mail/parse-message';
import { encodeSortedCursor } from '../src/messages/cursor';
import { storeMessages } from '../src/messages/store';
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
const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 2, 10, 0, 0);

interface Mail {
  subject: string;
  from: string;
  /** The Date header's day of March 2026. */
  day: number;
  /** Arrival: minutes after START. */
  minute: number;
  /** The size the server listed (the list's size). */
  size: number;
  id?: string;
  inReplyTo?: string;
}

/** Stores one conversation's mail through the store the sync uses, one message at a time. */
async function store(userId: string, accountId: string, mails: Mail[]) {
  for (const mail of mails) {
    const raw = Buffer.from(
      [
        `From: ${mail.from}`,
        'To: Reader <reader@example.test>',
        `Subject: ${mail.subject}`,
        `Date: ${new Date(Date.UTC(2026, 2, mail.day, 9)).toUTCString()}`,
        ...(mail.id ? [`Message-ID: ${mail.id}`] : []),
        ...(mail.inReplyTo ? [`In-Reply-To: ${mail.inReplyTo}`] : []),
        '',
        `About ${mail.subject}.`,
        '',
      ].join('\r\n'),
    );
    await storeMessages(prisma(), [
      {
        message: {
          accountId,
          userId,
          uidl: `u-${tag()}`,
          listedSize: mail.size,
          raw,
          headersOnly: false,
          receivedAt: new Date(START + mail.minute * MINUTE),
          origin: 'pop3',
        },
        parsed: await parseMessage(raw),
      },
    ]);
  }
}

/**
 * A mailbox whose conversations tie in each order: D and E have the same latest date, sender and
 * size, B shares their date, A their sender. Topic C is a thread of Bob and a later reply of
 * Dave's; Zed's last reply to it is trashed (it must count in the trash only).
 */
async function mailbox() {
  const client = new ApiClient(subject.app);
  const user = await client.signUp(`conv-sort-${tag()}@example.test`);
  const account = await prisma().pop3Account.create({
    data: {
      userId: user.id,
      label: 'home',
      host: 'pop.example.test',
      port: 995,
      username: `home-${tag()}`,
      secretCiphertext: new Uint8Array([0]),
      secretKeyId: 'test',
    },
  });
  const put = (mails: Mail[]) => store(user.id, account.id, mails);
  const c1 = `<c1-${tag()}@example.test>`;
  const c2 = `<c2-${tag()}@example.test>`;
  const carol = 'Carol <carol@example.test>';
  await put([{ subject: 'Topic A', from: carol, day: 1, minute: 1, size: 100 }]);
  await put([
    { subject: 'Topic B', from: 'Álvaro <al@example.test>', day: 5, minute: 2, size: 3000 },
  ]);
  await put([
    { subject: 'Topic C', from: 'Bob <bob@example.test>', day: 9, minute: 3, size: 700, id: c1 },
    {
      subject: 'Re: Topic C',
      from: 'Dave <dave@example.test>',
      day: 2,
      minute: 9,
      size: 800,
      id: c2,
      inReplyTo: c1,
    },
    {
      subject: 'Re: Topic C',
      from: 'Zed <zed@example.test>',
      day: 30,
      minute: 10,
      size: 9000,
      inReplyTo: c2,
    },
  ]);
  await put([{ subject: 'Topic D', from: carol, day: 5, minute: 4, size: 2000 }]);
  await put([{ subject: 'Topic E', from: carol, day: 5, minute: 5, size: 2000 }]);
  await put([{ subject: 'Topic F', from: 'eve <eve@example.test>', day: 20, minute: 6, size: 10 }]);
  const messageId = async (from: string, subject: string) =>
    (await prisma().message.findFirstOrThrow({
      where: { userId: user.id, fromAddress: from, subject },
      select: { id: true },
    }))!.id;
  const zed = await messageId('zed@example.test', 'Re: Topic C');
  const trash = async (ids: string[]) =>
    expect((await client.post('/api/messages/trash', { ids })).statusCode).toBeLessThan(300);
  await trash([zed]);
  return { client, user, zed, trash, messageId };
}

async function page(client: ApiClient, query: string): Promise<ConversationList> {
  const response = await client.get(`/api/conversations?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<ConversationList>();
}

/** Every conversation of a query, page after page. */
async function all(client: ApiClient, query: string): Promise<ConversationListItem[]> {
  const items: ConversationListItem[] = [];
  let cursor: string | null = null;
  do {
    const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const next = await page(client, `${query}${suffix}`);
    items.push(...next.items);
    cursor = next.nextCursor;
  } while (cursor);
  return items;
}

const topics = (items: ConversationListItem[]) => items.map((item) => item.subject.slice(-1));

/** Conversations that tie go by id, the same way as the key: the tied topics in that order. */
function byId(items: ConversationListItem[], tied: string[], descending: boolean): string[] {
  const rows = items.filter((item) => tied.includes(item.subject.slice(-1)));
  rows.sort((a, b) => (a.id < b.id ? -1 : 1) * (descending ? -1 : 1));
  return topics(rows);
}

describe('the conversation list in the message list’s orders', () => {
  it('orders by latest arrival, latest Date header, latest sender and size, ties by id, page after page', async () => {
    const { client } = await mailbox();
    const everything = await all(client, 'limit=100');
    expect(topics(everything)).toEqual(['C', 'F', 'E', 'D', 'B', 'A']);
    const expected: Record<MessageSort, string[]> = {
      arrival: ['C', 'F', 'E', 'D', 'B', 'A'],
      // Mar 20, Mar 9 (Zed's Mar 30 is in the trash), three on Mar 5, Mar 1.
      date: ['F', 'C', ...byId(everything, ['B', 'D', 'E'], true), 'A'],
      // Álvaro folds to alvaro; C's latest message outside the trash is Dave's.
      sender: ['B', ...byId(everything, ['A', 'D', 'E'], false), 'C', 'F'],
      // 3000; 2000 twice; 700 + 800 (not Zed's 9000, in the trash); 100; 10.
      size: ['B', ...byId(everything, ['D', 'E'], true), 'C', 'A', 'F'],
    };
    for (const [sort, order] of Object.entries(expected)) {
      for (const limit of [1, 2, 4, 100]) {
        const items = await all(client, `sort=${sort}&limit=${limit}`);
        expect(topics(items), `${sort}, ${limit} a page`).toEqual(order);
      }
    }
    // The rows are the same conversations with the same counts whatever the order.
    const bySize = await all(client, 'sort=size');
    expect(bySize.find((item) => item.subject === 'Topic C')).toMatchObject({ messageCount: 2 });
  });

  it('follows a message trashed, restored or read into each key, and filters in any order', async () => {
    const { client, zed, trash, messageId } = await mailbox();
    // Zed's reply back from the trash: C is the newest by date, last by sender, the largest.
    expect((await client.post('/api/messages/restore', { ids: [zed] })).statusCode).toBeLessThan(
      300,
    );
    expect(topics(await all(client, 'sort=date&limit=2')).slice(0, 2)).toEqual(['C', 'F']);
    expect(topics(await all(client, 'sort=sender&limit=2')).at(-1)).toBe('C');
    expect(topics(await all(client, 'sort=size&limit=2'))[0]).toBe('C');

    // In the trash: each conversation by its trashed messages.
    await trash([zed, await messageId('eve@example.test', 'Topic F')]);
    expect(topics(await all(client, 'folder=trash&sort=date&limit=1'))).toEqual(['C', 'F']);
    expect(topics(await all(client, 'folder=trash&sort=sender&limit=1'))).toEqual(['F', 'C']);
    expect(topics(await all(client, 'folder=trash&sort=size&limit=1'))).toEqual(['C', 'F']);
    expect(topics(await all(client, 'sort=date'))).toEqual(expect.not.arrayContaining(['F']));

    // A message changed in place (a headers-only one downloaded whole: its size, its sender).
    const a = await messageId('carol@example.test', 'Topic A');
    await prisma().message.update({
      where: { id: a },
      data: { size: 50_000, fromName: 'Aaron' },
    });
    expect(topics(await all(client, 'sort=size'))[0]).toBe('A');
    expect(topics(await all(client, 'sort=sender'))[0]).toBe('A');

    // Only the unread ones, in the order asked for.
    const read = [
      await messageId('al@example.test', 'Topic B'),
      await messageId('carol@example.test', 'Topic D'),
    ];
    expect((await client.patch('/api/messages', { ids: read, seen: true })).statusCode).toBe(200);
    const unread = await all(client, 'sort=size&unread=true&limit=1');
    expect(unread.every((item) => item.unreadCount > 0)).toBe(true);
    expect(topics(unread)).toEqual(['A', 'E', 'C']);
  });

  it('refuses a cursor of another order or a tampered one, and an order it does not know', async () => {
    const { client } = await mailbox();
    const arrival = await page(client, 'limit=1');
    const bySize = await page(client, 'sort=size&limit=1');
    for (const [query, cursor] of [
      ['sort=size', arrival.nextCursor!],
      ['sort=date', bySize.nextCursor!],
      ['', bySize.nextCursor!],
      ['sort=size', 'not-a-cursor'],
      ['sort=size', Buffer.from(JSON.stringify(['size', '1; DROP', 'x'])).toString('base64url')],
    ] as const) {
      const response = await client.get(
        `/api/conversations?${query}&cursor=${encodeURIComponent(cursor)}`,
      );
      expect(response.statusCode, `${query} ${cursor}`).toBe(400);
      expect(response.json().error.message).toContain('cursor');
    }
    // A size beyond int's range (conversations add their messages up) reads as any other.
    const huge = encodeSortedCursor({
      sort: 'size',
      key: String(2 ** 40),
      id: '0190f5a4-0000-7000-8000-000000000001',
    });
    const beyond = await page(client, `sort=size&cursor=${huge}`);
    expect(beyond.items).toHaveLength(6);
    expect((await client.get('/api/conversations?sort=subject')).statusCode).toBe(400);
  });
});
