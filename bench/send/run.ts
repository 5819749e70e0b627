import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot } from '@popgate/dovecot-harness';
import { linkAccount } from '../../apps/server/src/accounts/link-account';
import { Keyring } from '../../apps/server/src/crypto/secret-box';
import { createPrismaClient } from '../../apps/server/src/db/prisma';
import { EventBus } from '../../apps/server/src/events/event-bus';
import { sealIdentitySecret } from '../../apps/server/src/identities/identity-secret';
import { connectSmtp, smtpTargetOf } from '../../apps/server/src/identities/smtp-connect';
import { describeSmtpFailure } from '../../apps/server/src/identities/smtp-failure';
import { OutboxSender } from '../../apps/server/src/outbox/sender';
import { secretKeyId } from '../../apps/server/src/secret-key';
import { createMigratedDatabase, dropDatabase } from '../../apps/server/test/support/databases';
import { startPostfix } from '../../packages/postfix-harness/src/index';
import { inAlternatingOrder, median, timed } from '../shared/rounds';

/**
 * 200 messages queued at once, delivered through a real Postfix (submission, STARTTLS, AUTH):
 * Popgate's outbox sender (one connection reused per claim of up to 100 messages, as in
 * production) against msmtp sending the same 200 messages one process (one connection, one TLS
 * handshake, one sign-in) each, in the same run. Each run ends when the server has answered 250
 * to every message; the bench then checks Postfix delivered each once.
 */
const MESSAGES = Number(process.env.SEND_BENCH_MESSAGES ?? 200);
const ROUNDS = Number(process.env.SEND_BENCH_ROUNDS ?? 3);
const TARGET = 1.0;

function corpus(tag: string): Array<{ raw: Buffer; messageId: string }> {
  return Array.from({ length: MESSAGES }, (_, n) => {
    const messageId = `<send-${tag}-${n}@example.test>`;
    const raw = Buffer.from(
      [
        'From: Alice <alice@example.test>',
        'To: bob@example.test',
        `Subject: bench ${tag} ${n}`,
        `Message-ID: ${messageId}`,
        'Date: Tue, 03 Nov 2026 10:00:00 +0000',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        ...Array.from(
          { length: 60 },
          (_, line) => `Line ${line} of message ${n}: ${'lorem ipsum '.repeat(6)}`,
        ),
        '',
      ].join('\r\n'),
    );
    return { raw, messageId };
  });
}

/** How many of `ids` Bob's maildir holds, once each (throws on a duplicate). */
async function delivered(maildir: string, ids: Set<string>): Promise<number> {
  const seen = new Map<string, number>();
  for (const folder of ['new', 'cur']) {
    for (const name of await readdir(join(maildir, folder))) {
      const text = (await readFile(join(maildir, folder, name)))
        .subarray(0, 4096)
        .toString('latin1');
      const id = /^Message-ID:\s*(<[^>]+>)/im.exec(text)?.[1];
      if (id && ids.has(id)) seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  }
  for (const [id, count] of seen) if (count > 1) throw new Error(`${id} delivered ${count} times`);
  return seen.size;
}

async function waitDelivered(
  maildir: string,
  messages: Array<{ messageId: string }>,
): Promise<void> {
  const ids = new Set(messages.map((m) => m.messageId));
  const deadline = Date.now() + 60_000;
  while ((await delivered(maildir, ids)) < ids.size) {
    if (Date.now() > deadline) throw new Error('Postfix did not deliver every message in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function msmtp(config: string, raw: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('msmtp', ['-C', config, '-f', 'alice@example.test', 'bob@example.test'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`msmtp ${code}: ${errors}`)),
    );
    child.stdin.end(raw);
  });
}

