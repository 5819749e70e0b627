import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded-postgres';
import { applyMigrations } from '../src/db/migrations';
import { takeoutLabels } from '../src/portability/takeout-labels';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { uploadImport } from './support/import-upload';

const MIGRATIONS = path.resolve(__dirname, '../../../prisma/migrations');

/** One message of a Takeout mbox: its From_ line, X-GM-LABELS as Google writes it, then the mail. */
const entry = (n: number, subject: string, labels: string) =>
  [
    `From 17${n}0000000000000${n}@xxx Mon Nov 02 08:0${n}:00 +0000 2026`,
    `X-GM-THRID: 17${n}000000000000${n}`,
    `X-GM-LABELS: ${labels}`,
    `From: Sender ${n} <sender${n}@example.test>`,
    'To: me@example.test',
    `Subject: ${subject}`,
    `Date: Mon, 02 Nov 2026 08:0${n}:00 +0000`,
    `Message-ID: <takeout${n}@example.test>`,
    '',
    `Body of ${subject}.`,
    '',
    '',
  ].join('\n');

const TAKEOUT = Buffer.from(
  [
    entry(1, 'Quarterly plan', 'Inbox,Opened,"Work/Project X",Important'),
    entry(2, 'Cafe order', 'Inbox,Unread,Café'),
    entry(3, 'Nested deep', 'Archived,Work/Project X/Drafts,Starred,Opened'),
    entry(4, 'Sent report', 'Sent,Opened,Work'),
    entry(5, 'Thrown away', 'Trash,Opened,"Label, with comma"'),
    entry(6, 'Encoded', 'Inbox,Opened,\n =?UTF-8?Q?R=C3=A9sum=C3=A9s?='),
    // No X-GM-LABELS at all: imported as any mail is.
    [
      'From someone@example.test Mon Nov 02 08:07:00 2026',
      'From: Sender 7 <sender7@example.test>',
      'Subject: Plain',
      'Date: Mon, 02 Nov 2026 08:07:00 +0000',
      'Message-ID: <takeout7@example.test>',
      '',
      'No labels.',
      '',
      '',
    ].join('\n'),
  ].join(''),
  'utf8',
);

/** label: queries and exactly what each finds (in:anywhere: the sent and trashed ones too). */
const EXPECTED: Array<[string, string[]]> = [
  ['label:"Work/Project X"', ['Nested deep', 'Quarterly plan']],
  ['label:work', ['Nested deep', 'Quarterly plan', 'Sent report']],
  ['label:"work/project x/drafts"', ['Nested deep']],
  ['label:"Work/Project"', []],
  ['label:cafe', ['Cafe order']],
  ['label:CAFÉ', ['Cafe order']],
  ['label:"label, with comma"', ['Thrown away']],
  ['label:résumés', ['Encoded']],
  ['label:resumes', ['Encoded']],
  ['label:important', ['Quarterly plan']],
  ['label:inbox -label:work', ['Cafe order', 'Encoded']],
  ['label:archived OR label:important', ['Nested deep', 'Quarterly plan']],
  // States Popgate keeps itself are not labels: they set the message's state instead.
  ['label:unread', []],
  ['label:starred', []],
  ['label:nothing-like-it', []],
];

describe('Takeout labels read from X-GM-LABELS', () => {
  it('splits on commas outside quotes, unfolds, decodes encoded words and drops repeats', () => {
    const raw = Buffer.from(
      'X-GM-LABELS: Inbox,"A, \\"quoted\\" one",\r\n =?UTF-8?B?w4lneXB0ZQ==?=, inbox ,Work/Sub\r\n' +
        'Subject: x\r\n\r\nX-GM-LABELS: not a header here\r\n',
    );
    expect(takeoutLabels(raw)).toEqual(['Inbox', 'A, "quoted" one', 'Égypte', 'Work/Sub']);
    expect(takeoutLabels(Buffer.from('Subject: none\r\n\r\nX-GM-LABELS: body\r\n'))).toBeNull();
  });
});

