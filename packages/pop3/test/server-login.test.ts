import { describe, expect, it } from 'vitest';
import { formatServerInfo, Pop3Client, probeServer } from '../src/index';
import { rejection } from './support/session-helpers';
import {
  linesOfLastSession,
  optionsFor,
  simpleMessages,
  USER,
  usePop3Servers,
} from './support/pop3-server';

const secretLines = (lines: string[]): string[] =>
  lines.filter((line) => /^(AUTH|USER|PASS|APOP)\b/i.test(line));

describe('login response codes from the server', () => {
  const startServer = usePop3Servers();

  const cases = [
    ['AUTH', 'AUTH_FAILED'],
    ['IN-USE', 'IN_USE'],
    ['LOGIN-DELAY', 'LOGIN_DELAY'],
    ['SYS/TEMP', 'SYS_TEMP'],
    ['SYS/PERM', 'SYS_PERM'],
  ] as const;
  for (const [responseCode, code] of cases) {
    it(`turns -ERR [${responseCode}] into ${code} and stops after one attempt`, async () => {
      const server = await startServer({ security: 'tls' });
      server.inject({ kind: 'auth-error', code: responseCode, text: 'not now' });
      const error = await rejection(Pop3Client.connect(optionsFor(server)));
      expect(error).toMatchObject({ code, responseCode, serverText: 'not now' });
      expect(server.stats.authFailures).toBe(1);
      expect(server.stats.quits).toBe(0);
    });
  }

  it('reports a wrong password as AUTH_FAILED', async () => {
    const server = await startServer({ security: 'tls' });
    const error = await rejection(
      Pop3Client.connect(
        optionsFor(server, { auth: { username: USER.username, password: 'nope' } }),
      ),
    );
    expect(error.code).toBe('AUTH_FAILED');
    expect(server.stats.authFailures).toBe(1);
  });

  it('falls through to the next mechanism when one is refused without a reason', async () => {
    const server = await startServer({ security: 'tls' });
    server.inject({ kind: 'err', command: 'AUTH', text: 'mechanism unavailable' });
    const client = await Pop3Client.connect(optionsFor(server));
    expect(client.authenticatedWith).toBe('LOGIN');
    expect(
      secretLines(linesOfLastSession(server)).map((line) => line.split(' ').slice(0, 2).join(' ')),
    ).toEqual(['AUTH PLAIN', 'AUTH LOGIN']);
    await client.quit();
  });

  it('without AUTH-RESP-CODE, tries each offered mechanism once before reporting AUTH_FAILED', async () => {
    const server = await startServer({
      security: 'tls',
      capabilities: { authRespCode: false, sasl: ['PLAIN', 'LOGIN'] },
    });
    const error = await rejection(
      Pop3Client.connect(
        optionsFor(server, { auth: { username: USER.username, password: 'nope' } }),
      ),
    );
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.responseCode).toBeUndefined();
    // PLAIN, LOGIN, USER/PASS; APOP was offered too.
    expect(server.stats.authFailures).toBeLessThanOrEqual(5);
  });

  it('refuses to send a password in clear text when the server offers nothing safer', async () => {
    const server = await startServer({ capabilities: { sasl: ['PLAIN', 'LOGIN'], apop: false } });
    const error = await rejection(
      Pop3Client.connect(
        optionsFor(server, { auth: { username: USER.username, password: USER.password } }),
      ),
    );
    expect(error.code).toBe('PLAINTEXT_REFUSED');
    expect(secretLines(linesOfLastSession(server))).toEqual([]);
  });

  it('uses APOP on a clear-text connection, which never sends the password', async () => {
    const server = await startServer({
      capabilities: { sasl: ['PLAIN'] },
      mailboxes: { user: simpleMessages(1) },
    });
    const client = await Pop3Client.connect(
      optionsFor(server, { auth: { username: USER.username, password: USER.password } }),
    );
    expect(client.authenticatedWith).toBe('APOP');
    expect(linesOfLastSession(server).join('\n')).not.toContain(USER.password);
    await client.quit();
  });

  it('reports a greeting that refuses the session', async () => {
    const server = await startServer();
    server.inject({ kind: 'greeting-error', text: '[SYS/TEMP] too busy, come back later' });
    const error = await rejection(Pop3Client.connect(optionsFor(server)));
    expect(error).toMatchObject({ code: 'SYS_TEMP', serverText: 'too busy, come back later' });
  });
});

