import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pop3Server } from '@popgate/pop3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import { Keyring } from '../src/crypto/secret-box';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { secretKeyId } from '../src/secret-key';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';
import { buildServer, startServer, type RunningServer } from './support/server-process';

const LEASE_SECONDS = 3;
const mail = (n: number) =>
  Buffer.from(
    `From: s${n}@example.test\r\nSubject: stale ${n}\r\nMessage-ID: <stale-${n}@x>\r\n\r\nbody ${n}\r\n${'s'.repeat(200)}\r\n`,
  );

let database: { name: string; url: string };
let prisma: Db;
let pop3: Pop3Server;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-stale-'));
const key = randomBytes(32);
const processes: RunningServer[] = [];

beforeAll(async () => {
  buildServer();
  database = await createMigratedDatabase('popgate_test_stale');
  await allowAnyPort(database.url);
  prisma = createPrismaClient(database.url, 4);
});
afterAll(async () => {
  for (const p of processes) {
    p.child.kill('SIGCONT');
    await p.stop('SIGKILL');
  }
  await pop3?.close();
  await prisma?.$disconnect();
  if (database) await dropDatabase(database.name);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

describe('a Popgate process held up past its lease (SIGSTOP, then SIGCONT)', () => {
  it('writes nothing and sends no DELE or QUIT once another process took the account over', async () => {
    pop3 = await Pop3Server.start({
      users: [{ username: 'user', password: 'secret' }],
      mailboxes: {
        user: [1, 2].map((n) => ({ body: mail(n), uidl: `stale-${n}` })),
      },
    });
    // The first session's first download crawls: the process is stopped in the middle of it.
    pop3.inject({ kind: 'drip', command: 'RETR', msg: 1, everyMs: 20 });
    const user = await prisma.user.create({ data: { email: 'stale@example.test' } });
    const account = await linkAccount(prisma, new Keyring({ id: secretKeyId(key), key }), user.id, {
      label: 'stale',
      host: '127.0.0.1',
      port: pop3.port,
      security: 'none',
      username: 'user',
      password: 'secret',
      auth: 'auto',
      policy: { leaveOnServer: false },
    });
    const env = {
      DATABASE_URL: database.url,
      POPGATE_SECRET_KEY: key.toString('base64'),
      POPGATE_ALLOW_PRIVATE_NETWORKS: 'true',
      POPGATE_SYNC_LEASE_SECONDS: String(LEASE_SECONDS),
      POPGATE_DATA_DIR: dataDir,
    };
    const commandsOf = (session: number) =>
      pop3.stats.commands.filter((c) => c.session === session).map((c) => c.line.split(' ')[0]);

    const stale = await startServer(env);
    processes.push(stale);
    await until(() => commandsOf(1).includes('RETR'), 20_000, 'the first process downloads');
    stale.child.kill('SIGSTOP');
    const [staleRun] = await prisma.syncRun.findMany({ where: { accountId: account.id } });
    expect(staleRun!.instanceId).toContain(`:${stale.child.pid}:`);

    // Its lease runs out; another process takes the account over. The server still holds the
    // stopped session's maildrop lock, so the new session is told IN-USE.
    await sleep(LEASE_SECONDS * 1000 + 500);
    const fresh = await startServer(env);
    processes.push(fresh);
    await until(
      async () =>
        (await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } }))
          .lastErrorCode === 'IN_USE',
      20_000,
      'the second process checked the account',
    );
    const taken = await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } });

    stale.child.kill('SIGCONT');
    await until(() => pop3.stats.activeSessions === 0, 10_000, 'the stale session is dropped');
    await sleep(1500);
    expect(commandsOf(1)).not.toContain('DELE');
    expect(commandsOf(1)).not.toContain('QUIT');
    expect(await prisma.message.count({ where: { accountId: account.id } })).toBe(0);
    expect(
      await prisma.syncRun.findUniqueOrThrow({ where: { id: staleRun!.id } }),
      'the stale run stays as it was: not ended, nothing counted',
    ).toMatchObject({ endedAt: null, outcome: 'running', newMessages: 0 });
    const after = await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } });
    expect(after).toMatchObject({
      status: taken.status,
      lastErrorCode: 'IN_USE',
      leaseToken: taken.leaseToken,
      updatedAt: taken.updatedAt,
    });
    expect(pop3.mailbox('user')).toHaveLength(2);

    // The process that holds the account now checks it as usual: each message once, then DELE.
    await prisma.pop3Account.update({ where: { id: account.id }, data: { syncRequested: true } });
    await until(
      async () => (await prisma.message.count({ where: { accountId: account.id } })) === 2,
      20_000,
      'the second process stores the mail',
    );
    await until(() => pop3.mailbox('user').length === 0, 10_000, 'the mail is deleted');
    const runs = await prisma.syncRun.findMany({
      where: { accountId: account.id, endedAt: { not: null } },
    });
    expect(runs.every((r) => r.instanceId.includes(`:${fresh.child.pid}:`))).toBe(true);
  }, 120_000);
});
