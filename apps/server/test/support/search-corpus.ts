import { randomBytes } from 'node:crypto';
import type { MessageList } from '@popgate/contracts';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { Db } from '../../src/db/prisma';
import { ApiClient } from './api-client';

/**
 * A small mailbox in several languages and the messages each search must find (by subject),
 * run on PostgreSQL (search.test.ts) and on the embedded PGlite (search-embedded.test.ts).
 */
interface CorpusMessage {
  subject: string;
  account?: 'home' | 'work';
  fromName?: string;
  fromAddress?: string;
  to?: Array<{ name: string; address: string }>;
  cc?: Array<{ name: string; address: string }>;
  textBody: string;
  /** Hours before now (the list's dates and arrival); default its index. */
  hoursAgo?: number;
  date?: Date;
  size?: number;
  seen?: boolean;
  flagged?: boolean;
  trashed?: boolean;
  origin?: 'pop3' | 'sent';
  attachment?: string;
}

export const CORPUS: CorpusMessage[] = [
  {
    subject: '明日の会議について',
    fromAddress: 'tanaka@example.jp',
    textBody: '会議の資料を送ります。',
  },
  { subject: '关于会議的通知', fromAddress: 'li@example.cn', textBody: '请查看附件。' },
  {
    subject: 'Rechnung von Jürgen',
    fromName: 'Jürgen Müller',
    fromAddress: 'juergen@example.de',
    textBody:
      'Hallo, die Rechnung für das Projekt ist angehängt, bitte bezahlen Sie das invoice bis Freitag.',
  },
  {
    subject: 'Квартальный отчёт',
    fromAddress: 'ivan@example.ru',
    textBody: 'Прошу посмотреть отчёт до пятницы.',
  },
  {
    subject: 'Invoice Q3',
    fromName: 'Carol Smith',
    fromAddress: 'carol@example.net',
    textBody: 'Hello, please find the invoice attached. Thanks for your business.',
    size: 3 * 1024 * 1024,
    attachment: 'invoice-Q3.pdf',
  },
  {
    subject: 'Lunch tomorrow',
    fromName: 'Bob',
    fromAddress: 'bob@other.org',
    textBody: 'We could talk about the invoice over lunch, if you have time.',
    seen: true,
    flagged: true,
  },
  {
    subject: 'Sent reply about lunch',
    fromName: 'Me',
    fromAddress: 'me@example.org',
    to: [{ name: 'Carol Smith', address: 'carol@example.net' }],
    cc: [{ name: 'Dave', address: 'dave@cc.example' }],
    textBody: 'Yes, lunch works for me.',
    origin: 'sent',
    seen: true,
  },
  { subject: 'Old invoice trashed', textBody: 'an invoice nobody wants', trashed: true },
  { subject: '회의 일정', account: 'work', textBody: '내일 회의가 있습니다.' },
  {
    subject: 'Ancient newsletter',
    account: 'work',
    textBody: 'Spring sale, everything must go.',
    date: new Date('2020-03-01T12:00:00Z'),
  },
];

