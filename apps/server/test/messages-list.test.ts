import { randomBytes } from 'node:crypto';
import type { MessageList, MessageListItem } from '@popgate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeCursor,
  decodeSortedCursor,
  encodeCursor,
  encodeSortedCursor,
} from '../src/messages/cursor';
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

/** A signed-in reader with two linked accounts. */
async function reader() {
  const client = new ApiClient(subject.app);
  const user = await client.signUp(`list-${tag()}@example.test`);
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

interface Seed {
  subject?: string;
  fromName?: string;
  fromAddress?: string;
  textBody?: string;
  date?: Date;
  /** When Popgate received it (the list's order): the date unless said. */
  receivedAt?: Date;
  seen?: boolean;
  flagged?: boolean;
  trashedAt?: Date | null;
  size?: number;
}

/** Inserts messages straight into the table (the search column is filled by its trigger). */
async function seed(userId: string, accountId: string, messages: Seed[]) {
  await prisma().message.createMany({
    data: messages.map((m, i) => ({
      userId,
      accountId,
      uidl: `uidl-${tag()}-${i}`,
      size: m.size ?? 1000 + i,
      subject: m.subject ?? `message ${i}`,
      fromName: m.fromName ?? 'Sender',
      fromAddress: m.fromAddress ?? 'sender@example.test',
      textBody: m.textBody ?? 'nothing to see',
      snippet: (m.textBody ?? 'nothing to see').slice(0, 200),
      date: m.date ?? new Date(Date.UTC(2024, 0, 1) + i * 60_000),
      receivedAt: m.receivedAt ?? m.date ?? new Date(Date.UTC(2024, 0, 1) + i * 60_000),
      seen: m.seen ?? false,
      flagged: m.flagged ?? false,
      trashedAt: m.trashedAt ?? null,
    })),
  });
}

async function page(client: ApiClient, query: string) {
  const response = await client.get(`/api/messages?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<MessageList>();
}

/** Follows nextCursor to the end. */
async function everything(client: ApiClient, query: string) {
  const items: MessageListItem[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const result = await page(client, `${query}${suffix}`);
    items.push(...result.items);
    cursor = result.nextCursor;
    pages += 1;
  } while (cursor);
  return { items, pages };
}

const subjects = (items: MessageListItem[]) => items.map((item) => item.subject);

describe('the message list', () => {
  it('lists the newest first, with the fields the list shows', async () => {
    const { client, user, home } = await reader();
    await seed(user.id, home.id, [
      { subject: 'old', date: new Date('2024-01-01T00:00:00Z') },
      { subject: 'newest', date: new Date('2024-03-01T00:00:00Z'), flagged: true },
      { subject: 'middle', date: new Date('2024-02-01T00:00:00Z'), seen: true },
    ]);
    const result = await page(client, '');
    expect(subjects(result.items)).toEqual(['newest', 'middle', 'old']);
    expect(result.nextCursor).toBeNull();
    expect(result.items[0]).toEqual({
      id: expect.any(String),
      accountId: home.id,
      subject: 'newest',
      from: { name: 'Sender', address: 'sender@example.test' },
      to: [],
      date: '2024-03-01T00:00:00.000Z',
      receivedAt: '2024-03-01T00:00:00.000Z',
      snippet: 'nothing to see',
      size: expect.any(Number),
      seen: false,
      flagged: true,
      hasAttachments: false,
      conversationId: null,
    });
  });

  it('pages through a few hundred messages without gaps or repeats, ties on the date included', async () => {
    const { client, user, home, work } = await reader();
    const sameMinute = new Date('2024-05-05T05:05:05Z');
    // 320 messages over two accounts; 40 share one date so the id decides their order.
    await seed(
      user.id,
      home.id,
      Array.from({ length: 160 }, (_, i) => ({
        subject: `h${i}`,
        date: i < 20 ? sameMinute : undefined,
      })),
    );
    await seed(
      user.id,
      work.id,
      Array.from({ length: 160 }, (_, i) => ({
        subject: `w${i}`,
        date: i < 20 ? sameMinute : undefined,
      })),
    );
    const { items, pages } = await everything(client, 'limit=37');
    expect(items).toHaveLength(320);
    expect(pages).toBe(Math.ceil(320 / 37));
    expect(new Set(items.map((item) => item.id)).size).toBe(320);
    const stored = await prisma().message.findMany({
      where: { userId: user.id },
      orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
      select: { id: true },
    });
    expect(items.map((item) => item.id)).toEqual(stored.map((m) => m.id));
  });

  it('ends with a null cursor exactly when the last page is full', async () => {
    const { client, user, home } = await reader();
    await seed(
      user.id,
      home.id,
      Array.from({ length: 10 }, () => ({})),
    );
    const first = await page(client, 'limit=5');
    expect(first.nextCursor).not.toBeNull();
    const second = await page(client, `limit=5&cursor=${first.nextCursor}`);
    expect(second.items).toHaveLength(5);
    expect(second.nextCursor).toBeNull();
  });

  it('shows all accounts together or one account alone', async () => {
    const { client, user, home, work } = await reader();
    await seed(user.id, home.id, [{ subject: 'at home' }]);
    await seed(user.id, work.id, [{ subject: 'at work' }]);
    expect(subjects((await page(client, '')).items).sort()).toEqual(['at home', 'at work']);
    expect(subjects((await page(client, `accountId=${work.id}`)).items)).toEqual(['at work']);
  });

  it('filters unread, flagged and trashed messages, and leaves the trash out by default', async () => {
    const { client, user, home } = await reader();
    await seed(user.id, home.id, [
      { subject: 'unread' },
      { subject: 'read', seen: true },
      { subject: 'flagged', seen: true, flagged: true },
      { subject: 'binned', trashedAt: new Date() },
    ]);
    expect(subjects((await page(client, '')).items).sort()).toEqual(['flagged', 'read', 'unread']);
    expect(subjects((await page(client, 'unread=true')).items)).toEqual(['unread']);
    expect(subjects((await page(client, 'unread=false')).items).sort()).toEqual([
      'flagged',
      'read',
    ]);
    expect(subjects((await page(client, 'flagged=true')).items)).toEqual(['flagged']);
    expect(subjects((await page(client, 'trash=true')).items)).toEqual(['binned']);
    expect(subjects((await page(client, 'unread=true&flagged=true')).items)).toEqual([]);
  });

  it('refuses a malformed cursor and out-of-range limits, naming the field', async () => {
    const { client } = await reader();
    for (const [query, field] of [
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${Buffer.from('[1,"x"]').toString('base64url')}`, 'cursor'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['unread=maybe', 'unread'],
      ['accountId=12', 'accountId'],
    ]) {
      const response = await client.get(`/api/messages?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.message, query).toContain(field);
    }
  });

  it('keeps cursors of a search and of a plain list apart', async () => {
    const { client, user, home } = await reader();
    await seed(
      user.id,
      home.id,
      Array.from({ length: 4 }, () => ({ subject: 'kiwi' })),
    );
    const searched = await page(client, 'q=kiwi&limit=2');
    const plain = await page(client, 'limit=2');
    expect((await client.get(`/api/messages?cursor=${searched.nextCursor}`)).statusCode).toBe(400);
    expect((await client.get(`/api/messages?q=kiwi&cursor=${plain.nextCursor}`)).statusCode).toBe(
      400,
    );
  });

  it('needs a signed-in user', async () => {
    expect((await subject.app.inject({ url: '/api/messages' })).statusCode).toBe(401);
  });
});

describe('search', () => {
  async function mailbox() {
    const r = await reader();
    await seed(r.user.id, r.home.id, [
      { subject: 'Quarterly invoice', textBody: 'please pay the amount due' },
      { subject: 'Lunch', fromName: 'Margarethe Invoicer', textBody: 'pizza or sushi' },
      { subject: 'Holiday plans', textBody: 'the invoice for the hotel is attached' },
      { subject: 'Re: hotel', textBody: 'the hotel invoice was paid yesterday' },
      { subject: 'Newsletter', fromAddress: 'news@shop.example', textBody: 'big spring sale' },
      { subject: 'Draft', textBody: 'invoice hotel paid' },
    ]);
    return r;
  }

  it('finds words in the subject, the sender and the body', async () => {
    const { client } = await mailbox();
    expect(subjects((await page(client, 'q=quarterly')).items)).toEqual(['Quarterly invoice']);
    expect(subjects((await page(client, 'q=margarethe')).items)).toEqual(['Lunch']);
    expect(subjects((await page(client, 'q=news%40shop.example')).items)).toEqual(['Newsletter']);
    expect(subjects((await page(client, 'q=sushi')).items)).toEqual(['Lunch']);
  });

  it('marks the searched words in the subject, the sender and the snippet', async () => {
    const { client } = await mailbox();
    const [lunch] = (await page(client, 'q=invoic')).items.filter((i) => i.subject === 'Lunch');
    expect(lunch).toMatchObject({ fromHighlights: [{ start: 11, end: 19 }] });
    expect(lunch).not.toHaveProperty('subjectHighlights');
    const [quarterly] = (await page(client, 'q=quarterly')).items;
    expect(quarterly).toMatchObject({
      subject: 'Quarterly invoice',
      subjectHighlights: [{ start: 0, end: 9 }],
      highlights: [],
    });
    // Without a search, rows carry no marks.
    const plain = (await page(client, '')).items[0]!;
    expect(Object.keys(plain).filter((key) => key.toLowerCase().includes('highlight'))).toEqual([]);
  });

  it('ranks subject matches above body matches', async () => {
    const { client } = await mailbox();
    const found = subjects((await page(client, 'q=invoice')).items);
    expect(found[0]).toBe('Quarterly invoice');
    // The last word is a prefix (search runs as one types): "Invoicer" in a sender's name counts,
    // below the word itself in a subject.
    expect(found[1]).toBe('Lunch');
    expect(found.sort()).toEqual([
      'Draft',
      'Holiday plans',
      'Lunch',
      'Quarterly invoice',
      'Re: hotel',
    ]);
  });

  it('understands web search syntax: exclusions, quoted phrases and or', async () => {
    const { client } = await mailbox();
    const q = (text: string) => page(client, `q=${encodeURIComponent(text)}`);
    expect(subjects((await q('invoice -hotel')).items)).toEqual(['Quarterly invoice']);
    expect(subjects((await q('"hotel invoice"')).items)).toEqual(['Re: hotel']);
    expect(subjects((await q('sushi or sale')).items).sort()).toEqual(['Lunch', 'Newsletter']);
    const unbalanced = await client.get(`/api/messages?q=${encodeURIComponent('"unbalanced')}`);
    expect(unbalanced.statusCode).toBe(400);
    expect(unbalanced.json()).toMatchObject({ error: { code: 'INVALID_QUERY', position: 1 } });
    expect(subjects((await q('   ')).items)).toHaveLength(6);
  });

  it('pages through search results in rank order without gaps or repeats', async () => {
    const { client, user, home } = await reader();
    // Three ranks (the word in the subject, as a phrase with the next word, or in the body only),
    // many ties within each: a tie goes to the newest.
    await seed(
      user.id,
      home.id,
      Array.from({ length: 90 }, (_, i) => ({
        subject: i % 3 === 0 ? `papaya ${i}` : `item ${i}`,
        textBody: i % 3 === 1 ? 'papaya salad' : 'salad with papaya',
      })),
    );
    const { items } = await everything(client, 'q=papaya+salad&limit=7');
    expect(items).toHaveLength(90);
    expect(new Set(items.map((item) => item.id)).size).toBe(90);
    const group = (item: MessageListItem) =>
      item.subject.startsWith('papaya') ? 0 : item.snippet.includes('papaya salad') ? 1 : 2;
    const order = items.map(group);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    for (const g of [0, 1, 2]) {
      const dates = items.filter((item) => group(item) === g).map((item) => item.date);
      expect(dates).toEqual([...dates].sort().reverse());
    }
  });

  it('never shows another user’s messages', async () => {
    const alice = await mailbox();
    const bob = await reader();
    await seed(bob.user.id, bob.home.id, [{ subject: 'bob only', textBody: 'invoice' }]);
    expect(subjects((await page(alice.client, 'q=invoice')).items)).not.toContain('bob only');
    expect(subjects((await page(bob.client, 'q=invoice')).items)).toEqual(['bob only']);
    expect(subjects((await page(bob.client, '')).items)).toEqual(['bob only']);
    expect((await page(bob.client, `accountId=${alice.home.id}`)).items).toEqual([]);
  });
});

describe('sorting the list', () => {
  /** Twelve messages whose arrival, Date header, sender and size each give another order. */
  async function sortable() {
    const r = await reader();
    const senders = [
      'carol',
      'Álvaro',
      'bob',
      '',
      'dave',
      'Eve',
      'alice',
      'bob',
      'Zoë',
      'frank',
      'bob',
      'carol',
    ];
    await seed(
      r.user.id,
      r.home.id,
      senders.map((name, i) => ({
        subject: `s${i}`,
        fromName: name,
        fromAddress: name ? `${name.toLowerCase()}@example.test` : 'nobody@example.test',
        // Arrival runs forwards; the Date header runs backwards from it, two of them the same.
        receivedAt: new Date(Date.UTC(2024, 5, 1) + i * 3_600_000),
        date: new Date(Date.UTC(2024, 0, 1) - (i === 5 ? 4 : i) * 86_400_000),
        // Sizes in no order, three of them equal.
        size: [500, 9000, 120, 9000, 77, 4000, 9000, 1, 300, 2500, 650, 42][i],
        textBody: i % 2 === 0 ? 'kiwi smoothie' : 'mango lassi',
      })),
    );
    return r;
  }

  async function stored(userId: string) {
    return prisma().message.findMany({ where: { userId } });
  }
  const idOrder = (a: { id: string }, b: { id: string }, descending: boolean) =>
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * (descending ? -1 : 1);

  it('sorts by size, largest first, ties by id, paging without gaps or repeats', async () => {
    const { client, user } = await sortable();
    const { items, pages } = await everything(client, 'sort=size&limit=5');
    expect(pages).toBe(3);
    const expected = (await stored(user.id)).sort((a, b) => b.size - a.size || idOrder(a, b, true));
    expect(items.map((item) => item.id)).toEqual(expected.map((m) => m.id));
    expect(items[0]!.size).toBe(9000);
  });

  it('sorts by the Date header, newest first, whatever the arrival', async () => {
    const { client, user } = await sortable();
    const { items } = await everything(client, 'sort=date&limit=4');
    const expected = (await stored(user.id)).sort(
      (a, b) => b.date.getTime() - a.date.getTime() || idOrder(a, b, true),
    );
    expect(items.map((item) => item.id)).toEqual(expected.map((m) => m.id));
    expect(subjects(items).slice(0, 3)).toEqual(['s0', 's1', 's2']);
    // Arrival (the default) is the other way round.
    expect(subjects((await page(client, 'sort=arrival&limit=3')).items)).toEqual([
      's11',
      's10',
      's9',
    ]);
    expect(subjects((await page(client, 'limit=3')).items)).toEqual(['s11', 's10', 's9']);
  });

  it('sorts by sender A to Z, the name case- and accent-insensitively else the address', async () => {
    const { client } = await sortable();
    const { items } = await everything(client, 'sort=sender&limit=3');
    const names = items.map((item) => item.from.name || item.from.address);
    expect(names).toHaveLength(12);
    const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    expect(names.map(fold)).toEqual(names.map(fold).sort());
    expect(names.filter((n) => n === 'bob')).toHaveLength(3);
    expect(names.slice(0, 2)).toEqual(['alice', 'Álvaro']);
    expect(names.at(-1)).toBe('Zoë');
  });

  it('sorts search results by the order asked for, still marking the hits', async () => {
    const { client } = await sortable();
    const { items } = await everything(client, 'q=kiwi&sort=size&limit=2');
    expect(subjects(items)).toEqual(['s6', 's10', 's0', 's8', 's2', 's4']);
    expect(items.map((item) => item.size)).toEqual([9000, 650, 500, 300, 120, 77]);
    expect(items[0]).toMatchObject({ highlights: [{ start: 0, end: 4 }] });
  });

  it('refuses an unknown order, and a cursor of another order or list', async () => {
    const { client } = await sortable();
    const unknown = await client.get('/api/messages?sort=subject');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toContain('sort');
    const bySize = await page(client, 'sort=size&limit=2');
    const byDate = await page(client, 'sort=date&limit=2');
    const plain = await page(client, 'limit=2');
    for (const query of [
      `sort=date&cursor=${bySize.nextCursor}`,
      `cursor=${bySize.nextCursor}`,
      `sort=size&cursor=${plain.nextCursor}`,
      `sort=size&cursor=${byDate.nextCursor}`,
    ]) {
      const response = await client.get(`/api/messages?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.message, query).toContain('cursor');
    }
  });
});

