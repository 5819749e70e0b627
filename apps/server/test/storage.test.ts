import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded-postgres';
import { applyMigrations } from '../src/db/migrations';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { migrationsDir } from '../src/paths';

/** The same storage behaviour, on the external PostgreSQL server and on the embedded one. */
const targets = [
  {
    name: 'external PostgreSQL',
    /** Debian's PostgreSQL is built with lz4. */
    compression: 'lz4',
    async open() {
      return { url: inject('databaseUrl'), poolSize: 4, stop: async () => {} };
    },
  },
  {
    name: 'embedded PostgreSQL (PGlite)',
    /** PGlite is built without lz4: the migration leaves pglz there. */
    compression: 'pglz',
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-embedded-'));
      const embedded: EmbeddedPostgres = await startEmbeddedPostgres(dir);
      await applyMigrations(embedded.url, migrationsDir());
      return {
        url: embedded.url,
        poolSize: 1,
        stop: async () => {
          await embedded.stop();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

describe.each(targets)('storage on $name', (target) => {
  let prisma: Db;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const opened = await target.open();
    stop = opened.stop;
    prisma = createPrismaClient(opened.url, opened.poolSize);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await stop?.();
  });

  const unique = () => randomBytes(4).toString('hex');

  async function userWithAccount() {
    const user = await prisma.user.create({
      data: { email: `u-${unique()}@example.test`, passwordHash: 'x' },
    });
    const account = await prisma.pop3Account.create({
      data: {
        userId: user.id,
        label: 'Home',
        host: 'pop.example.test',
        port: 995,
        username: 'me',
        secretCiphertext: Buffer.from([1, 2, 3, 0, 255]),
        secretKeyId: 'k1',
      },
    });
    return { user, account };
  }

  it('stores an account with its sealed secret and the default policy', async () => {
    const { account } = await userWithAccount();
    const stored = await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } });
    expect(Buffer.from(stored.secretCiphertext)).toEqual(Buffer.from([1, 2, 3, 0, 255]));
    expect(stored).toMatchObject({
      security: 'tls',
      authMethod: 'auto',
      leaveOnServer: true,
      deleteAfterDays: null,
      deleteWhenDeletedHere: false,
      pollSeconds: 300,
      status: 'new',
    });
  });

  it('stores each server message (account, UIDL) exactly once', async () => {
    const { user, account } = await userWithAccount();
    const message = {
      accountId: account.id,
      userId: user.id,
      uidl: 'UID-1',
      size: 10,
      date: new Date(),
    };
    await prisma.message.create({ data: message });
    await expect(prisma.message.create({ data: message })).rejects.toMatchObject({ code: 'P2002' });
    const again = await prisma.message.createMany({ data: [message], skipDuplicates: true });
    expect(again.count).toBe(0);
    expect(await prisma.message.count({ where: { accountId: account.id } })).toBe(1);
  });

  it('keeps raw bytes byte-exact and content-addressed', async () => {
    const bytes = Buffer.concat([
      Buffer.from('Subject: caf\xe9\r\n\r\n.dot\nbare LF\r\n', 'latin1'),
      randomBytes(64),
    ]);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await prisma.messageSource.create({ data: { sha256, size: bytes.length, bytes } });
    const second = await prisma.messageSource.createMany({
      data: [{ sha256, size: bytes.length, bytes }],
      skipDuplicates: true,
    });
    expect(second.count).toBe(0);
    const stored = await prisma.messageSource.findUniqueOrThrow({ where: { sha256 } });
    expect(Buffer.from(stored.bytes).equals(bytes)).toBe(true);
  });

  it(`compresses large message bytes with ${target.compression} and reads them back byte-exact`, async () => {
    const line = (n: number) => `Line ${n} of a long and rather repetitive message body.\r\n`;
    const bytes = Buffer.from(Array.from({ length: 4000 }, (_, n) => line(n)).join(''));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await prisma.messageSource.create({ data: { sha256, size: bytes.length, bytes } });
    const [stored] = await prisma.$queryRaw<{ method: string; stored: number; bytes: Buffer }[]>`
      SELECT pg_column_compression(bytes) AS method, pg_column_size(bytes) AS stored, bytes
      FROM message_sources WHERE sha256 = ${sha256}`;
    expect(stored!.method).toBe(target.compression);
    expect(stored!.stored).toBeLessThan(bytes.length / 2);
    expect(Buffer.from(stored!.bytes).equals(bytes)).toBe(true);
  });

  it('refuses to delete raw bytes a message still points to', async () => {
    const { user, account } = await userWithAccount();
    const bytes = randomBytes(32);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await prisma.messageSource.create({ data: { sha256, size: 32, bytes } });
    await prisma.message.create({
      data: {
        accountId: account.id,
        userId: user.id,
        uidl: 'A',
        size: 32,
        date: new Date(),
        sourceSha256: sha256,
      },
    });
    await expect(prisma.messageSource.delete({ where: { sha256 } })).rejects.toBeTruthy();
  });

  it('fills the full-text column and finds messages by words of subject, sender and body', async () => {
    const { user, account } = await userWithAccount();
    const word = `zebra${unique()}`;
    await prisma.message.create({
      data: {
        accountId: account.id,
        userId: user.id,
        uidl: 'S1',
        size: 1,
        date: new Date(),
        subject: `Quarterly ${word} report`,
        fromName: 'Ada Lovelace',
        fromAddress: 'ada@example.test',
        textBody: 'The numbers are in the attachment.',
      },
    });
    const find = (q: string) =>
      prisma.$queryRaw<
        { id: string }[]
      >`SELECT id FROM messages WHERE "userId" = ${user.id}::uuid AND search @@ websearch_to_tsquery('simple', ${q})`;
    expect(await find(word)).toHaveLength(1);
    expect(await find('lovelace')).toHaveLength(1);
    expect(await find('attachment numbers')).toHaveLength(1);
    expect(await find(`${word} -attachment`)).toHaveLength(0);
  });

  it('pages a user newest first by (date, id) without gaps or repeats', async () => {
    const { user, account } = await userWithAccount();
    const base = Date.UTC(2026, 0, 1);
    await prisma.message.createMany({
      data: Array.from({ length: 25 }, (_, i) => ({
        accountId: account.id,
        userId: user.id,
        uidl: `P${i}`,
        size: 1,
        // Pairs share a timestamp: the id breaks the tie.
        date: new Date(base + Math.floor(i / 2) * 60_000),
      })),
    });
    const seen: string[] = [];
    let cursor: { date: Date; id: string } | undefined;
    for (;;) {
      const page = await prisma.message.findMany({
        where: {
          userId: user.id,
          ...(cursor && {
            OR: [{ date: { lt: cursor.date } }, { date: cursor.date, id: { lt: cursor.id } }],
          }),
        },
        orderBy: [{ date: 'desc' }, { id: 'desc' }],
        take: 7,
      });
      if (page.length === 0) break;
      seen.push(...page.map((m) => m.uidl));
      const last = page.at(-1)!;
      cursor = { date: last.date, id: last.id };
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen.slice(0, 2).sort()).toEqual(['P23', 'P24']);
  });

  it('removes an account together with its messages and attachments', async () => {
    const { user, account } = await userWithAccount();
    const message = await prisma.message.create({
      data: { accountId: account.id, userId: user.id, uidl: 'D1', size: 1, date: new Date() },
    });
    await prisma.attachment.create({
      data: {
        messageId: message.id,
        contentType: 'text/plain',
        size: 2,
        sha256: 'x',
        content: Buffer.from('hi'),
      },
    });
    await prisma.pop3Account.delete({ where: { id: account.id } });
    expect(await prisma.message.count({ where: { accountId: account.id } })).toBe(0);
    expect(await prisma.attachment.count({ where: { messageId: message.id } })).toBe(0);
  });

  it('has the admin policy row from the first migration', async () => {
    // (signupOpen: the tests' shared database has sign-up opened; see support/databases.ts.)
    const policy = await prisma.policy.findUniqueOrThrow({ where: { id: 1 } });
    expect(policy).toMatchObject({ requireTls: false, minPollSeconds: 60 });
  });

  it('numbers events in order per user for websocket resume', async () => {
    const { user } = await userWithAccount();
    const first = await prisma.event.create({
      data: { userId: user.id, type: 'message.new', payload: { n: 1 } },
    });
    const second = await prisma.event.create({
      data: { userId: user.id, type: 'message.new', payload: { n: 2 } },
    });
    expect(second.id > first.id).toBe(true);
    const missed = await prisma.event.findMany({
      where: { userId: user.id, id: { gt: first.id } },
    });
    expect(missed.map((e) => e.payload)).toEqual([{ n: 2 }]);
  });
});
