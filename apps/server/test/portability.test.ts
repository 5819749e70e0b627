import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { linkAccount } from '../src/accounts/link-account';
import { importMailbox } from '../src/portability/import-mailbox';
import { importTarget } from '../src/portability/imported-source';
import { syncAccount } from '../src/sync/account-sync';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { uploadImport } from './support/import-upload';
import { testSyncContext } from './support/sync-context';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const never = new AbortController().signal;

let dovecot: Dovecot;
let subject: Awaited<ReturnType<typeof testApp>>;
let harness: Awaited<ReturnType<typeof testSyncContext>>;
let tmp: string;

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ username: 'porter', password: 'porter-pw' }] });
  subject = await testApp();
  harness = await testSyncContext(subject.db.prisma);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-portability-'));
});
afterAll(async () => {
  await harness?.close();
  await subject?.close();
  await dovecot?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const mail = (n: number, body: string) =>
  Buffer.from(
    [
      `From: Sender ${n} <sender${n}@example.test>`,
      'To: porter@example.test',
      `Subject: Portable ${n}`,
      `Date: Mon, 02 Nov 2026 08:${String(n).padStart(2, '0')}:00 +0000`,
      `Message-ID: <portable${n}@example.test>`,
      '',
      body,
      '',
    ].join('\r\n'),
  );

/** A new user with messages `base + n` (bodies "<text> n.") imported from an mbox. */
async function ownerWithMail(tag: string, numbers: number[], base: number, text: string) {
  const owner = new ApiClient(subject.app);
  const me = await owner.signUp(`${tag}-${Date.now()}@example.test`);
  const accountId = await importTarget(subject.db.prisma, me.id);
  const file = path.join(tmp, `${tag}.mbox`);
  fs.writeFileSync(
    file,
    Buffer.concat(
      numbers.flatMap((n) => [
        Buffer.from(`From a@example.test Mon Nov  2 08:0${n}:00 2026\n`),
        mail(base + n, `${text} ${n}.`),
        Buffer.from('\n'),
      ]),
    ),
  );
  await importMailbox(subject.db.prisma, {
    userId: me.id,
    accountId,
    path: file,
    maxMessageBytes: 1024 * 1024,
  });
  return { owner, me };
}

async function storedShas(userId: string): Promise<string[]> {
  const messages = await subject.db.prisma.message.findMany({
    where: { userId },
    select: { source: { select: { bytes: true } } },
  });
  return messages.map((m) => sha(m.source!.bytes)).sort();
}

describe('export and import', () => {
  it('round trip: mail synced from Dovecot, exported as mbox and as zip, imports into a new user byte-exact, once', async () => {
    const sent = [
      mail(1, 'Plain body.'),
      mail(
        2,
        'From the start of a line, mbox must quote this.\r\n>From quoted already\r\n>>From twice',
      ),
      mail(3, 'caf\xe9 8-bit line\r\n\r\nFrom after an empty line'),
      mail(4, '.a line starting with a dot'),
    ];
    for (const raw of sent) await dovecot.deliver('porter', raw);
    const owner = new ApiClient(subject.app);
    const me = await owner.signUp(`owner-${Date.now()}@example.test`);
    const account = await linkAccount(subject.db.prisma, harness.keyring, me.id, {
      label: 'Dovecot',
      host: '127.0.0.1',
      port: dovecot.tlsPort,
      security: 'tls',
      username: 'porter',
      password: 'porter-pw',
      auth: 'auto',
      tls: { caPem: dovecot.caPem },
    });
    expect(await syncAccount(harness.ctx, account.id, never)).toMatchObject({
      ok: true,
      newMessages: 4,
    });
    const original = await storedShas(me.id);
    expect(original).toHaveLength(4);

    const mbox = await owner.get('/api/export?format=mbox');
    expect(mbox.statusCode).toBe(200);
    expect(mbox.headers['content-type']).toBe('application/mbox');
    expect(mbox.rawPayload.toString('latin1')).toContain('\n>From the start of a line');
    expect(mbox.rawPayload.toString('latin1')).toContain('\n>>From quoted already');
    const zip = await owner.get(`/api/export?format=zip&accountId=${account.id}`);
    expect(zip.statusCode).toBe(200);
    expect(zip.rawPayload.subarray(0, 2).toString()).toBe('PK');

    for (const [name, bytes] of [
      ['mail.mbox', mbox.rawPayload],
      ['mail.zip', zip.rawPayload],
    ] as const) {
      const newcomer = new ApiClient(subject.app);
      const them = await newcomer.signUp(`newcomer-${name}-${Date.now()}@example.test`);
      const first = await uploadImport(subject.app, newcomer, name, bytes);
      expect(first).toMatchObject({ status: 'done', imported: 4, duplicates: 0, failed: 0 });
      expect(await storedShas(them.id)).toEqual(original);
      const again = await uploadImport(subject.app, newcomer, name, bytes);
      expect(again).toMatchObject({ status: 'done', imported: 0, duplicates: 4, failed: 0 });
      expect(await storedShas(them.id)).toEqual(original);
      // Imported mail is listed and searched like downloaded mail.
      const found = (await newcomer.get('/api/messages?q=quote')).json().items;
      expect(found.map((m: { subject: string }) => m.subject)).toEqual(['Portable 2']);
    }
    // A search narrows the export.
    const one = await owner.get(
      `/api/export?format=mbox&q=${encodeURIComponent('subject:"Portable 3"')}`,
    );
    expect(one.rawPayload.toString('latin1').match(/^From /gm)).toHaveLength(1);
  });

  it('prepares an export as a file whose download resumes with HTTP Range', async () => {
    const { owner, me } = await ownerWithMail('resume', [1, 2, 3], 80, 'Resumable');
    const streamed = (await owner.get('/api/export?format=mbox')).rawPayload;

    const started = await owner.post('/api/exports', { format: 'mbox' });
    expect(started.statusCode).toBe(202);
    const id = started.json().id;
    let job = started.json();
    while (job.status === 'running') {
      await new Promise((r) => setTimeout(r, 50));
      job = (await owner.get(`/api/exports/${id}`)).json();
    }
    expect(job).toMatchObject({ status: 'done', messages: 3, bytes: streamed.length });
    const whole = await owner.get(`/api/exports/${id}/file`);
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.rawPayload.equals(streamed)).toBe(true);

    const etag = String(whole.headers.etag);
    const rest = await owner.get(`/api/exports/${id}/file`, {
      range: 'bytes=100-',
      'if-range': etag,
    });
    expect(rest.statusCode).toBe(206);
    expect(rest.headers['content-range']).toBe(
      `bytes 100-${streamed.length - 1}/${streamed.length}`,
    );
    expect(rest.rawPayload.equals(streamed.subarray(100))).toBe(true);
    // Another file under the same id (an old ETag): the whole file again, not a wrong part.
    const changed = await owner.get(`/api/exports/${id}/file`, {
      range: 'bytes=100-',
      'if-range': '"something else"',
    });
    expect(changed.statusCode).toBe(200);
    const beyond = await owner.get(`/api/exports/${id}/file`, {
      range: `bytes=${streamed.length}-`,
    });
    expect(beyond.statusCode).toBe(416);
    // Not someone else's.
    const stranger = new ApiClient(subject.app);
    await stranger.signUp(`resume-stranger-${Date.now()}@example.test`);
    expect((await stranger.get(`/api/exports/${id}/file`)).statusCode).toBe(404);
    // A user who leaves takes the prepared file along.
    const exported = path.join(subject.app.config.dataDir, 'exports', me.id, `${id}.export`);
    expect(fs.existsSync(exported)).toBe(true);
    const left = await owner.request('DELETE', '/api/auth/me', {
      password: 'correct horse battery',
    });
    expect(left.statusCode).toBe(204);
    await expect.poll(() => fs.existsSync(exported)).toBe(false);
  });

  it('a streamed export announces its progress: messages and bytes out of the total, then done', async () => {
    const { owner, me } = await ownerWithMail('streamed', [1, 2, 3, 4], 60, 'Streamed');
    const download = await owner.get('/api/export?format=zip');
    expect(download.statusCode).toBe(200);
    const id = download.headers['x-export-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const announced = async () =>
      (
        await subject.db.prisma.event.findMany({
          where: { userId: me.id, type: 'export.progress' },
          orderBy: { id: 'asc' },
        })
      ).map((event) => event.payload as Record<string, unknown>);
    await expect.poll(async () => (await announced()).at(-1)?.status).toBe('done');
    const events = await announced();
    expect(events.every((event) => event.id === id && event.streamed === true)).toBe(true);
    expect(events.at(-1)).toMatchObject({
      format: 'zip',
      messages: 4,
      total: 4,
      bytes: download.rawPayload.length,
    });
  });

  it("exports nothing of an account that is not the caller's", async () => {
    const stranger = new ApiClient(subject.app);
    await stranger.signUp(`stranger-${Date.now()}@example.test`);
    const response = await stranger.get(
      '/api/export?format=mbox&accountId=00000000-0000-7000-8000-000000000000',
    );
    expect(response.statusCode).toBe(404);
    expect((await stranger.get('/api/export?format=tar')).statusCode).toBe(400);
  });
});

/** A zip whose entries are given as name and bytes (deflated). */
async function zipOf(entries: Array<[string, Buffer | Readable]>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, bytes] of entries)
    if (Buffer.isBuffer(bytes)) zip.addBuffer(bytes, name);
    else zip.addReadStream(bytes, name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Zeros as a stream, for a zip bomb. */
function zeros(bytes: number): Readable {
  const out = new PassThrough();
  const block = Buffer.alloc(1024 * 1024);
  let left = bytes;
  const write = () => {
    while (left > 0) {
      left -= block.length;
      if (!out.write(block)) return void out.once('drain', write);
    }
    out.end();
  };
  write();
  return out;
}

describe('importing a Google Takeout mbox', () => {
  it('skips a message already stored whose copy only adds Takeout headers (same Message-ID, same body), imports the rest', async () => {
    const prisma = subject.db.prisma;
    const user = await prisma.user.create({
      data: { email: `takeout-${Math.random().toString(16).slice(2)}@example.test` },
    });
    const accountId = await importTarget(prisma, user.id);
    const write = (name: string, bytes: Buffer) => {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, bytes);
      return file;
    };
    const from = Buffer.from('From 1780000000000000000@xxx Mon Nov 02 08:00:00 +0000 2026\n');
    const first = mail(70, 'Seen before.');
    await importMailbox(prisma, {
      userId: user.id,
      accountId,
      path: write('first.mbox', Buffer.concat([from, first, Buffer.from('\n')])),
      maxMessageBytes: 1024 * 1024,
    });
    const takeout = (raw: Buffer) =>
      Buffer.concat([
        Buffer.from('X-GM-THRID: 1780000000000000000\r\nX-Gmail-Labels: Inbox,Important\r\n'),
        raw,
      ]);
    const summary = await importMailbox(prisma, {
      userId: user.id,
      accountId,
      path: write(
        'takeout.mbox',
        Buffer.concat([
          from,
          takeout(first),
          Buffer.from('\n'),
          from,
          takeout(mail(71, 'New here.')),
          Buffer.from('\n'),
        ]),
      ),
      maxMessageBytes: 1024 * 1024,
    });
    expect(summary).toMatchObject({ imported: 1, duplicates: 1, failed: 0 });
    expect(await prisma.message.count({ where: { userId: user.id } })).toBe(2);
  });
});

describe('importing bad input', () => {
  const good = (n: number) => mail(50 + n, `Good message ${n}.`);
  const fromLine = Buffer.from('From someone@example.test Mon Nov  2 08:00:00 2026\n');
  const mboxOf = (...messages: Buffer[]) =>
    Buffer.concat(messages.flatMap((m) => [fromLine, m, Buffer.from('\n')]));

  const cases: Array<[string, () => Promise<Buffer>, { imported: number; reasons: RegExp[] }]> = [
    [
      'a truncated mbox: the message cut off is reported',
      async () => {
        const whole = mboxOf(good(1), good(2));
        return Buffer.concat([whole, fromLine, good(3).subarray(0, 60)]);
      },
      { imported: 2, reasons: [/cut off/] },
    ],
    [
      'a single message above the limit: reported, not held in memory',
      async () =>
        mboxOf(good(1), Buffer.concat([good(2), Buffer.alloc(3 * 1024 * 1024, 'x\n')]), good(3)),
      { imported: 2, reasons: [/larger than/] },
    ],
    [
      'a line longer than a message may be',
      async () =>
        mboxOf(
          good(1),
          Buffer.concat([good(2), Buffer.alloc(3 * 1024 * 1024, 'y'), Buffer.from('\n')]),
          good(3),
        ),
      { imported: 2, reasons: [/larger than/] },
    ],
    [
      'non-UTF-8 From lines (Thunderbird "From - ", Latin-1 bytes) are read as From lines',
      async () =>
        Buffer.concat([
          Buffer.from('From - Mon Nov  2 08:00:00 2026\n'),
          good(1),
          Buffer.from('\nFrom \xe9t\xe9@example.test \xff\xfe Nov  2 08:00:00 2026\n', 'latin1'),
          good(2),
          Buffer.from('\n'),
        ]),
      { imported: 2, reasons: [] },
    ],
    [
      'a zip bomb: an entry inflating past the limit stops there',
      async () =>
        zipOf([
          ['one.eml', good(1)],
          ['bomb.eml', zeros(64 * 1024 * 1024)],
          ['two.eml', good(2)],
        ]),
      { imported: 2, reasons: [/inflates past|larger than/] },
    ],
    [
      'path traversal names in a zip are refused',
      async () => {
        const zip = await zipOf([
          ['one.eml', good(1)],
          ['aa/aa/evil.eml', good(2)],
        ]);
        // yazl will not write such a name: change it in place (local and central headers).
        return Buffer.from(
          zip.toString('latin1').replaceAll('aa/aa/evil.eml', '../../evil.eml'),
          'latin1',
        );
      },
      { imported: 1, reasons: [/outside the zip/] },
    ],
    [
      'an .eml that is not mail, and a file that is not a message, in a zip',
      async () =>
        zipOf([
          ['one.eml', good(1)],
          [
            'picture.eml',
            Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
          ],
          ['notes.txt', Buffer.from('hello')],
        ]),
      { imported: 1, reasons: [/not a mail message/, /not a message file/] },
    ],
    [
      'a Maildir zip: cur/ and new/ are messages, dovecot files are skipped',
      async () =>
        zipOf([
          ['Maildir/cur/1700000000.M1P1.host:2,S', good(1)],
          ['Maildir/new/1700000001.M2P2.host', good(2)],
          ['Maildir/dovecot-uidlist', Buffer.from('3 V1 N3\n')],
          ['Maildir/tmp/1700000002.M3P3.host', good(3)],
        ]),
      { imported: 2, reasons: [] },
    ],
    [
      'neither mbox nor zip nor mail',
      async () => Buffer.from('%PDF-1.7\n'),
      { imported: 0, reasons: [/neither an mbox/] },
    ],
  ];

  it.each(cases)('%s', async (_name, make, expected) => {
    const prisma = subject.db.prisma;
    const user = await prisma.user.create({
      data: { email: `bad-${Math.random().toString(16).slice(2)}@example.test` },
    });
    const accountId = await importTarget(prisma, user.id);
    const file = path.join(tmp, `input-${Math.random().toString(16).slice(2)}`);
    fs.writeFileSync(file, await make());
    const before = process.memoryUsage().rss;
    const summary = await importMailbox(prisma, {
      userId: user.id,
      accountId,
      path: file,
      maxMessageBytes: 1024 * 1024,
    });
    expect(summary.imported).toBe(expected.imported);
    expect(summary.failed).toBe(expected.reasons.length);
    expected.reasons.forEach((reason, i) => expect(summary.problems[i]!.reason).toMatch(reason));
    // Bounded: nothing near the 64 MB a bomb would inflate to was held.
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
    expect(await prisma.message.count({ where: { userId: user.id } })).toBe(expected.imported);
  });
});