const dovecot = await startDovecot({
  users: [
    { username: 'alice', password: 'alice-pw' },
    { username: 'bob', password: 'bob-pw' },
  ],
});
const postfix = await startPostfix({ dovecot, domain: 'example.test' });
const database = await createMigratedDatabase('popgate_bench_send');
const workDir = await mkdtemp(join(tmpdir(), 'send-bench-'));
const prisma = createPrismaClient(database.url, 10);
const events = await EventBus.start(prisma, database.url);
try {
  await prisma.policy.update({ where: { id: 1 }, data: { allowedSmtpPorts: [] } });
  const key = randomBytes(32);
  const keyring = new Keyring({ id: secretKeyId(key), key });
  const user = await prisma.user.create({ data: { email: 'bench-sender@example.test' } });
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
  const sender = new OutboxSender(
    {
      prisma,
      events,
      transport: {
        open: (it) =>
          connectSmtp(
            { prisma, config: { allowPrivateNetworks: true } },
            smtpTargetOf(keyring, it, it.account),
          ),
        describe: describeSmtpFailure,
      },
      log: {
        info: () => {},
        warn: (o, m) => console.warn(m, o),
        error: (o, m) => console.error(m, o),
      },
    },
    { instanceId: 'bench-send', pollMs: 20 },
  );

  const caFile = join(workDir, 'postfix-ca.pem');
  await writeFile(caFile, postfix.caPem);
  const msmtpConfig = join(workDir, 'msmtprc');
  await writeFile(
    msmtpConfig,
    [
      'defaults',
      'auth on',
      'tls on',
      'tls_starttls on',
      `tls_trust_file ${caFile}`,
      'account bench',
      'host 127.0.0.1',
      `port ${postfix.submissionPort}`,
      'from alice@example.test',
      'user alice',
      'password alice-pw',
      'account default : bench',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const maildir = dovecot.maildirPath('bob');

  const sendWithPopgate = async (messages: Array<{ raw: Buffer; messageId: string }>) => {
    // Queued at once (not timed): the rows the send route writes.
    await prisma.outboxItem.createMany({
      data: messages.map(({ raw, messageId }) => ({
        userId: user.id,
        identityId: identity.id,
        messageIdHeader: messageId,
        envelopeFrom: 'alice@example.test',
        recipients: ['bob@example.test'],
        raw: new Uint8Array(raw),
      })),
    });
    const run = await timed(async () => {
      sender.start();
      while (
        (await prisma.outboxItem.count({ where: { status: { in: ['queued', 'sending'] } } })) > 0
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await sender.stop();
    });
    const sent = await prisma.outboxItem.count({
      where: { messageIdHeader: { in: messages.map((m) => m.messageId) }, status: 'sent' },
    });
    if (sent !== messages.length) throw new Error(`popgate sent ${sent} of ${messages.length}`);
    await waitDelivered(maildir, messages);
    return run.seconds;
  };
  const sendWithMsmtp = async (messages: Array<{ raw: Buffer; messageId: string }>) => {
    const run = await timed(async () => {
      for (const { raw } of messages) await msmtp(msmtpConfig, raw);
    });
    await waitDelivered(maildir, messages);
    return run.seconds;
  };

  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const [popgate, peer] = await inAlternatingOrder(
      round + 1,
      () => sendWithPopgate(corpus(`p${round}`)),
      () => sendWithMsmtp(corpus(`m${round}`)),
    );
    console.log(
      `send ${MESSAGES}, ${round === 0 ? 'warm-up' : `round ${round}`}: popgate ${popgate.toFixed(2)} s ` +
        `(${(MESSAGES / popgate).toFixed(0)} msg/s), msmtp ${peer.toFixed(2)} s (${(MESSAGES / peer).toFixed(0)} msg/s)`,
    );
    if (round === 0) continue;
    ours.push(popgate);
    theirs.push(peer);
  }
  const ratio = median(ours) / median(theirs);
  console.log(
    `send ${MESSAGES} queued messages through Postfix: popgate ${median(ours).toFixed(3)} s ` +
      `(${(MESSAGES / median(ours)).toFixed(0)} msg/s), msmtp ${median(theirs).toFixed(3)} s ` +
      `(${(MESSAGES / median(theirs)).toFixed(0)} msg/s), time ratio ${ratio.toFixed(2)} ` +
      `(target ≤ ${TARGET.toFixed(1)}: ${ratio <= TARGET ? 'met' : 'missed'})`,
  );
} finally {
  await events.close();
  await prisma.$disconnect();
  await postfix.stop();
  await dovecot.stop();
  await dropDatabase(database.name);
  await rm(workDir, { recursive: true, force: true });
}
