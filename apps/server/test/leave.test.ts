import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/prisma';
import { parseMessage } from '../src/mail/parse-message';
import { storeMessages } from '../src/messages/store';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';

let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;
let prisma: Db;
let admin: ApiClient;

// The first user to sign up becomes admin: this file gets a database of its own.
beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_leave');
  subject = await testApp({ databaseUrl: database.url });
  prisma = subject.db.prisma;
  admin = new ApiClient(subject.app);
  await admin.signUp('root@example.test');
});
afterAll(async () => {
  await subject?.close();
  if (database) await dropDatabase(database.name);
});

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A signed-up user with an account, mail (one message unique to them), a draft and more. */
async function userWithEverything(email: string) {
  const browser = new ApiClient(subject.app);
  const me = await browser.signUp(email);
  const account = await prisma.pop3Account.create({
    data: {
      userId: me.id,
      label: 'Mine',
      host: 'pop.example.test',
      port: 995,
      username: email,
      secretCiphertext: new Uint8Array([1, 2, 3]),
      secretKeyId: 'test',
    },
  });
  const unique = Buffer.from(
    `From: Friend <friend@example.test>\r\nTo: ${email}\r\nSubject: only mine ${email}\r\n` +
      `Message-ID: <${email}@example.test>\r\n\r\nA letter for ${email}.\r\n`,
  );
  const batch = await Promise.all(
    [unique].map(async (raw, n) => ({
      message: {
        accountId: account.id,
        userId: me.id,
        uidl: `uidl-${n}`,
        listedSize: raw.length,
        raw,
        headersOnly: false,
        receivedAt: new Date(),
      },
      parsed: await parseMessage(raw),
    })),
  );
  const [stored] = await storeMessages(prisma, batch);
  // A label it was imported with, and an import's record naming the account.
  await prisma.messageLabel.create({
    data: { messageId: stored!.id, userId: me.id, name: 'Work', key: 'work' },
  });
  await prisma.portabilityJob.create({
    data: {
      id: randomUUID(),
      userId: me.id,
      kind: 'import',
      status: 'done',
      state: { accountId: account.id, fileName: `${email}.mbox` },
    },
  });
  await prisma.identity.create({
    data: {
      userId: me.id,
      accountId: account.id,
      name: 'Me',
      address: email,
      smtpHost: 'smtp.example.test',
      smtpPort: 587,
      smtpUsername: email,
    },
  });
  await prisma.draft.create({ data: { userId: me.id, subject: 'unsent thoughts' } });
  await prisma.trustedSender.create({ data: { userId: me.id, address: 'friend@example.test' } });
  return { browser, me, account, uniqueSha: sha(unique) };
}

/** Every public table whose rows, as text, mention any of the given strings. */
async function tablesMentioning(needles: string[]): Promise<string[]> {
  const tables = await prisma.$queryRaw<Array<{ name: string }>>`
    SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  const found: string[] = [];
  for (const { name } of tables) {
    for (const needle of needles) {
      const [row] = await prisma.$queryRawUnsafe<Array<{ n: bigint }>>(
        `SELECT count(*) AS n FROM "${name}" t WHERE strpos(lower(t::text), lower($1)) > 0`,
        needle,
      );
      if (row!.n > 0n) found.push(`${name} (${needle})`);
    }
  }
  return found;
}

describe('leaving', () => {
  it('refuses without the right password and deletes nothing', async () => {
    const { browser, me } = await userWithEverything('careful@example.test');
    const wrong = await browser.request('DELETE', '/api/auth/me', { password: 'not it' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('BAD_CREDENTIALS');
    const extra = await browser.request('DELETE', '/api/auth/me', {
      password: 'correct horse battery',
      also: 'this',
    });
    expect(extra.statusCode).toBe(400);
    expect(await prisma.user.count({ where: { id: me.id } })).toBe(1);
    expect(await prisma.message.count({ where: { userId: me.id } })).toBe(1);
  });

  it('removes the user: signed out, and no row in any table names them, their account or their email', async () => {
    const { browser, me, account, uniqueSha } = await userWithEverything('leaving@example.test');
    // A second browser signed in elsewhere is signed out as well.
    const elsewhere = new ApiClient(subject.app);
    expect(
      (
        await elsewhere.post('/api/auth/login', {
          email: 'leaving@example.test',
          password: 'correct horse battery',
        })
      ).statusCode,
    ).toBe(200);
    const left = await browser.request('DELETE', '/api/auth/me', {
      password: 'correct horse battery',
    });
    expect(left.statusCode).toBe(204);
    expect((await browser.get('/api/auth/me')).statusCode).toBe(401);
    expect((await elsewhere.get('/api/auth/me')).statusCode).toBe(401);

    expect(await tablesMentioning([me.id, account.id, 'leaving@example.test'])).toEqual([]);
    expect(await prisma.messageSource.count({ where: { sha256: uniqueSha } })).toBe(0);
    // The audit log keeps that a user left, not who.
    const entries = await prisma.auditLog.findMany({ where: { action: 'user.deleted' } });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.actorUserId).toBeNull();
    // The address is free again.
    await new ApiClient(subject.app).signUp('leaving@example.test');
  });

  it('lets the admin delete a user with everything of theirs, but not the last admin', async () => {
    const { me, account } = await userWithEverything('removed@example.test');
    const others = await userWithEverything('stays@example.test');
    const removed = await admin.delete(`/api/admin/users/${me.id}`);
    expect(removed.statusCode).toBe(204);
    expect(await tablesMentioning([me.id, account.id, 'removed@example.test'])).toEqual([]);
    expect(await prisma.message.count({ where: { userId: others.me.id } })).toBe(1);
    expect((await others.browser.get('/api/auth/me')).statusCode).toBe(200);

    const rootId = (await admin.get('/api/auth/me')).json().id;
    const last = await admin.delete(`/api/admin/users/${rootId}`);
    expect(last.statusCode).toBe(409);
    expect(last.json().error.code).toBe('LAST_ADMIN');
    expect(await prisma.user.count({ where: { id: rootId } })).toBe(1);
  });
});
