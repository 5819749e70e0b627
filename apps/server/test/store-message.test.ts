import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { parseMessage } from '../src/mail/parse-message';
import { completeMessage, storeMessage, type DownloadedMessage } from '../src/messages/store';
import { userWithAccount } from './support/fixtures';

let prisma: Db;
beforeAll(() => {
  prisma = createPrismaClient(inject('databaseUrl'), 8);
});
afterAll(() => prisma.$disconnect());

const raw = (subject: string, extra: string[] = []) =>
  Buffer.from(
    [
      'From: Ada <ada@example.test>',
      `Subject: ${subject}`,
      'Date: Mon, 02 Nov 2026 08:00:00 +0000',
      ...extra,
      '',
      'Body of the message.',
      '',
    ].join('\r\n'),
  );

function downloaded(
  accountId: string,
  userId: string,
  uidl: string,
  bytes: Buffer,
  headersOnly = false,
): DownloadedMessage {
  return {
    accountId,
    userId,
    uidl,
    listedSize: bytes.length,
    raw: bytes,
    headersOnly,
    receivedAt: new Date(),
  };
}

describe('storing a downloaded message', () => {
  it('commits the raw bytes, the parsed fields and the attachments', async () => {
    const { user, account } = await userWithAccount(prisma);
    const bytes = Buffer.from(
      [
        'From: Ada <ada@example.test>',
        'Subject: with attachment',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'See attached.',
        '--b',
        'Content-Type: text/csv; name="n.csv"',
        'Content-Disposition: attachment; filename="n.csv"',
        '',
        'a,b',
        '--b--',
        '',
      ].join('\r\n'),
    );
    const result = await storeMessage(
      prisma,
      downloaded(account.id, user.id, 'U1', bytes),
      await parseMessage(bytes),
    );
    expect(result.created).toBe(true);
    const stored = await prisma.message.findUniqueOrThrow({
      where: { id: result.id },
      include: { source: true, attachments: true },
    });
    expect(Buffer.from(stored.source!.bytes).equals(bytes)).toBe(true);
    expect(stored).toMatchObject({
      subject: 'with attachment',
      fromAddress: 'ada@example.test',
      hasAttachments: true,
      seen: false,
    });
    expect(stored.attachments.map((a) => [a.filename, Buffer.from(a.content).toString()])).toEqual([
      ['n.csv', 'a,b'],
    ]);
  });

  it('writes nothing the second time the same (account, UIDL) arrives', async () => {
    const { user, account } = await userWithAccount(prisma);
    const bytes = raw('twice');
    const parsed = await parseMessage(bytes);
    const first = await storeMessage(prisma, downloaded(account.id, user.id, 'U1', bytes), parsed);
    const second = await storeMessage(prisma, downloaded(account.id, user.id, 'U1', bytes), parsed);
    expect(second).toEqual({ id: first.id, created: false });
    expect(await prisma.message.count({ where: { accountId: account.id } })).toBe(1);
  });

  it('stores a message exactly once when several writers race for it', async () => {
    const { user, account } = await userWithAccount(prisma);
    const bytes = raw('race');
    const parsed = await parseMessage(bytes);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        storeMessage(prisma, downloaded(account.id, user.id, 'RACE', bytes), parsed),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await prisma.message.count({ where: { accountId: account.id } })).toBe(1);
  });

  it('keeps identical bytes once, shared by the messages that carry them', async () => {
    const one = await userWithAccount(prisma);
    const two = await userWithAccount(prisma);
    const bytes = raw(`shared ${Math.random()}`);
    const parsed = await parseMessage(bytes);
    const a = await storeMessage(
      prisma,
      downloaded(one.account.id, one.user.id, 'X', bytes),
      parsed,
    );
    const b = await storeMessage(
      prisma,
      downloaded(two.account.id, two.user.id, 'Y', bytes),
      parsed,
    );
    const rows = await prisma.message.findMany({
      where: { id: { in: [a.id, b.id] } },
      select: { sourceSha256: true },
    });
    expect(rows[0]!.sourceSha256).toBe(rows[1]!.sourceSha256);
    expect(await prisma.messageSource.count({ where: { sha256: rows[0]!.sourceSha256! } })).toBe(1);
  });

  it('keeps a message that could not be parsed, flagged, with its raw bytes', async () => {
    const { user, account } = await userWithAccount(prisma);
    const bytes = Buffer.from([0xff, 0xfe, 0, 1, 2, 13, 10]);
    const parsed = { ...(await parseMessage(bytes)), parseError: 'MIME parsing failed: test' };
    const result = await storeMessage(
      prisma,
      downloaded(account.id, user.id, 'BAD', bytes),
      parsed,
    );
    const stored = await prisma.message.findUniqueOrThrow({
      where: { id: result.id },
      include: { source: true },
    });
    expect(stored.parseError).toBe('MIME parsing failed: test');
    expect(Buffer.from(stored.source!.bytes).equals(bytes)).toBe(true);
  });

  it('completes a headers-only message in place, keeping its flags', async () => {
    const { user, account } = await userWithAccount(prisma);
    const headers = Buffer.from(
      'From: a@example.test\r\nSubject: big one\r\nDate: Mon, 02 Nov 2026 08:00:00 +0000\r\n\r\n',
    );
    const stub = await storeMessage(
      prisma,
      downloaded(account.id, user.id, 'BIG', headers, true),
      await parseMessage(headers),
    );
    await prisma.message.update({ where: { id: stub.id }, data: { flagged: true } });
    const full = Buffer.concat([headers, Buffer.from('The whole body.\r\n')]);
    await completeMessage(
      prisma,
      stub.id,
      { raw: full, receivedAt: new Date() },
      await parseMessage(full),
    );
    const stored = await prisma.message.findUniqueOrThrow({
      where: { id: stub.id },
      include: { source: true },
    });
    expect(stored).toMatchObject({ headersOnly: false, flagged: true, subject: 'big one' });
    expect(stored.textBody).toContain('The whole body.');
    expect(Buffer.from(stored.source!.bytes).equals(full)).toBe(true);
  });
});
