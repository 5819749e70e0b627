import fs from 'node:fs';
import path from 'node:path';
import { generateCorpus, generateSelfSignedCert, Pop3Server } from '@popgate/pop3-server';
import { linkAccount } from './accounts/link-account';
import { buildApp } from './app';
import { loadConfig } from './config';
import { openDatabase } from './db/database';
import { endingAt, redate } from './demo-mail-dates';
import { Keyring } from './crypto/secret-box';
import { loadSecretKey } from './secret-key';
import { hashPassword } from './users/password';

/**
 * `npm run demo`: Popgate on the embedded database (under ./data-demo) with a local POP3 server
 * holding a generated mailbox, a demo user, and that mailbox linked, so a newcomer sees mail at
 * once. New mail arrives in the demo mailbox every minute.
 */
const DEMO_EMAIL = 'demo@popgate.test';
const DEMO_PASSWORD = 'demo-password';
const MAILBOX_SIZE = 200;

async function main(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    POPGATE_DATA_DIR: process.env.POPGATE_DATA_DIR ?? './data-demo',
    // The demo mailbox lives on this machine.
    POPGATE_ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const secretKey = loadSecretKey(config.secretKey, config.dataDir);
  const certificate = await generateSelfSignedCert();
  const corpus = generateCorpus({ count: MAILBOX_SIZE + 500, seed: 7 });
  const pop3 = await Pop3Server.start({
    security: 'tls',
    tlsCert: certificate,
    users: [{ username: 'demo', password: 'demo-pop3-password' }],
    // The mailbox's mail is recent, its newest an hour old, whatever year the corpus was made in.
    mailboxes: {
      demo: endingAt(
        corpus.slice(0, MAILBOX_SIZE).map((m) => m.body),
        new Date(Date.now() - 3_600_000),
      ).map((body) => ({ body })),
    },
  });

  const db = await openDatabase(config);
  const { prisma } = db;
  // The demo mailbox listens on a random port: the demo's own policy lets Popgate reach it.
  const policy = await prisma.policy.findUniqueOrThrow({ where: { id: 1 } });
  if (policy.allowedPorts.length > 0 && !policy.allowedPorts.includes(pop3.port)) {
    await prisma.policy.update({
      where: { id: 1 },
      data: { allowedPorts: [...policy.allowedPorts, pop3.port] },
    });
  }
  const user =
    (await prisma.user.findUnique({ where: { email: DEMO_EMAIL } })) ??
    (await prisma.user.create({
      data: { email: DEMO_EMAIL, passwordHash: await hashPassword(DEMO_PASSWORD), role: 'admin' },
    }));
  const keyring = new Keyring(secretKey);
  const existing = await prisma.pop3Account.findFirst({
    where: { userId: user.id, label: 'Demo mailbox' },
  });
  const settings = { port: pop3.port, tlsPinSha256: certificate.sha256, nextSyncAt: new Date() };
  if (existing) {
    // A new run serves the demo mailbox on a new port with a new certificate.
    await prisma.pop3Account.update({
      where: { id: existing.id },
      data: { ...settings, status: 'new', syncRequested: true },
    });
  } else {
    await linkAccount(prisma, keyring, user.id, {
      label: 'Demo mailbox',
      host: '127.0.0.1',
      port: pop3.port,
      security: 'tls',
      username: 'demo',
      password: 'demo-pop3-password',
      auth: 'auto',
      policy: { pollSeconds: 60 },
      tls: { pinSha256: certificate.sha256 },
    });
  }

  const app = await buildApp({ config, db, secretKey });
  let reported = false;
  if (app.scheduler) {
    app.scheduler.onSyncDone = (_accountId, result) => {
      if (reported || result instanceof Error) return;
      reported = true;
      console.log(
        result.ok
          ? `  the demo mailbox was checked: ${result.newMessages} new messages`
          : `  checking the demo mailbox failed: ${result.failure?.message}`,
      );
    };
  }
  let next = MAILBOX_SIZE;
  const newMail = setInterval(() => {
    const message = corpus[next++ % corpus.length]!;
    // New mail is dated as it arrives.
    pop3.addMessage('demo', { body: redate(message.body, new Date()) });
  }, 60_000);
  const stop = async () => {
    clearInterval(newMail);
    await app.close();
    await db.close();
    await pop3.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`Popgate demo is running at http://${config.host}:${port}`);
  console.log(`  sign in as ${DEMO_EMAIL} / ${DEMO_PASSWORD}`);
  console.log(
    `  demo POP3 mailbox: 127.0.0.1:${pop3.port} (TLS), ${MAILBOX_SIZE} messages, new mail every minute`,
  );
  console.log(
    `  data: ${path.resolve(config.dataDir)}${fs.existsSync(config.dataDir) ? '' : ' (new)'}`,
  );
}

main().catch((error: unknown) => {
  console.error(
    `The demo failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
