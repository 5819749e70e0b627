import { randomBytes } from 'node:crypto';
import type { MessageList } from '@popgate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../src/mail/parse-message';
import { storeMessages } from '../src/messages/store';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';

let subject: Awaited<ReturnType<typeof testApp>>;
let client: ApiClient;
beforeAll(async () => {
  subject = await testApp();
  client = new ApiClient(subject.app);
  const user = await client.signUp(`marks-${randomBytes(4).toString('hex')}@example.test`);
  const account = await subject.app.db.prisma.pop3Account.create({
    data: {
      userId: user.id,
      label: 'home',
      host: 'pop.example.test',
      port: 995,
      username: 'home',
      secretCiphertext: new Uint8Array([0]),
      secretKeyId: 'test',
    },
  });
  const mails = [
    ['Carol Jones <carol@example.net>', 'Reader <reader@example.test>', 'Budget'],
    ['bob@example.org', 'Carol Jones <carol@example.net>, Dave <dave@example.org>', 'Lunch'],
    ['Erin <erin@example.com>', 'Team <team@example.net>', 'Plans'],
  ];
  const batch = await Promise.all(
    mails.map(async ([from, to, title], i) => {
      const raw = Buffer.from(
        [
          `From: ${from}`,
          `To: ${to}`,
          `Subject: ${title}`,
          'Date: Mon, 02 Nov 2026 08:00:00 +0000',
          '',
          `About ${title}.`,
          '',
        ].join('\r\n'),
      );
      return {
        message: {
          accountId: account.id,
          userId: user.id,
          uidl: `u-${i}`,
          listedSize: raw.length,
          raw,
          headersOnly: false,
          receivedAt: new Date(Date.UTC(2026, 10, 2, 8, i)),
        },
        parsed: await parseMessage(raw),
      };
    }),
  );
  await storeMessages(subject.app.db.prisma, batch);
});
afterAll(async () => {
  await subject?.close();
});

async function search(q: string) {
  const response = await client.get(`/api/messages?q=${encodeURIComponent(q)}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<MessageList>().items;
}
const marked = (text: string, ranges: Array<{ start: number; end: number }> = []) =>
  ranges.map((r) => text.slice(r.start, r.end));

describe('from: and to: marked in the list rows', () => {
  it('marks the from: value in the sender the row shows', async () => {
    const [row, ...rest] = await search('from:carol');
    expect(rest).toEqual([]);
    expect(row!.subject).toBe('Budget');
    expect(marked(row!.from.name, row!.fromHighlights)).toEqual(['Carol']);
    expect(row!.toHighlights).toBeUndefined();
  });

  it('marks the whole name when from: found the address behind it, and a bare address in place', async () => {
    const rows = await search('from:example.net');
    expect(rows.map((r) => r.subject)).toEqual(['Budget']);
    expect(marked('Carol Jones', rows[0]!.fromHighlights)).toEqual(['Carol Jones']);
    const [bare] = await search('from:bob');
    expect(bare!.from).toEqual({ name: '', address: 'bob@example.org' });
    expect(marked('bob@example.org', bare!.fromHighlights)).toEqual(['bob']);
  });

  it('marks the recipients to: found, by their place in `to`, the sender left alone', async () => {
    const rows = await search('to:example.net');
    expect(rows.map((r) => r.subject).sort()).toEqual(['Lunch', 'Plans']);
    const lunch = rows.find((r) => r.subject === 'Lunch')!;
    expect(lunch.to!.map((a) => a.name)).toEqual(['Carol Jones', 'Dave']);
    expect(lunch.toHighlights).toEqual([{ index: 0, ranges: [{ start: 0, end: 11 }] }]);
    expect(lunch.fromHighlights).toBeUndefined();
    const [dave] = await search('to:dave');
    expect(dave!.toHighlights).toEqual([{ index: 1, ranges: [{ start: 0, end: 4 }] }]);
  });

  it('marks nothing for a value under a minus sign, and keeps marking plain words', async () => {
    const rows = await search('-from:carol lunch');
    expect(rows.map((r) => r.subject)).toEqual(['Lunch']);
    expect(rows[0]!.fromHighlights).toBeUndefined();
    expect(marked('Lunch', rows[0]!.subjectHighlights)).toEqual(['Lunch']);
    // Without a search nothing is marked at all.
    const all = (await client.get('/api/messages')).json<MessageList>().items;
    expect(all.every((r) => !r.fromHighlights && !r.toHighlights)).toBe(true);
  });
});
