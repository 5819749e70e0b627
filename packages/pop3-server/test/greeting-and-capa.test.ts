import { describe, expect, it } from 'vitest';
import { connect, sleep, startServer } from './harness';

const capaOf = async (wire: Awaited<ReturnType<typeof connect>>) =>
  (await wire.multiline('CAPA')).body.toString().trimEnd().split('\r\n');

describe('greeting', () => {
  it('greets with +OK and an APOP timestamp', async () => {
    const server = await startServer();
    const wire = await connect(server);
    expect(wire.greeting).toMatch(/^\+OK Popgate POP3 test server ready <[^<>@]+@[^<>]+>$/);
  });

  it('uses a fresh timestamp for every connection', async () => {
    const server = await startServer();
    const [a, b] = await Promise.all([connect(server), connect(server)]);
    expect(a.greeting).not.toBe(b.greeting);
  });

  it('leaves the timestamp out when APOP is off, and uses the configured text', async () => {
    const server = await startServer({ greeting: 'Hello there', capabilities: { apop: false } });
    expect((await connect(server)).greeting).toBe('+OK Hello there');
  });

  it('greets inside implicit TLS', async () => {
    const server = await startServer({ security: 'tls' });
    const wire = await connect(server, true);
    expect(wire.greeting).toMatch(/^\+OK /);
    expect(
      wire.tlsSocket.getPeerCertificate().fingerprint256.replaceAll(':', '').toLowerCase(),
    ).toBe(server.tlsCert?.sha256);
  });
});

describe('CAPA', () => {
  it('lists the default capabilities before login', async () => {
    const server = await startServer();
    const wire = await connect(server);
    expect(await capaOf(wire)).toEqual([
      'CAPA',
      'TOP',
      'UIDL',
      'RESP-CODES',
      'AUTH-RESP-CODE',
      'PIPELINING',
      'USER',
      'SASL PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER',
      'IMPLEMENTATION Popgate scriptable POP3 server',
    ]);
  });

  it('reflects every option', async () => {
    const server = await startServer({
      stls: true,
      capabilities: {
        top: false,
        uidl: false,
        respCodes: false,
        authRespCode: false,
        pipelining: false,
        user: false,
        sasl: ['CRAM-MD5'],
        loginDelay: 900,
        expire: 'NEVER',
        utf8: true,
        implementation: 'Test 1.0',
      },
    });
    const wire = await connect(server);
    expect(await capaOf(wire)).toEqual([
      'CAPA',
      'LOGIN-DELAY 900',
      'EXPIRE NEVER',
      'UTF8 USER',
      'STLS',
      'SASL CRAM-MD5',
      'IMPLEMENTATION Test 1.0',
    ]);
  });

  it('drops login methods after login', async () => {
    const server = await startServer({ capabilities: { expire: 30 } });
    const wire = await connect(server);
    await wire.command('USER user');
    await wire.command('PASS secret');
    const capa = await capaOf(wire);
    expect(capa).toContain('EXPIRE 30');
    expect(capa).not.toContain('USER');
    expect(capa.some((line) => line.startsWith('SASL'))).toBe(false);
  });

  it('answers -ERR like an old server when CAPA is off', async () => {
    const server = await startServer({ capabilities: { capa: false } });
    const wire = await connect(server);
    expect(await wire.command('CAPA')).toMatch(/^-ERR/);
    // The session carries on normally.
    expect(await wire.command('USER user')).toMatch(/^\+OK/);
  });

  it('accepts the UTF8 command only when UTF8 is offered', async () => {
    const on = await connect(await startServer({ capabilities: { utf8: true } }));
    expect(await on.command('UTF8')).toMatch(/^\+OK/);
    const off = await connect(await startServer());
    expect(await off.command('UTF8')).toMatch(/^-ERR/);
  });
});

describe('connections that fail early', () => {
  it('forgets a client that speaks clear text to the implicit TLS port', async () => {
    const { connect: connectTcp } = await import('node:net');
    const server = await startServer({ security: 'tls' });
    const socket = connectTcp(server.port, server.host);
    socket.on('error', () => undefined);
    socket.write('USER user\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    await sleep(20);
    expect(server.stats).toMatchObject({ sessions: 1, activeSessions: 0 });
  });
});
