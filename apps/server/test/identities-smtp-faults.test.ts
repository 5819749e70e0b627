import { generateSelfSignedCert, type SelfSignedCertificate } from '@popgate/pop3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../src/generated/prisma/client';
import { connectSmtp, type SmtpTarget } from '../src/identities/smtp-connect';
import { describeSmtpFailure, type SmtpFailure } from '../src/identities/smtp-failure';
import {
  rawSmtp,
  startSmtpFaults,
  type SmtpFaults,
  type SmtpFaultsOptions,
} from './support/smtp-faults';

/**
 * The one way Popgate connects to a sending server (identities/smtp-connect.ts), against
 * scripted SMTP servers for the faults a real Postfix cannot produce on demand: each failure is
 * described with one of the test's codes, the server's own words, and whether trying again can
 * help. The database is not needed: the policy is given.
 */
const OPEN_POLICY = {
  allowedSmtpPorts: [],
  requireTls: false,
  allowedHosts: [],
  refusedHosts: [],
  allowedNetworks: [],
  refusedNetworks: [],
} as unknown as Policy;

const deps = (policy: Partial<Policy> = {}, allowPrivateNetworks = true) => ({
  prisma: {} as never,
  config: { allowPrivateNetworks },
  policy: { ...OPEN_POLICY, ...policy } as Policy,
});

let certificate: SelfSignedCertificate;
let starttls: SmtpFaults;
let implicit: SmtpFaults;
let noStarttls: SmtpFaults;
let refusing: SmtpFaults;
/** Its behaviour is set by each test (the handlers read it as each command arrives). */
const script: SmtpFaultsOptions = {};
let scripted: SmtpFaults;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  certificate = await generateSelfSignedCert();
  [starttls, implicit, noStarttls, refusing, scripted] = await Promise.all([
    startSmtpFaults({ certificate }),
    startSmtpFaults({ certificate, secure: true }),
    startSmtpFaults({ certificate, noSTARTTLS: true }),
    startSmtpFaults({ certificate, greeting: { code: 554, text: '5.7.1 No SMTP service here' } }),
    startSmtpFaults(Object.assign(script, { certificate })),
  ]);
  closers.push(starttls.close, implicit.close, noStarttls.close, refusing.close, scripted.close);
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

const target = (port: number, overrides: Partial<SmtpTarget> = {}): SmtpTarget => ({
  host: '127.0.0.1',
  port,
  security: 'starttls',
  username: 'alice',
  secret: 'alice-pw',
  auth: 'auto',
  tls: { pinSha256: certificate.sha256 },
  ...overrides,
});

/** The failure connecting (and, with `send`, sending one message) ends with. */
async function failureOf(
  t: SmtpTarget,
  options: {
    send?: { from: string; to: string[] };
    timeoutMs?: number;
    policy?: Partial<Policy>;
    allowPrivateNetworks?: boolean;
  } = {},
): Promise<SmtpFailure> {
  try {
    const session = await connectSmtp(
      deps(options.policy, options.allowPrivateNetworks ?? true),
      t,
      {
        timeoutMs: options.timeoutMs ?? 3000,
      },
    );
    try {
      if (options.send) await session.send(options.send, message());
    } finally {
      await session.close();
    }
  } catch (error) {
    return describeSmtpFailure(error);
  }
  throw new Error('expected a failure');
}

const message = (subject = 'Hello') =>
  Buffer.from(
    `From: alice@example.test\r\nTo: bob@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@example.test>\r\n\r\nHi Bob.\r\n`,
  );

