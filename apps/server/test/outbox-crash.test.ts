import { randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { postfixAvailable, startPostfix, type Postfix } from '@popgate/postfix-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import { Keyring } from '../src/crypto/secret-box';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { sealIdentitySecret } from '../src/identities/identity-secret';
import { secretKeyId } from '../src/secret-key';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';
import { maildirCopies } from './support/outbox-setup';
import { buildServer, startServer } from './support/server-process';

/**
 * A Popgate process killed (SIGKILL) at random points while it sends 120 queued messages
 * through a real Postfix, ten times, then left to finish: every message ends delivered exactly
 * once, or marked unknown (delivered at most once): never twice without the user knowing, never
 * lost.
 */
const available = await postfixAvailable();
const MESSAGES = 120;
const KILLS = 10;

let dovecot: Dovecot;
let postfix: Postfix;
let database: { name: string; url: string };
let prisma: Db;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-outbox-crash-'));
const key = randomBytes(32);

beforeAll(async () => {
  if (!available) return;
  buildServer();
  [dovecot, database] = await Promise.all([
    startDovecot({
      users: [
        { username: 'alice', password: 'alice-pw' },
        { username: 'bob', password: 'bob-pw' },
      ],
    }),
    createMigratedDatabase('popgate_test_outbox_crash'),
  ]);
  postfix = await startPostfix({ dovecot, domain: 'example.test' });
  await allowAnyPort(database.url);
  prisma = createPrismaClient(database.url, 4);
  await prisma.policy.update({ where: { id: 1 }, data: { allowedSmtpPorts: [] } });
}, 90_000);
afterAll(async () => {
  await prisma?.$disconnect();
  await postfix?.stop();
  await dovecot?.stop();
  if (database) await dropDatabase(database.name);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function message(n: number, from: string): { raw: Buffer; messageId: string } {
  const messageId = `<crash-${n}-${randomBytes(3).toString('hex')}@example.test>`;
  const raw = Buffer.from(
    [
      `From: Alice <${from}>`,
      'To: bob@example.test',
      `Subject: crash test ${n}`,
      `Message-ID: ${messageId}`,
      'Date: Tue, 03 Nov 2026 10:00:00 +0000',
      '',
      `Message ${n}.`,
      'x'.repeat(200 + (n % 5) * 20_000),
      '',
    ].join('\r\n'),
  );
  return { raw, messageId };
}

const unfinished = () =>
  prisma.outboxItem.count({ where: { status: { in: ['queued', 'sending'] } } });

describe.skipIf(!available)('a Popgate process killed at random points while sending', () => {
  it(`delivers each of ${MESSAGES} queued messages once, or marks it unknown: never twice silently, never lost`, async () => {
    const keyring = new Keyring({ id: secretKeyId(key), key });
    const user = await prisma.user.create({ data: { email: 'crash-sender@example.test' } });
    const account = await linkAccount(prisma, keyring, user.id, {
      label: 'alice',
      host: '127.0.0.1',
      port: dovecot.tlsPort,
      security: 'tls',
      username: 'alice',
      password: 'alice-pw',
      auth: 'auto',
      tls: { caPem: dovecot.caPem },
    });
    const identityId = crypto.randomUUID();
    const identity = await prisma.identity.create({
      data: {
        id: identityId,
        userId: user.id,
        accountId: account.id,
        name: 'Alice',
        address: 'alice@example.test',
        smtpHost: '127.0.0.1',
        smtpPort: postfix.submissionPort,
        smtpSecurity: 'starttls',
        smtpUsername: 'alice',
        smtpTlsCaPem: postfix.caPem,
        ...sealIdentitySecret(keyring, identityId, 'alice-pw'),
      },
    });
    const items = [];
    for (let n = 0; n < MESSAGES; n++) {
      const { raw, messageId } = message(n, identity.address);
      items.push(
        await prisma.outboxItem.create({
          data: {
            userId: user.id,
            identityId: identity.id,
            messageIdHeader: messageId,
            subject: `crash test ${n}`,
            envelopeFrom: identity.address,
            recipients: ['bob@example.test'],
            raw: new Uint8Array(raw),
          },
          select: { id: true, messageIdHeader: true },
        }),
      );
    }
    const env = {
      DATABASE_URL: database.url,
      POPGATE_SECRET_KEY: key.toString('base64'),
      POPGATE_ALLOW_PRIVATE_NETWORKS: 'true',
      POPGATE_DATA_DIR: dataDir,
      POPGATE_SEND_LEASE_SECONDS: '2',
      POPGATE_SEND_CONNECTIONS: '2',
    };
    for (let kill = 0; kill < KILLS && (await unfinished()) > 0; kill++) {
      const server = await startServer(env);
      await new Promise((resolve) => setTimeout(resolve, randomInt(300, 1500)));
      await server.stop('SIGKILL');
    }
    // A last process, left alone, finishes (after the dead ones' leases expire).
    const last = await startServer(env);
    const deadline = Date.now() + 90_000;
    while ((await unfinished()) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await last.stop();
    expect(await unfinished()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 2000)); // Postfix's last deliveries

    const copies = await maildirCopies(dovecot.maildirPath('bob'));
    const rows = new Map(
      (
        await prisma.outboxItem.findMany({
          where: { userId: user.id },
          select: { id: true, status: true, sentMessageId: true },
        })
      ).map((row) => [row.id, row]),
    );
    const wrong: string[] = [];
    const tally = { sent: 0, unknown: 0 };
    for (const item of items) {
      const row = rows.get(item.id)!;
      const count = copies.get(item.messageIdHeader) ?? 0;
      if (row.status === 'sent') {
        tally.sent++;
        if (count !== 1 || row.sentMessageId === null)
          wrong.push(`${item.id} sent, ${count} copies`);
      } else if (row.status === 'unknown') {
        tally.unknown++;
        if (count > 1) wrong.push(`${item.id} unknown, ${count} copies`);
      } else wrong.push(`${item.id} ended ${row.status} with ${count} copies`);
    }
    expect(wrong).toEqual([]);
    expect(tally.sent).toBeGreaterThan(MESSAGES / 2);
    // Sent copies: one per sent message.
    expect(await prisma.message.count({ where: { accountId: account.id, origin: 'sent' } })).toBe(
      tally.sent,
    );
    console.log(`outbox crash test: ${tally.sent} sent once, ${tally.unknown} unknown`);
  }, 300_000);
});
