import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { AccountTestReply } from '@popgate/contracts';
import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { normalizeFingerprint } from '@popgate/pop3';
import { Pop3Server } from '@popgate/pop3-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';

let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;
let dovecot: Dovecot;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  [database, dovecot] = await Promise.all([
    createMigratedDatabase('popgate_test_connection_test'),
    startDovecot({ users: [{ username: 'alice', password: 'alice-pw' }] }),
  ]);
  subject = await testApp({
    databaseUrl: database.url,
    env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
  // The test servers listen on random ports; a stalled server is given up on quickly.
  await subject.db.prisma.policy.update({ where: { id: 1 }, data: { allowedPorts: [] } });
  subject.app.syncContext.timeouts = { connectMs: 1500, greetingMs: 1500, commandMs: 1500 };
});
afterAll(async () => {
  await subject?.close();
  await dovecot?.stop();
  if (database) await dropDatabase(database.name);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Each test its own user: the endpoint allows a user ten tests a minute. */
async function tester() {
  const browser = new ApiClient(subject.app);
  await browser.signUp(`tester-${randomBytes(4).toString('hex')}@example.test`);
  return async (connection: Record<string, unknown>) => {
    const response = await browser.post('/api/accounts/test', {
      host: '127.0.0.1',
      username: 'alice',
      password: 'alice-pw',
      ...connection,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<AccountTestReply>();
  };
}

const failure = (reply: AccountTestReply) => {
  if (reply.ok) throw new Error(`expected a failure, got ${JSON.stringify(reply)}`);
  return reply.error;
};

async function pop3(options: Parameters<typeof Pop3Server.start>[0] = {}) {
  const server = await Pop3Server.start({
    users: [{ username: 'alice', password: 'alice-pw' }],
    ...options,
  });
  cleanups.push(() => server.close());
  return server;
}

/** A TCP server that does whatever `onConnection` does with each connection. */
async function rawServer(onConnection: (socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

describe('testing a connection against Dovecot', () => {
  it('reports what the server offers over implicit TLS: capabilities, login methods, certificate', async () => {
    const test = await tester();
    const reply = await test({
      port: dovecot.tlsPort,
      security: 'tls',
      tls: { caPem: dovecot.caPem },
    });
    expect(reply.ok).toBe(true);
    const info = (reply as { serverInfo: Record<string, unknown> }).serverInfo;
    expect(info).toMatchObject({
      host: '127.0.0.1',
      port: dovecot.tlsPort,
      security: 'tls',
      capaSupported: true,
      uidl: true,
      top: true,
      authenticatedWith: expect.any(String),
      maildrop: { count: 0, size: 0 },
      tls: { trustedBy: 'chain', protocol: expect.stringMatching(/^TLSv1\.[23]$/) },
    });
    expect(info.capabilities).toEqual(expect.arrayContaining(['UIDL', 'TOP']));
    expect(info.authMechanisms).toEqual(expect.arrayContaining(['PLAIN', 'CRAM-MD5']));
    expect(normalizeFingerprint((info.tls as { fingerprint256: string }).fingerprint256)).toBe(
      normalizeFingerprint(dovecot.certSha256),
    );
  });

  it('upgrades the plain port with STARTTLS', async () => {
    const test = await tester();
    const reply = await test({
      port: dovecot.plainPort,
      security: 'starttls',
      tls: { caPem: dovecot.caPem },
    });
    expect(reply).toMatchObject({
      ok: true,
      serverInfo: { security: 'starttls', stls: true, tls: { trustedBy: 'chain' } },
    });
  });

  it('says the port expects SSL/TLS when STARTTLS is chosen on the implicit-TLS port', async () => {
    const test = await tester();
    const error = failure(
      await test({ port: dovecot.tlsPort, security: 'starttls', tls: { caPem: dovecot.caPem } }),
    );
    expect(error.code).toBe('TLS_EXPECTED');
    expect(error.message).toContain('expects SSL/TLS from the start');
    // No credential travelled: the plain connection never got past the (absent) greeting.
    expect(error.message).not.toContain('alice-pw');
  });

  it('says the same when no encryption is chosen on the implicit-TLS port', async () => {
    const error = failure(await (await tester())({ port: dovecot.tlsPort, security: 'none' }));
    expect(error.code).toBe('TLS_EXPECTED');
  });

  it('says the password was rejected', async () => {
    const test = await tester();
    const error = failure(
      await test({
        port: dovecot.tlsPort,
        security: 'tls',
        password: 'wrong',
        tls: { caPem: dovecot.caPem },
      }),
    );
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toContain('rejected the user name or password');
    expect(error.message).not.toContain('wrong');
    // The server's own words apart, for the form to quote once.
    expect(error.serverText).toMatch(/authentication failed/i);
  });

  it('gives the fingerprint of a certificate it does not trust, and trusts it once pinned', async () => {
    const test = await tester();
    const error = failure(await test({ port: dovecot.tlsPort, security: 'tls' }));
    expect(error.code).toBe('TLS_UNTRUSTED');
    expect(normalizeFingerprint(error.fingerprint256!)).toBe(
      normalizeFingerprint(dovecot.certSha256),
    );
    expect(error.message).toContain('not trusted');
    expect(error.message).toContain(error.fingerprint256);

    const pinned = await test({
      port: dovecot.tlsPort,
      security: 'tls',
      tls: { pinSha256: error.fingerprint256 },
    });
    expect(pinned).toMatchObject({ ok: true, serverInfo: { tls: { trustedBy: 'pin' } } });

    const otherPin = failure(
      await test({ port: dovecot.tlsPort, security: 'tls', tls: { pinSha256: 'ab'.repeat(32) } }),
    );
    expect(otherPin.code).toBe('TLS_UNTRUSTED');
    expect(otherPin.message).toContain('does not match the fingerprint pinned');
  });

  it('tests a linked account with its stored password, on the server it was stored for only', async () => {
    const browser = new ApiClient(subject.app);
    await browser.signUp(`linked-${randomBytes(4).toString('hex')}@example.test`);
    const linked = await browser.post('/api/accounts', {
      label: 'Dovecot',
      host: '127.0.0.1',
      port: dovecot.plainPort,
      security: 'starttls',
      username: 'alice',
      password: 'alice-pw',
      tls: { caPem: dovecot.caPem },
    });
    const reply = await browser.post('/api/accounts/test', {
      accountId: linked.json().id,
      host: '127.0.0.1',
      port: dovecot.plainPort,
      security: 'starttls',
      username: 'alice',
      auth: 'plain',
      tls: { caPem: dovecot.caPem },
    });
    expect(reply.json()).toMatchObject({ ok: true, serverInfo: { port: dovecot.plainPort } });

    const moved = await browser.post('/api/accounts/test', {
      accountId: linked.json().id,
      host: '127.0.0.1',
      port: dovecot.tlsPort,
      security: 'tls',
      username: 'alice',
      tls: { caPem: dovecot.caPem },
    });
    expect(moved.statusCode).toBe(400);
    expect(moved.json().error.code).toBe('PASSWORD_REQUIRED');
  });
});

describe('testing a connection against a misbehaving server', () => {
  it('says another program is reading the mailbox on [IN-USE]', async () => {
    const server = await pop3();
    server.inject({ kind: 'auth-error', code: 'IN-USE', text: 'mailbox locked' });
    const error = failure(await (await tester())({ port: server.port, security: 'none' }));
    expect(error.code).toBe('IN_USE');
    expect(error.message).toContain('Another program is reading this mailbox');
    expect(error.message).toContain('mailbox locked');
  });

  it('says to wait on [LOGIN-DELAY]', async () => {
    const server = await pop3();
    server.inject({ kind: 'auth-error', code: 'LOGIN-DELAY', text: 'wait 15 minutes' });
    const error = failure(await (await tester())({ port: server.port, security: 'none' }));
    expect(error.code).toBe('LOGIN_DELAY');
    expect(error.message).toContain('Wait a few minutes');
  });

  it('says the server does not speak POP3 when it answers garbage', async () => {
    const server = await pop3();
    server.inject({ kind: 'garbage', command: 'CAPA', line: 'HTTP/1.1 400 Bad Request' });
    const test = await tester();
    expect(failure(await test({ port: server.port, security: 'none' })).code).toBe('PROTOCOL');
    const web = await rawServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const error = failure(await test({ port: web, security: 'none' }));
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toContain('did not answer like a POP3 server');
  });

  it('refuses to go on without encryption when STARTTLS is not offered', async () => {
    const server = await pop3({ stls: false });
    const error = failure(await (await tester())({ port: server.port, security: 'starttls' }));
    expect(error.code).toBe('STLS_UNAVAILABLE');
    expect(error.message).toContain('Choose TLS');
    // The password was never sent.
    expect(server.stats.commands.map((c) => c.line.split(' ')[0])).not.toContain('PASS');
  });

  it('says nothing listens on a closed port', async () => {
    const port = await rawServer(() => {});
    for (const cleanup of cleanups.splice(0)) await cleanup();
    const error = failure(await (await tester())({ port, security: 'none' }));
    expect(error.code).toBe('REFUSED');
    expect(error.message).toContain('refused the connection');
  });

  it('gives up on a server that never greets', async () => {
    const port = await rawServer(() => {});
    const started = Date.now();
    const error = failure(await (await tester())({ port, security: 'none' }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('did not answer in time');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops dialling the server as soon as the browser stops waiting for the answer', async () => {
    const browser = new ApiClient(subject.app);
    await browser.signUp(`leaver-${randomBytes(4).toString('hex')}@example.test`);
    const token = (await browser.get('/api/auth/csrf')).json<{ token: string }>().token;
    let dialled!: () => void;
    let hungUp!: () => void;
    const dialledOnce = new Promise<void>((resolve) => (dialled = resolve));
    const hungUpOnce = new Promise<void>((resolve) => (hungUp = resolve));
    // A server that never greets, and a greeting timeout far past what this test waits: only the
    // browser leaving can end the test's connection.
    const port = await rawServer((socket) => {
      dialled();
      socket.on('close', hungUp);
    });
    const timeouts = subject.app.syncContext.timeouts!;
    subject.app.syncContext.timeouts = { ...timeouts, greetingMs: 120_000 };
    cleanups.push(() => void (subject.app.syncContext.timeouts = timeouts));
    const origin = await subject.app.listen({ host: '127.0.0.1', port: 0 });

    const leaving = new AbortController();
    const answer = fetch(`${origin}/api/accounts/test`, {
      method: 'POST',
      signal: leaving.signal,
      headers: {
        'content-type': 'application/json',
        cookie: browser.cookieHeader,
        'x-csrf-token': token,
      },
      body: JSON.stringify({
        host: '127.0.0.1',
        port,
        security: 'none',
        username: 'a',
        password: 'p',
      }),
    }).catch((error: Error) => error.name);
    await dialledOnce;
    const left = Date.now();
    leaving.abort();
    expect(await answer).toBe('AbortError');
    await hungUpOnce;
    expect(Date.now() - left).toBeLessThan(30_000);
  });

  it('says the connection closed when the server hangs up at once', async () => {
    const port = await rawServer((socket) => socket.destroy());
    const error = failure(await (await tester())({ port, security: 'none' }));
    expect(error.code).toBe('REFUSED');
    expect(error.message).toContain('closed the connection');
  });

  it('says the encrypted connection failed when TLS meets a plain server', async () => {
    const server = await pop3();
    const error = failure(await (await tester())({ port: server.port, security: 'tls' }));
    expect(error.code).toBe('TLS_FAILED');
    expect(error.message).toContain('Check the security setting');
  });
});
