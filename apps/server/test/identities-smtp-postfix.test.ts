import { randomBytes } from 'node:crypto';
import type { IdentityOut, IdentityTestReply } from '@popgate/contracts';
import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { postfixAvailable, startPostfix, type Postfix } from '@popgate/postfix-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSmtp, smtpTargetOf } from '../src/identities/smtp-connect';
import { describeSmtpFailure } from '../src/identities/smtp-failure';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';

/**
 * The sending server test and the one way to connect (identities/smtp-connect.ts) against a real
 * Postfix (submission with STARTTLS, implicit TLS; SASL through Dovecot, delivering into
 * Dovecot's maildirs).
 */
const available = await postfixAvailable();

let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;
let dovecot: Dovecot;
let postfix: Postfix;

beforeAll(async () => {
  if (!available) return;
  [database, dovecot] = await Promise.all([
    createMigratedDatabase('popgate_test_identities_postfix'),
    startDovecot({
      users: [
        { username: 'alice', password: 'alice-pw' },
        { username: 'bob', password: 'bob-pw' },
      ],
    }),
  ]);
  postfix = await startPostfix({ dovecot, domain: 'example.test' });
  subject = await testApp({
    databaseUrl: database.url,
    env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
  // Postfix listens on random ports.
  await subject.db.prisma.policy.update({ where: { id: 1 }, data: { allowedSmtpPorts: [] } });
  subject.app.syncContext.timeouts = { connectMs: 3000, greetingMs: 3000, commandMs: 3000 };
}, 60_000);
afterAll(async () => {
  await subject?.close();
  await postfix?.stop();
  await dovecot?.stop();
  if (database) await dropDatabase(database.name);
});

/** Each test its own user: the endpoint allows a user ten tests a minute. */
async function tester() {
  const browser = new ApiClient(subject.app);
  await browser.signUp(`tester-${randomBytes(4).toString('hex')}@example.test`);
  return {
    browser,
    test: async (connection: Record<string, unknown>) => {
      const response = await browser.post('/api/identities/test', {
        host: '127.0.0.1',
        port: postfix.submissionPort,
        security: 'starttls',
        username: 'alice',
        password: 'alice-pw',
        tls: { caPem: postfix.caPem },
        ...connection,
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<IdentityTestReply>();
    },
  };
}

const failure = (reply: IdentityTestReply) => {
  if (reply.ok) throw new Error(`expected a failure, got ${JSON.stringify(reply)}`);
  return reply.error;
};

describe.skipIf(!available)('the sending server test against Postfix', () => {
  it('signs in over STARTTLS on submission and says what the server offers', async () => {
    const { test } = await tester();
    const reply = await test({});
    expect(reply).toMatchObject({
      ok: true,
      serverInfo: {
        security: 'starttls',
        greeting: expect.stringContaining('ESMTP Postfix'),
        authenticatedWith: 'PLAIN',
        pipelining: true,
        maxMessageBytes: 10240000,
        tls: { trustedBy: 'chain', protocol: expect.stringMatching(/^TLSv1\.[23]$/) },
      },
    });
    if (reply.ok)
      expect(reply.serverInfo.authMechanisms).toEqual(
        expect.arrayContaining(['PLAIN', 'LOGIN', 'CRAM-MD5']),
      );
  });

  it('signs in over TLS from the start, and trusts a pinned certificate', async () => {
    const { test } = await tester();
    const implicit = await test({ port: postfix.smtpsPort, security: 'tls' });
    expect(implicit).toMatchObject({ ok: true, serverInfo: { security: 'tls' } });
    const pinned = await test({ tls: { pinSha256: postfix.certSha256 } });
    expect(pinned).toMatchObject({ ok: true, serverInfo: { tls: { trustedBy: 'pin' } } });
  });

  it("answers a wrong password with AUTH_FAILED and Postfix's reply", async () => {
    const { test } = await tester();
    const error = failure(await test({ password: 'wrong' }));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toContain('535 5.7.8 Error: authentication failed');
  });

  it('answers an untrusted certificate with TLS_UNTRUSTED and its fingerprint', async () => {
    const { test } = await tester();
    const error = failure(await test({ tls: {} }));
    expect(error.code).toBe('TLS_UNTRUSTED');
    expect(error.fingerprint256?.replaceAll(':', '').toLowerCase()).toBe(postfix.certSha256);
    expect(error.message).toContain('pinning the fingerprint');
  });

  it('explains STARTTLS on the implicit-TLS port, and TLS on the submission port', async () => {
    const { test } = await tester();
    const starttls = failure(await test({ port: postfix.smtpsPort }));
    expect(starttls.code).toBe('TIMEOUT');
    expect(starttls.message).toContain('choose TLS');
    const tls = failure(await test({ security: 'tls' }));
    expect(tls.code).toBe('TLS_FAILED');
    expect(tls.message).toContain('Check the security setting');
  });

  it('refuses a port the admin policy does not allow, and loopback unless private networks are', async () => {
    const { browser, test } = await tester();
    await subject.db.prisma.policy.update({
      where: { id: 1 },
      data: { allowedSmtpPorts: [465, 587] },
    });
    try {
      const response = await browser.post('/api/identities/test', {
        host: '127.0.0.1',
        port: postfix.submissionPort,
        security: 'starttls',
        username: 'alice',
        password: 'alice-pw',
      });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('PORT_NOT_ALLOWED');
    } finally {
      await subject.db.prisma.policy.update({ where: { id: 1 }, data: { allowedSmtpPorts: [] } });
    }
    expect((await test({})).ok).toBe(true);
    const strict = await testApp({
      databaseUrl: database.url,
      env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'false' },
    });
    try {
      const client = new ApiClient(strict.app);
      await client.signUp(`strict-${randomBytes(4).toString('hex')}@example.test`);
      const response = await client.post('/api/identities/test', {
        host: '127.0.0.1',
        port: postfix.submissionPort,
        security: 'starttls',
        username: 'alice',
        password: 'alice-pw',
      });
      expect(response.json()).toMatchObject({ ok: false, error: { code: 'BLOCKED_HOST' } });
    } finally {
      await strict.close();
    }
  });
});

describe.skipIf(!available)('sending through Postfix', () => {
  it("delivers with an identity signed in with its account's POP3 password, and names a refused recipient", async () => {
    const browser = new ApiClient(subject.app);
    const user = await browser.signUp(`sender-${randomBytes(4).toString('hex')}@example.test`);
    const accountId = crypto.randomUUID();
    const sealed = subject.app.keyring.seal('alice-pw', accountId);
    await subject.db.prisma.pop3Account.create({
      data: {
        id: accountId,
        userId: user.id,
        label: 'Alice',
        host: '127.0.0.1',
        port: dovecot.tlsPort,
        username: 'alice',
        secretCiphertext: new Uint8Array(sealed.ciphertext),
        secretKeyId: sealed.keyId,
      },
    });
    const created = await browser.post('/api/identities', {
      accountId,
      name: 'Alice',
      address: 'alice@example.test',
      smtp: {
        host: '127.0.0.1',
        port: postfix.submissionPort,
        security: 'starttls',
        tls: { caPem: postfix.caPem },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const identity = await subject.db.prisma.identity.findUniqueOrThrow({
      where: { id: created.json<IdentityOut>().id },
      include: { account: true },
    });
    const session = await connectSmtp(
      { prisma: subject.db.prisma, config: subject.app.config },
      smtpTargetOf(subject.app.keyring, identity, identity.account),
      { timeoutMs: 5000 },
    );
    const subjectLine = `Through Postfix ${randomBytes(3).toString('hex')}`;
    const raw = Buffer.from(
      `From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nSubject: ${subjectLine}\r\nMessage-ID: <${randomBytes(6).toString('hex')}@example.test>\r\n\r\nHello Bob.\r\n`,
    );
    try {
      const result = await session.send(
        { from: 'alice@example.test', to: ['bob@example.test', 'nobody@example.test'] },
        raw,
      );
      expect(result.accepted).toEqual(['bob@example.test']);
      expect(result.rejected).toEqual([
        {
          address: 'nobody@example.test',
          reply: expect.stringContaining(
            '550 5.1.1 <nobody@example.test>: Recipient address rejected',
          ),
        },
      ]);
      expect(result.response).toMatch(/^250 2\.0\.0 Ok: queued as /);
    } finally {
      await session.close();
    }
    const delivered = await postfix.waitForDelivery('bob');
    expect(delivered.bytes.toString()).toContain(`Subject: ${subjectLine}`);
  });

  it('reports every recipient refused as SMTP_REJECTED with the reply, the session still usable', async () => {
    const session = await connectSmtp(
      { prisma: subject.db.prisma, config: subject.app.config },
      {
        host: '127.0.0.1',
        port: postfix.smtpsPort,
        security: 'tls',
        username: 'alice',
        secret: 'alice-pw',
        auth: 'login',
        tls: { pinSha256: postfix.certSha256 },
      },
      { timeoutMs: 5000 },
    );
    try {
      expect(session.serverInfo.authenticatedWith).toBe('LOGIN');
      const refused = await session
        .send(
          { from: 'alice@example.test', to: ['nobody@example.test'] },
          Buffer.from('Subject: x\r\n\r\nx\r\n'),
        )
        .then(() => null, describeSmtpFailure);
      expect(refused).toMatchObject({
        code: 'SMTP_REJECTED',
        permanent: true,
        outcomeUnknown: false,
      });
      expect(refused!.reply).toContain('550 5.1.1');
      const next = await session.send(
        { from: 'alice@example.test', to: ['bob@example.test'] },
        Buffer.from('Subject: after a refusal\r\n\r\nx\r\n'),
      );
      expect(next.accepted).toEqual(['bob@example.test']);
    } finally {
      await session.close();
    }
  });
});