describe.each([
  ['PostgreSQL', false],
  ['the embedded database', true],
])('label: search after a Takeout import, on %s', (_name, embedded) => {
  let database: EmbeddedPostgres | undefined;
  let subject: Awaited<ReturnType<typeof testApp>>;
  let owner: ApiClient;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-labels-'));

  beforeAll(async () => {
    if (embedded) {
      database = await startEmbeddedPostgres(dataDir);
      await applyMigrations(database.url, MIGRATIONS);
    }
    subject = await testApp(database ? { databaseUrl: database.url, connections: 1 } : {});
    owner = new ApiClient(subject.app);
    await owner.signUp(`takeout-${Date.now()}-${Math.random()}@example.test`);
    // The first user of a new database is its admin; others may then sign up too.
    if (embedded) await owner.patch('/api/admin/policy', { signupOpen: true });
    const job = await uploadImport(subject.app, owner, 'Takeout.mbox', TAKEOUT);
    expect(job).toMatchObject({ status: 'done', imported: 7, duplicates: 0, failed: 0 });
  }, 120_000);
  afterAll(async () => {
    await subject?.close();
    await database?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const found = async (q: string) => {
    const reply = await owner.get(`/api/messages?q=${encodeURIComponent(`${q} in:anywhere`)}`);
    expect(reply.statusCode, reply.body).toBe(200);
    return (reply.json().items as Array<{ subject: string }>).map((m) => m.subject).sort();
  };

  it('finds exactly the labelled messages, case- and accent-insensitive, parents finding nested labels', async () => {
    for (const [q, subjects] of EXPECTED) expect(await found(q), q).toEqual(subjects);
  });

  it('maps Unread, Opened, Starred, Sent and Trash to states and shows the other labels on the message', async () => {
    const list = (await owner.get('/api/messages?q=in:anywhere&limit=50')).json().items as Array<{
      id: string;
      subject: string;
      seen: boolean;
      flagged: boolean;
    }>;
    const by = (s: string) => list.find((m) => m.subject === s)!;
    expect(by('Cafe order')).toMatchObject({ seen: false, flagged: false });
    expect(by('Quarterly plan')).toMatchObject({ seen: true, flagged: false });
    expect(by('Nested deep')).toMatchObject({ seen: true, flagged: true });
    expect(by('Plain')).toMatchObject({ seen: false, flagged: false });
    expect(await found('in:sent')).toEqual(['Sent report']);
    expect(await found('in:trash')).toEqual(['Thrown away']);
    const detail = (await owner.get(`/api/messages/${by('Quarterly plan').id}`)).json();
    expect(detail.labels).toEqual(['Important', 'Inbox', 'Work/Project X']);
    expect((await owner.get(`/api/messages/${by('Plain').id}`)).json().labels).toEqual([]);
  });

  it('lists the labels for the search box, each once with how many messages carry it', async () => {
    const reply = await owner.get('/api/labels');
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json().items).toEqual([
      { name: 'Archived', messages: 1 },
      { name: 'Café', messages: 1 },
      { name: 'Important', messages: 1 },
      { name: 'Inbox', messages: 3 },
      { name: 'Label, with comma', messages: 1 },
      { name: 'Résumés', messages: 1 },
      { name: 'Work', messages: 1 },
      { name: 'Work/Project X', messages: 1 },
      { name: 'Work/Project X/Drafts', messages: 1 },
    ]);
    const stranger = new ApiClient(subject.app);
    await stranger.signUp(`no-labels-${Date.now()}-${Math.random()}@example.test`);
    expect((await stranger.get('/api/labels')).json().items).toEqual([]);
  });

  it('a second import of the same file adds neither messages nor labels', async () => {
    const again = await uploadImport(subject.app, owner, 'Takeout.mbox', TAKEOUT);
    expect(again).toMatchObject({ status: 'done', imported: 0, duplicates: 7 });
    expect(await found('label:work')).toEqual(['Nested deep', 'Quarterly plan', 'Sent report']);
  });
});