/** Queries and the subjects they find, in any order (the default folder: the inbox). */
export const EXPECTED: Array<[string, string[]]> = [
  ['会議', ['明日の会議について', '关于会議的通知']],
  ['会', ['明日の会議について', '关于会議的通知']],
  ['資料', ['明日の会議について']],
  ['회의', ['회의 일정']],
  ['Jurgen', ['Rechnung von Jürgen']],
  ['JÜRGEN', ['Rechnung von Jürgen']],
  ['отчет', ['Квартальный отчёт']],
  ['ОТЧЁТ', ['Квартальный отчёт']],
  ['invoi', ['Rechnung von Jürgen', 'Invoice Q3', 'Lunch tomorrow']],
  // A whole word (a space after it): found by its stem, in the German mail too.
  ['invoices ', ['Rechnung von Jürgen', 'Invoice Q3', 'Lunch tomorrow']],
  ['example.net', ['Invoice Q3']],
  ['example.net in:anywhere', ['Invoice Q3', 'Sent reply about lunch']],
  ['invoice-Q3.pdf', ['Invoice Q3']],
  ['filename:pdf', ['Invoice Q3']],
  ['filename:invoice-q3', ['Invoice Q3']],
  ['has:attachment', ['Invoice Q3']],
  ['from:carol', ['Invoice Q3']],
  ['from:"Carol Smith"', ['Invoice Q3']],
  ['from:example.net', ['Invoice Q3']],
  ['to:carol in:sent', ['Sent reply about lunch']],
  ['cc:dave in:sent', ['Sent reply about lunch']],
  ['cc:carol in:sent', []],
  ['subject:lunch', ['Lunch tomorrow']],
  ['in:sent', ['Sent reply about lunch']],
  ['in:trash invoice', ['Old invoice trashed']],
  ['is:starred', ['Lunch tomorrow']],
  ['is:read', ['Lunch tomorrow']],
  ['is:unread -会議 -회의 -jurgen -отчет -invoice', ['Ancient newsletter']],
  ['account:work', ['회의 일정', 'Ancient newsletter']],
  ['before:2021/01/01', ['Ancient newsletter']],
  ['after:2021-01-01 account:work', ['회의 일정']],
  ['older_than:1y', ['Ancient newsletter']],
  ['newer_than:7d account:work', ['회의 일정']],
  ['larger:1M', ['Invoice Q3']],
  ['smaller:1M invoice', ['Rechnung von Jürgen', 'Lunch tomorrow']],
  ['invoice -lunch', ['Rechnung von Jürgen', 'Invoice Q3']],
  ['lunch OR отчет', ['Квартальный отчёт', 'Lunch tomorrow']],
  ['(lunch OR отчет) -is:read', ['Квартальный отчёт']],
  ['"find the invoice"', ['Invoice Q3']],
  ['"the invoice find"', []],
];

const tag = () => randomBytes(4).toString('hex');

/** A signed-in user with the corpus in two accounts (home, work). */
export async function seedCorpus(app: FastifyInstance, prisma: Db) {
  const client = new ApiClient(app);
  const user = await client.signUp(`search-${tag()}@example.test`);
  const account = (label: string) =>
    prisma.pop3Account.create({
      data: {
        userId: user.id,
        label,
        host: `pop.${label}.example.test`,
        port: 995,
        username: `${label}-${tag()}`,
        secretCiphertext: new Uint8Array([0]),
        secretKeyId: 'test',
      },
    });
  const accounts = { home: await account('home'), work: await account('work') };
  const now = Date.now();
  for (const [i, m] of CORPUS.entries()) {
    const date = m.date ?? new Date(now - (m.hoursAgo ?? i + 1) * 3_600_000);
    const message = await prisma.message.create({
      data: {
        userId: user.id,
        accountId: accounts[m.account ?? 'home'].id,
        uidl: m.origin === 'sent' ? `sent ${tag()}` : `uidl-${tag()}`,
        size: m.size ?? 2000,
        subject: m.subject,
        fromName: m.fromName ?? '',
        fromAddress: m.fromAddress ?? 'someone@example.test',
        to: m.to ?? [],
        cc: m.cc ?? [],
        textBody: m.textBody,
        snippet: m.textBody.slice(0, 200),
        date,
        receivedAt: date,
        seen: m.seen ?? false,
        flagged: m.flagged ?? false,
        trashedAt: m.trashed ? new Date() : null,
        origin: m.origin ?? 'pop3',
        hasAttachments: Boolean(m.attachment),
      },
    });
    if (m.attachment) {
      await prisma.attachment.create({
        data: {
          messageId: message.id,
          filename: m.attachment,
          contentType: 'application/pdf',
          size: 4,
          sha256: 'x'.repeat(64),
          content: new Uint8Array([1, 2, 3, 4]),
        },
      });
    }
  }
  return { client, user, accounts };
}

export async function search(client: ApiClient, q: string, extra = ''): Promise<MessageList> {
  const response = await client.get(`/api/messages?q=${encodeURIComponent(q)}${extra}`);
  expect(response.statusCode, `${q}: ${response.body}`).toBe(200);
  return response.json<MessageList>();
}

export async function expectFound(client: ApiClient, q: string, subjects: string[]) {
  const found = (await search(client, q, '&limit=200')).items.map((item) => item.subject);
  expect(found.sort(), q).toEqual([...subjects].sort());
}
