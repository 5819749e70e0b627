import { describe, expect, it } from 'vitest';
import { connect, startServer } from './harness';
import {
  apopDigest,
  b64,
  cramMd5Response,
  oauthBearer,
  unb64,
  xoauth2,
} from '@popgate/pop3-server/testing';

const alice = { username: 'alice', password: 'wörd with spaces', accessToken: 'alice-token' };

describe('USER and PASS', () => {
  it('logs in and reports the maildrop', async () => {
    const server = await startServer({
      users: [alice],
      mailboxes: { alice: [{ body: Buffer.from('a\r\n') }, { body: Buffer.from('bc\r\n') }] },
    });
    const wire = await connect(server);
    expect(await wire.command('USER alice')).toMatch(/^\+OK/);
    expect(await wire.command(`PASS ${alice.password}`)).toBe(
      '+OK Logged in, 2 messages (7 octets)',
    );
    expect(server.stats.logins).toBe(1);
  });

  it('refuses a wrong password with [AUTH] and lets the client try again', async () => {
    const server = await startServer();
    const wire = await connect(server);
    await wire.command('USER user');
    expect(await wire.command('PASS nope')).toBe('-ERR [AUTH] Authentication failed');
    await wire.command('USER user');
    expect(await wire.command('PASS secret')).toMatch(/^\+OK/);
    expect(server.stats.authFailures).toBe(1);
  });

  it('refuses an unknown user the same way as a wrong password', async () => {
    const wire = await connect(await startServer());
    expect(await wire.command('USER ghost')).toMatch(/^\+OK/);
    expect(await wire.command('PASS secret')).toBe('-ERR [AUTH] Authentication failed');
  });

  it('wants USER before PASS', async () => {
    const wire = await connect(await startServer());
    expect(await wire.command('PASS secret')).toMatch(/^-ERR/);
  });

  it('refuses USER when it is switched off', async () => {
    const wire = await connect(await startServer({ capabilities: { user: false } }));
    expect(await wire.command('USER user')).toMatch(/^-ERR/);
  });

  it('drops [AUTH] without AUTH-RESP-CODE, and every code without RESP-CODES', async () => {
    const noAuthCode = await connect(await startServer({ capabilities: { authRespCode: false } }));
    await noAuthCode.command('USER user');
    expect(await noAuthCode.command('PASS bad')).toBe('-ERR Authentication failed');
    const noCodes = await startServer({ capabilities: { respCodes: false } });
    noCodes.inject({ kind: 'auth-error', code: 'SYS/TEMP', text: 'Try later' });
    const wire = await connect(noCodes);
    await wire.command('USER user');
    expect(await wire.command('PASS secret')).toBe('-ERR Try later');
  });
});

describe('APOP', () => {
  it('accepts the digest of the greeting timestamp and the password', async () => {
    const wire = await connect(await startServer({ users: [alice] }));
    const digest = apopDigest(wire.greeting, alice.password);
    expect(await wire.command(`APOP alice ${digest}`)).toMatch(/^\+OK/);
  });

  it('refuses a digest made for another timestamp', async () => {
    const server = await startServer();
    const first = await connect(server);
    const second = await connect(server);
    const stale = apopDigest(first.greeting, 'secret');
    expect(await second.command(`APOP user ${stale}`)).toMatch(/^-ERR \[AUTH\]/);
  });

  it('is refused when APOP is off', async () => {
    const wire = await connect(await startServer({ capabilities: { apop: false } }));
    expect(await wire.command(`APOP user ${'0'.repeat(32)}`)).toMatch(/^-ERR/);
  });
});

