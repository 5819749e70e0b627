import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { afterAll, beforeAll, describe, expect, it, onTestFailed as onFailure } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import { Keyring } from '../src/crypto/secret-box';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { secretKeyId } from '../src/secret-key';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';
import { buildServer, startServer } from './support/server-process';

const MESSAGES = 500;
const KILLS = 10;
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function message(n: number): Buffer {
  const lines = [
    `From: Sender ${n} <s${n}@example.test>`,
    `Subject: crash test ${n}`,
    `Message-ID: <crash-${n}@example.test>`,
    'Date: Tue, 03 Nov 2026 10:00:00 +0000',
    '',
    `Message ${n}.`,
    '..this line was dot-stuffed by the sender',
    'x'.repeat(60 + (n % 7) * 400),
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

let dovecot: Dovecot;
let database: { name: string; url: string };
let prisma: Db;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-crash-'));
const key = randomBytes(32);

beforeAll(async () => {
  buildServer();
  dovecot = await startDovecot({ users: [{ username: 'crash', password: 'crash-pw' }] });
  database = await createMigratedDatabase('popgate_test_crash');
  await allowAnyPort(database.url);
  prisma = createPrismaClient(database.url, 4);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await dovecot?.stop();
  if (database) await dropDatabase(database.name);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a Popgate process killed at random points of a sync that deletes after download', () => {
  it(`stores each of ${MESSAGES} (and more arriving) messages exactly once and deletes none from the server before committing it`, async () => {
    const expected = new Map<string, number>();
    let delivered = 0;
    const deliver = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const raw = message(++delivered);
        await dovecot.deliver('crash', raw);
        expected.set(sha(dovecot.expectedPop3Bytes(raw)), delivered);
      }
    };
    await deliver(MESSAGES);
    const user = await prisma.user.create({ data: { email: 'crash@example.test' } });
    const account = await linkAccount(prisma, new Keyring({ id: secretKeyId(key), key }), user.id, {
      label: 'crash',
      host: '127.0.0.1',
      port: dovecot.tlsPort,
      security: 'tls',
      username: 'crash',
      password: 'crash-pw',
      auth: 'auto',
      tls: { caPem: dovecot.caPem },
      policy: { leaveOnServer: false, pollSeconds: 60 },
    });
    const env = {
      DATABASE_URL: database.url,
      POPGATE_SECRET_KEY: key.toString('base64'),
      POPGATE_ALLOW_PRIVATE_NETWORKS: 'true',
      POPGATE_SYNC_LEASE_SECONDS: '2',
      POPGATE_DATA_DIR: dataDir,
    };

    /** Every message no longer on the server must already be committed here. */
    const checkNothingLost = async () => {
      const onServer = new Set(
        (await dovecot.messageFiles('crash')).map((f) => sha(dovecot.expectedPop3Bytes(f.bytes))),
      );
      const stored = await prisma.message.findMany({
        where: { accountId: account.id },
        include: { source: true },
      });
      const storedShas = stored.map((m) => sha(m.source!.bytes));
      expect(new Set(storedShas).size).toBe(storedShas.length);
      for (const digest of expected.keys()) {
        if (!onServer.has(digest))
          expect(storedShas, `message ${expected.get(digest)} was lost`).toContain(digest);
      }
      return { onServer: onServer.size, stored: stored.length };
    };

    const progress: Array<{ onServer: number; stored: number }> = [];
    for (let round = 0; round < KILLS; round++) {
      // As if the user pressed "check now": every round has a session to interrupt.
      await prisma.pop3Account.update({ where: { id: account.id }, data: { syncRequested: true } });
      const server = await startServer(env);
      await new Promise((resolve) => setTimeout(resolve, 1000 + Math.random() * 3000));
      expect(await server.stop('SIGKILL')).toBeNull();
      progress.push(await checkNothingLost());
      // New mail between crashes, so that every round has a download to interrupt.
      await deliver(20);
    }

    if (process.env.POPGATE_TEST_VERBOSE)
      console.log('after each kill (on server, stored):', progress);
    await prisma.pop3Account.update({ where: { id: account.id }, data: { syncRequested: true } });
    const server = await startServer(env);
    onFailure(() => void server.stop('SIGKILL'));
    const deadline = Date.now() + 120_000;
    for (;;) {
      const state = await checkNothingLost();
      const done = await prisma.syncRun.count({
        where: { accountId: account.id, outcome: 'ok', deletedOnServer: { gt: 0 } },
      });
      if (state.onServer === 0 && state.stored === expected.size && done > 0) break;
      if (Date.now() > deadline)
        throw new Error(`sync did not finish: ${JSON.stringify(state)}\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(await server.stop('SIGTERM')).toBe(0);

    const stored = await prisma.message.findMany({
      where: { accountId: account.id },
      include: { source: true },
    });
    expect(stored).toHaveLength(MESSAGES + KILLS * 20);
    expect(new Set(stored.map((m) => sha(m.source!.bytes)))).toEqual(new Set(expected.keys()));
    expect(await dovecot.messageFiles('crash')).toHaveLength(0);
    // The kills landed at different points: some before, some during the download.
    expect(new Set(progress.map((p) => p.stored)).size).toBeGreaterThan(1);
  }, 600_000);
});