describe('connecting to a sending server', () => {
  it('upgrades with STARTTLS, trusts a pinned certificate, signs in and sends several messages over one session', async () => {
    const session = await connectSmtp(deps(), target(starttls.port));
    expect(session.serverInfo).toMatchObject({
      host: '127.0.0.1',
      address: '127.0.0.1',
      security: 'starttls',
      authenticatedWith: 'PLAIN',
      pipelining: true,
      tls: {
        trustedBy: 'pin',
        fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
      },
    });
    expect(session.serverInfo.greeting).toMatch(/^220 /);
    expect(session.serverInfo.authMechanisms).toEqual(['PLAIN', 'LOGIN']);
    const first = await session.send(
      { from: 'alice@example.test', to: ['bob@example.test'] },
      message('one'),
    );
    const second = await session.send(
      { from: 'alice@example.test', to: ['bob@example.test', 'carol@example.test'] },
      message('two'),
    );
    await session.close();
    expect(first).toMatchObject({ accepted: ['bob@example.test'], rejected: [] });
    expect(first.response).toMatch(/^250 .*queued as/);
    expect(second.accepted).toEqual(['bob@example.test', 'carol@example.test']);
    const subjects = starttls.received.map((m) => /Subject: (\w+)/.exec(m.data.toString())?.[1]);
    expect(subjects).toEqual(['one', 'two']);
  });

  it('connects with TLS from the start, trusting the certificate through a CA given for the identity', async () => {
    const session = await connectSmtp(
      deps(),
      target(implicit.port, { security: 'tls', tls: { caPem: certificate.cert } }),
    );
    await session.close();
    expect(session.serverInfo).toMatchObject({ security: 'tls', tls: { trustedBy: 'chain' } });
  });

  it('refuses a certificate it cannot trust, with its fingerprint, before any password is sent', async () => {
    const before = starttls.authAttempts.length;
    const failure = await failureOf(target(starttls.port, { tls: {} }));
    expect(failure).toMatchObject({ code: 'TLS_UNTRUSTED', permanent: true });
    expect(failure.fingerprint256?.replaceAll(':', '').toLowerCase()).toBe(certificate.sha256);
    expect(failure.message).toContain('not trusted');
    expect(starttls.authAttempts.length).toBe(before);
  });

  it('says so when the certificate changed from the pinned one', async () => {
    const failure = await failureOf(
      target(implicit.port, { security: 'tls', tls: { pinSha256: 'ab'.repeat(32) } }),
    );
    expect(failure.code).toBe('TLS_UNTRUSTED');
    expect(failure.message).toContain('certificate has changed');
  });

  it('answers a greeting that refuses the session with the server’s words', async () => {
    const failure = await failureOf(target(refusing.port));
    expect(failure).toMatchObject({ code: 'REFUSED', permanent: true });
    expect(failure.message).toContain('554 5.7.1 No SMTP service here');
  });

  it('gives up on a server that never greets (TIMEOUT), hinting at TLS', async () => {
    const silent = await rawSmtp(() => {});
    closers.push(silent.close);
    const failure = await failureOf(target(silent.port), { timeoutMs: 500 });
    expect(failure).toMatchObject({ code: 'TIMEOUT', permanent: false });
    expect(failure.message).toContain('choose TLS');
  });

  it('never falls back to plain text when STARTTLS is chosen but not offered (STLS_UNAVAILABLE), and sends no password', async () => {
    const failure = await failureOf(target(noStarttls.port));
    expect(failure).toMatchObject({ code: 'STLS_UNAVAILABLE', permanent: true });
    expect(noStarttls.authAttempts).toEqual([]);
  });

  it('explains STARTTLS on a port that expects TLS from the start, and TLS on a plain port', async () => {
    const starttlsOnImplicit = await failureOf(target(implicit.port), { timeoutMs: 800 });
    expect(starttlsOnImplicit.code).toBe('TIMEOUT');
    expect(starttlsOnImplicit.message).toContain('choose TLS');
    const tlsOnPlain = await failureOf(target(starttls.port, { security: 'tls' }));
    expect(tlsOnPlain.code).toBe('TLS_FAILED');
    expect(tlsOnPlain.message).toContain('security setting');
  });

  it('calls a server that speaks something else a PROTOCOL failure', async () => {
    const http = await rawSmtp((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    closers.push(http.close);
    const failure = await failureOf(target(http.port));
    expect(failure).toMatchObject({ code: 'PROTOCOL', permanent: true });
    expect(failure.message).toContain('did not answer like an SMTP server');
  });

  it('reports a wrong password as AUTH_FAILED with the server’s reply', async () => {
    const failure = await failureOf(target(starttls.port, { secret: 'wrong' }));
    expect(failure).toMatchObject({ code: 'AUTH_FAILED', permanent: true });
    expect(failure.reply).toBe('535 5.7.8 Error: authentication failed: bad credentials');
    expect(failure.message).toContain('535 5.7.8');
  });

  it('says AUTH_UNAVAILABLE when the chosen sign-in method is not offered', async () => {
    const failure = await failureOf(target(starttls.port, { auth: 'cram-md5' }));
    expect(failure.code).toBe('AUTH_UNAVAILABLE');
    expect(failure.message).toContain('PLAIN, LOGIN');
  });

  it('reports a closed port as REFUSED', async () => {
    const closed = await rawSmtp(() => {});
    await closed.close();
    const failure = await failureOf(target(closed.port));
    expect(failure).toMatchObject({ code: 'REFUSED', permanent: false });
  });
});

describe('the admin policy and the host guard', () => {
  it('refuses loopback unless private networks are allowed (BLOCKED_HOST), dialling nothing', async () => {
    const failure = await failureOf(target(starttls.port), { allowPrivateNetworks: false });
    expect(failure).toMatchObject({ code: 'BLOCKED_HOST', permanent: true });
  });

  it('refuses a port outside the allowed SMTP ports and plain text when TLS is required', async () => {
    const port = await failureOf(target(starttls.port), {
      policy: { allowedSmtpPorts: [465, 587] },
    });
    expect(port).toMatchObject({ code: 'NOT_ALLOWED', permanent: true });
    expect(port.message).toContain('port 465, 587 only');
    const plain = await failureOf(target(starttls.port, { security: 'none' }), {
      policy: { requireTls: true },
    });
    expect(plain).toMatchObject({ code: 'NOT_ALLOWED', permanent: true });
  });
});

describe('sending a message', () => {
  const envelope = { from: 'alice@example.test', to: ['bob@example.test'] };

  it('calls a refused sender (553) permanent, and the session goes on with the next message', async () => {
    script.mailFrom = { code: 553, text: '5.7.1 Sender address rejected: not owned by user alice' };
    const session = await connectSmtp(deps(), target(scripted.port));
    try {
      const failure = await session.send(envelope, message()).then(
        () => null,
        (error: unknown) => describeSmtpFailure(error),
      );
      expect(failure).toMatchObject({
        code: 'SMTP_REJECTED',
        permanent: true,
        outcomeUnknown: false,
        reply: '553 5.7.1 Sender address rejected: not owned by user alice',
      });
      expect(failure!.message).toContain('refused the sender');
      delete script.mailFrom;
      expect(session.alive).toBe(true);
      const next = await session.send(envelope, message('after'));
      expect(next.accepted).toEqual(['bob@example.test']);
    } finally {
      await session.close();
    }
  });

  it('calls greylisting (451 to the recipients) temporary', async () => {
    script.rcptTo = {
      'bob@example.test': { code: 451, text: '4.7.1 Greylisted, try again later' },
    };
    try {
      const failure = await failureOf(target(scripted.port), { send: envelope });
      expect(failure).toMatchObject({
        code: 'SMTP_TEMPORARY',
        permanent: false,
        outcomeUnknown: false,
      });
      expect(failure.reply).toContain('451 4.7.1 Greylisted');
    } finally {
      delete script.rcptTo;
    }
  });

  it('sends to the recipients the server takes and names the ones it refuses', async () => {
    script.rcptTo = { 'nobody@example.test': { code: 550, text: '5.1.1 No such user' } };
    try {
      const session = await connectSmtp(deps(), target(scripted.port));
      const result = await session.send(
        { from: 'alice@example.test', to: ['bob@example.test', 'nobody@example.test'] },
        message(),
      );
      await session.close();
      expect(result.accepted).toEqual(['bob@example.test']);
      expect(result.rejected).toEqual([
        { address: 'nobody@example.test', reply: '550 5.1.1 No such user' },
      ]);
    } finally {
      delete script.rcptTo;
    }
  });

  it('calls a 451 after the data temporary and a 554 permanent: the server refused, nothing is unknown', async () => {
    script.data = { code: 451, text: '4.3.0 Queue full' };
    const temporary = await failureOf(target(scripted.port), { send: envelope });
    script.data = { code: 554, text: '5.6.0 Message refused' };
    const permanent = await failureOf(target(scripted.port), { send: envelope });
    delete script.data;
    expect(temporary).toMatchObject({
      code: 'SMTP_TEMPORARY',
      permanent: false,
      outcomeUnknown: false,
    });
    expect(permanent).toMatchObject({
      code: 'SMTP_REJECTED',
      permanent: true,
      outcomeUnknown: false,
    });
    expect(permanent.reply).toBe('554 5.6.0 Message refused');
  });

  it('calls a connection closed in the middle of DATA an unknown outcome, not a failure to retry blindly', async () => {
    script.data = 'close';
    try {
      const failure = await failureOf(target(scripted.port), { send: envelope });
      expect(failure).toMatchObject({
        code: 'OUTCOME_UNKNOWN',
        permanent: false,
        outcomeUnknown: true,
      });
      expect(failure.message).toContain('may or may not have been sent');
    } finally {
      delete script.data;
    }
  });

  it('calls a server that goes silent after the data an unknown outcome too', async () => {
    script.data = 'stall';
    try {
      const failure = await failureOf(target(scripted.port), { send: envelope, timeoutMs: 800 });
      expect(failure).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcomeUnknown: true });
    } finally {
      delete script.data;
    }
  });

  it('refuses a message above the size the server announces before sending it', async () => {
    const small = await startSmtpFaults({ certificate, size: 50 });
    closers.push(small.close);
    const failure = await failureOf(target(small.port), { send: envelope });
    expect(failure).toMatchObject({ code: 'SMTP_REJECTED', permanent: true });
    expect(failure.message).toContain('larger than the server accepts');
    expect(small.received).toEqual([]);
  });
});