describe('SASL AUTH', () => {
  it('lists the mechanisms for a bare AUTH', async () => {
    const wire = await connect(await startServer({ capabilities: { sasl: ['PLAIN', 'LOGIN'] } }));
    expect((await wire.multiline('AUTH')).body.toString()).toBe('PLAIN\r\nLOGIN\r\n');
  });

  it('accepts PLAIN with an initial response', async () => {
    const wire = await connect(await startServer({ users: [alice] }));
    expect(await wire.command(`AUTH PLAIN ${b64(`\0alice\0${alice.password}`)}`)).toMatch(/^\+OK/);
  });

  it('accepts PLAIN after an empty challenge', async () => {
    const wire = await connect(await startServer());
    expect(await wire.command('AUTH PLAIN')).toBe('+ ');
    expect(await wire.command(b64('\0user\0secret'))).toMatch(/^\+OK/);
  });

  it('refuses PLAIN for another authorization identity', async () => {
    const wire = await connect(await startServer());
    expect(await wire.command(`AUTH PLAIN ${b64('admin\0user\0secret')}`)).toMatch(
      /^-ERR \[AUTH\]/,
    );
  });

  it('accepts LOGIN step by step', async () => {
    const wire = await connect(await startServer());
    expect(unb64((await wire.command('AUTH LOGIN')).slice(2))).toBe('Username:');
    expect(unb64((await wire.command(b64('user'))).slice(2))).toBe('Password:');
    expect(await wire.command(b64('secret'))).toMatch(/^\+OK/);
  });

  it('accepts CRAM-MD5 and refuses a wrong digest', async () => {
    const server = await startServer({ users: [alice] });
    const good = await connect(server);
    const challenge = await good.command('AUTH CRAM-MD5');
    expect(unb64(challenge.slice(2))).toMatch(/^<.+@.+>$/);
    expect(
      await good.command(cramMd5Response('alice', alice.password, challenge.slice(2))),
    ).toMatch(/^\+OK/);
    const bad = await connect(server);
    const other = await bad.command('AUTH CRAM-MD5');
    expect(await bad.command(cramMd5Response('alice', 'wrong', other.slice(2)))).toMatch(
      /^-ERR \[AUTH\]/,
    );
  });

  it('accepts XOAUTH2 and OAUTHBEARER with the access token', async () => {
    const server = await startServer({ users: [alice] });
    for (const encode of [xoauth2, oauthBearer]) {
      const mechanism = encode === xoauth2 ? 'XOAUTH2' : 'OAUTHBEARER';
      const wire = await connect(server);
      expect(await wire.command(`AUTH ${mechanism} ${encode('alice', alice.accessToken)}`)).toMatch(
        /^\+OK/,
      );
      await wire.command('QUIT');
    }
  });

  it('answers a bad bearer token with a JSON error challenge, then -ERR [AUTH]', async () => {
    const server = await startServer({ users: [alice] });
    for (const [mechanism, encode, ack] of [
      ['XOAUTH2', xoauth2, ''],
      ['OAUTHBEARER', oauthBearer, b64('\x01')],
    ] as const) {
      const wire = await connect(server);
      const challenge = await wire.command(`AUTH ${mechanism} ${encode('alice', 'expired')}`);
      expect(challenge).toMatch(/^\+ /);
      expect(JSON.parse(unb64(challenge.slice(2)))).toHaveProperty('status');
      expect(await wire.command(ack)).toMatch(/^-ERR \[AUTH\]/);
    }
  });

  it('lets the client cancel with *', async () => {
    const wire = await connect(await startServer());
    await wire.command('AUTH LOGIN');
    expect(await wire.command('*')).toMatch(/^-ERR/);
    expect(await wire.command('USER user')).toMatch(/^\+OK/);
  });

  it('refuses mechanisms it does not offer and malformed base64', async () => {
    const wire = await connect(await startServer({ capabilities: { sasl: ['PLAIN'] } }));
    expect(await wire.command('AUTH CRAM-MD5')).toMatch(/^-ERR/);
    expect(await wire.command('AUTH PLAIN !!!notbase64')).toMatch(/^-ERR/);
    expect(await wire.command(`AUTH PLAIN ${b64('\0user\0secret')}`)).toMatch(/^\+OK/);
  });

  it('refuses to start with SASL mechanisms it cannot do', async () => {
    await expect(startServer({ capabilities: { sasl: ['GSSAPI'] } })).rejects.toThrow(/GSSAPI/);
  });
});
