import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dovecotAvailable, startDovecot, type Dovecot } from '../src/index';
import { Pop3Wire } from '@popgate/pop3-server/testing';
import {
  apopDigest,
  b64,
  cramMd5Response,
  oauthBearer,
  unb64,
  xoauth2,
} from '@popgate/pop3-server/testing';

const alice = { username: 'alice', password: 'p:ss wörd', accessToken: 'alice-token' };
const bob = { username: 'bob@example.com', password: 'bob-secret' };

describe.skipIf(!dovecotAvailable())('authenticating to Dovecot', () => {
  let dovecot: Dovecot;
  const connect = () => Pop3Wire.connect({ host: dovecot.host, port: dovecot.plainPort });

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [alice, bob] });
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  it('advertises the SASL mechanisms, USER, STLS and the POP3 extensions', async () => {
    const wire = await connect();
    const capa = (await wire.multiline('CAPA')).body.toString();
    expect(capa).toMatch(
      /^SASL PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER\r$/m,
    );
    for (const capability of [
      'USER',
      'STLS',
      'TOP',
      'UIDL',
      'PIPELINING',
      'RESP-CODES',
      'AUTH-RESP-CODE',
    ]) {
      expect(capa).toMatch(new RegExp(`^${capability}\\r$`, 'm'));
    }
    wire.close();
  });

  it('accepts USER/PASS with any characters in the password', async () => {
    const wire = await connect();
    expect(await wire.command('USER alice')).toMatch(/^\+OK/);
    expect(await wire.command(`PASS ${alice.password}`)).toMatch(/^\+OK/);
    wire.close();
  });

  it('answers a wrong password with [AUTH]', async () => {
    const wire = await connect();
    await wire.command('USER alice');
    expect(await wire.command('PASS wrong')).toMatch(/^-ERR \[AUTH\]/);
    wire.close();
  });

  it('accepts APOP with the timestamp from the greeting', async () => {
    const wire = await connect();
    expect(wire.greeting).toMatch(/<[^>]+@[^>]+>$/);
    expect(
      await wire.command(`APOP bob@example.com ${apopDigest(wire.greeting, bob.password)}`),
    ).toMatch(/^\+OK/);
    wire.close();
  });

  it('accepts AUTH PLAIN with an initial response', async () => {
    const wire = await connect();
    expect(await wire.command(`AUTH PLAIN ${b64(`\0alice\0${alice.password}`)}`)).toMatch(/^\+OK/);
    wire.close();
  });

  it('accepts AUTH LOGIN step by step', async () => {
    const wire = await connect();
    expect(unb64((await wire.command('AUTH LOGIN')).slice(2))).toMatch(/^Username/);
    expect(unb64((await wire.command(b64('bob@example.com'))).slice(2))).toMatch(/^Password/);
    expect(await wire.command(b64(bob.password))).toMatch(/^\+OK/);
    wire.close();
  });

  it('accepts AUTH CRAM-MD5', async () => {
    const wire = await connect();
    const challenge = await wire.command('AUTH CRAM-MD5');
    expect(challenge).toMatch(/^\+ /);
    expect(
      await wire.command(cramMd5Response('alice', alice.password, challenge.slice(2))),
    ).toMatch(/^\+OK/);
    wire.close();
  });

  it('accepts XOAUTH2 and OAUTHBEARER with the access token, not the password', async () => {
    for (const [mechanism, encode] of [
      ['XOAUTH2', xoauth2],
      ['OAUTHBEARER', oauthBearer],
    ] as const) {
      const good = await connect();
      expect(await good.command(`AUTH ${mechanism} ${encode('alice', alice.accessToken)}`)).toMatch(
        /^\+OK/,
      );
      good.close();
      const bad = await connect();
      // A failed bearer exchange first sends a JSON error challenge, answered by an empty line.
      const answer = await bad.command(`AUTH ${mechanism} ${encode('alice', alice.password)}`);
      const final = answer.startsWith('+ ') ? await bad.command('') : answer;
      expect(final).toMatch(/^-ERR \[AUTH\]/);
      bad.close();
    }
  });

  it('refuses the access token as a password', async () => {
    const wire = await connect();
    await wire.command('USER alice');
    expect(await wire.command(`PASS ${alice.accessToken}`)).toMatch(/^-ERR/);
    wire.close();
  });

  it('upgrades with STLS and stops offering it afterwards', async () => {
    const wire = await connect();
    expect(await wire.startTls(dovecot.caPem)).toMatch(/^\+OK/);
    const capa = (await wire.multiline('CAPA')).body.toString();
    expect(capa).not.toMatch(/^STLS/m);
    await wire.command('USER alice');
    expect(await wire.command(`PASS ${alice.password}`)).toMatch(/^\+OK/);
    wire.close();
  });
});

describe.skipIf(!dovecotAvailable())('Dovecot options', () => {
  it('offers only the mechanisms asked for, and no APOP timestamp without apop', async () => {
    const dovecot = await startDovecot({ authMechanisms: ['plain', 'login'] });
    try {
      const wire = await Pop3Wire.connect({ host: dovecot.host, port: dovecot.plainPort });
      expect(wire.greeting).not.toMatch(/</);
      expect((await wire.multiline('CAPA')).body.toString()).toMatch(/^SASL PLAIN LOGIN\r$/m);
      await wire.command('USER user');
      expect(await wire.command('PASS secret')).toMatch(/^\+OK/);
      wire.close();
    } finally {
      await dovecot.stop();
    }
  });

  it('answers a second session with [IN-USE] when sessions are locked', async () => {
    const dovecot = await startDovecot({ lockSession: true });
    try {
      const first = await Pop3Wire.connect({ host: dovecot.host, port: dovecot.plainPort });
      await first.command('USER user');
      expect(await first.command('PASS secret')).toMatch(/^\+OK/);
      const second = await Pop3Wire.connect({ host: dovecot.host, port: dovecot.plainPort });
      await second.command('USER user');
      const started = Date.now();
      expect(await second.command('PASS secret')).toMatch(/^-ERR \[IN-USE\]/);
      expect(Date.now() - started).toBeGreaterThan(5_000);
      first.close();
      second.close();
    } finally {
      await dovecot.stop();
    }
  });

  it('applies extraConfig after the generated settings', async () => {
    const dovecot = await startDovecot({ extraConfig: 'login_greeting = Popgate test server\n' });
    try {
      const wire = await Pop3Wire.connect({ host: dovecot.host, port: dovecot.plainPort });
      expect(wire.greeting).toMatch(/^\+OK Popgate test server/);
      wire.close();
    } finally {
      await dovecot.stop();
    }
  });

  it('refuses a username that cannot be a Dovecot user', async () => {
    await expect(startDovecot({ users: [{ username: 'a/b', password: 'x' }] })).rejects.toThrow(
      /unsupported/,
    );
  });
});