describe('the list cursor', () => {
  it('round-trips and rejects anything it did not write', () => {
    const cursor = {
      at: new Date('2024-01-02T03:04:05.678Z'),
      id: '0190f5a4-0000-7000-8000-000000000001',
      rank: '0.0607927',
    };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    for (const bad of ['', 'x', Buffer.from('{}').toString('base64url')]) {
      expect(decodeCursor(bad)).toBeNull();
    }
    const tampered = Buffer.from(JSON.stringify([1, cursor.id, '1; DROP TABLE'])).toString(
      'base64url',
    );
    expect(decodeCursor(tampered)).toBeNull();
  });

  it('round-trips a sorted cursor and rejects a tampered key', () => {
    const id = '0190f5a4-0000-7000-8000-000000000001';
    for (const cursor of [
      { sort: 'size' as const, key: '9000', id },
      { sort: 'date' as const, key: String(Date.UTC(2024, 0, 1)), id },
      { sort: 'sender' as const, key: 'zoë', id },
    ]) {
      expect(decodeSortedCursor(encodeSortedCursor(cursor))).toEqual(cursor);
      expect(decodeCursor(encodeSortedCursor(cursor))).toBeNull();
    }
    for (const bad of [
      ['size', '1; DROP TABLE', id],
      ['size', '-1', id],
      ['date', 'yesterday', id],
      ['sender', 'x'.repeat(201), id],
      ['subject', 'a', id],
      ['size', '1', 'not-an-id'],
    ]) {
      expect(decodeSortedCursor(Buffer.from(JSON.stringify(bad)).toString('base64url'))).toBeNull();
    }
  });
});