describe('servers with fewer features', () => {
  const startServer = usePop3Servers();

  it('works with an RFC 1939 server that knows no CAPA', async () => {
    const server = await startServer({
      security: 'tls',
      capabilities: { capa: false },
      mailboxes: { user: simpleMessages(3) },
    });
    const client = await Pop3Client.connect(optionsFor(server));
    expect(client.capabilities.capaSupported).toBe(false);
    expect(client.authenticatedWith).toBe('USER');
    expect(client.pipelining).toBe(false);
    const result = await client.fetchMany([1, 2, 3], { onMessage: () => {} });
    expect(result.fetched).toEqual([1, 2, 3]);
    expect((await client.uidl()).map((entry) => entry.number)).toEqual([1, 2, 3]);
    expect(client.serverInfo()).toMatchObject({
      capaSupported: false,
      authMechanisms: ['USER', 'APOP'],
    });
    await client.quit();
  });

  it('says plainly when UIDL is not supported, and recovers with RSET', async () => {
    const server = await startServer({
      security: 'tls',
      capabilities: { uidl: false },
      mailboxes: { user: simpleMessages(2) },
    });
    const client = await Pop3Client.connect(optionsFor(server));
    expect(client.capabilities.uidl).toBe(false);
    const error = await rejection(client.uidl());
    expect(error.code).toBe('COMMAND_FAILED');
    expect(client.state).toBe('needs-reset');
    await client.rset();
    expect((await client.top(1, 0)).toString()).toBe('Subject: 1\r\n\r\n');
    await client.quit();
  });

  it('works without PIPELINING, one command at a time', async () => {
    const server = await startServer({
      security: 'tls',
      capabilities: { pipelining: false },
      mailboxes: { user: simpleMessages(5) },
    });
    const client = await Pop3Client.connect(optionsFor(server));
    expect(client.pipelining).toBe(false);
    const [a, b, c] = await Promise.all([client.retr(1), client.retr(2), client.uidl()]);
    expect(a.toString()).toContain('Subject: 1');
    expect(b.toString()).toContain('Subject: 2');
    expect(c).toHaveLength(5);
    await client.deleMany([1, 2]);
    await client.quit();
    expect(server.mailbox('user')).toHaveLength(3);
  });
});

describe('STLS and UTF8', () => {
  const startServer = usePop3Servers();

  it('upgrades with STLS before sending credentials', async () => {
    const server = await startServer({ stls: true });
    const client = await Pop3Client.connect(
      optionsFor(server, {
        security: 'starttls',
        tls: { pinSha256: server.tlsCert!.sha256 },
        auth: { username: USER.username, password: USER.password },
      }),
    );
    expect(client.tls?.trustedBy).toBe('pin');
    const lines = linesOfLastSession(server);
    expect(lines.indexOf('STLS')).toBeLessThan(
      lines.findIndex((line) => /^(AUTH|USER|APOP)/.test(line)),
    );
    await client.quit();
  });

  it('refuses to go on in clear text when STLS is required but not offered', async () => {
    const server = await startServer();
    const error = await rejection(
      Pop3Client.connect(
        optionsFor(server, {
          security: 'starttls',
          auth: { ...USER, allowPlaintextPassword: true },
        }),
      ),
    );
    expect(error.code).toBe('STLS_UNAVAILABLE');
    expect(secretLines(linesOfLastSession(server))).toEqual([]);
  });

  it('turns on UTF-8 mode before logging in when the server offers it', async () => {
    const server = await startServer({ security: 'tls', capabilities: { utf8: true } });
    const client = await Pop3Client.connect(optionsFor(server));
    const lines = linesOfLastSession(server);
    expect(lines.indexOf('UTF8')).toBeGreaterThan(-1);
    expect(lines.indexOf('UTF8')).toBeLessThan(lines.findIndex((line) => line.startsWith('AUTH')));
    expect(client.serverInfo().utf8).toBe(true);
    await client.quit();
  });

  it('leaves UTF-8 mode off when asked to', async () => {
    const server = await startServer({ security: 'tls', capabilities: { utf8: true } });
    const client = await Pop3Client.connect(optionsFor(server, { utf8: false }));
    expect(linesOfLastSession(server)).not.toContain('UTF8');
    await client.quit();
  });
});

describe('server information', () => {
  const startServer = usePop3Servers();

  it('summarises the server like mpop --serverinfo', async () => {
    const server = await startServer({
      security: 'tls',
      capabilities: { loginDelay: 900, expire: 31, implementation: 'Test-Server 1.0' },
      mailboxes: { user: simpleMessages(2) },
    });
    const info = await probeServer(optionsFor(server));
    expect(info).toMatchObject({
      implementation: 'Test-Server 1.0',
      loginDelaySeconds: 900,
      expire: 31,
      pipelining: true,
      uidl: true,
      top: true,
      apop: true,
      authenticatedWith: 'PLAIN',
      maildrop: { count: 2 },
    });
    expect(info.authMechanisms).toEqual([
      'PLAIN',
      'LOGIN',
      'CRAM-MD5',
      'XOAUTH2',
      'OAUTHBEARER',
      'USER',
      'APOP',
    ]);
    expect(info.tls?.trustedBy).toBe('pin');
    const text = formatServerInfo(info);
    expect(text).toContain('login delay: 900 s');
    expect(text).toContain('messages expire: after 31 days');
    expect(text).toContain('SHA-256 fingerprint');
    // A probe commits nothing: QUIT with no DELE.
    expect(server.stats.deletedMessages).toBe(0);
    expect(server.mailbox('user')).toHaveLength(2);
  });
});
