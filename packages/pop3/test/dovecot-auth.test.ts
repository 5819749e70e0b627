import { describe, expect, it } from 'vitest';
import { Pop3Client, type Pop3AuthMechanism } from '../src/index';
import { connectTls, LONG_TOKEN_USER, tlsOptions, USER, useDovecot } from './support/dovecot';
import { recordLog, rejection } from './support/session-helpers';

describe('authentication against Dovecot', () => {
  const dovecot = useDovecot();

  const passwordMechanisms: Array<[Pop3AuthMechanism, string]> = [
    ['plain', 'PLAIN'],
    ['login', 'LOGIN'],
    ['cram-md5', 'CRAM-MD5'],
    ['apop', 'APOP'],
    ['user', 'USER'],
  ];
  for (const [mechanism, name] of passwordMechanisms) {
    it(`logs in with ${name}`, async () => {
      const client = await connectTls(dovecot(), {
        auth: { ...USER, accessToken: undefined, mechanism },
      });
      expect(client.authenticatedWith).toBe(name);
      expect(client.state).toBe('transaction');
      await client.stat();
      await client.quit();
    });
  }

  for (const [mechanism, name] of [
    ['xoauth2', 'XOAUTH2'],
    ['oauthbearer', 'OAUTHBEARER'],
  ] as const) {
    it(`logs in with ${name} and an access token`, async () => {
      const client = await connectTls(dovecot(), {
        auth: { username: USER.username, accessToken: USER.accessToken, mechanism },
      });
      expect(client.authenticatedWith).toBe(name);
      await client.quit();
    });

    it(`reports a refused ${name} token as AUTH_FAILED`, async () => {
      const error = await rejection(
        connectTls(dovecot(), {
          auth: { username: USER.username, accessToken: 'expired-token', mechanism },
        }),
      );
      expect(error.code).toBe('AUTH_FAILED');
      // Dovecot explains the refusal in a base64 JSON challenge before its -ERR.
      expect(error.oauthError).toMatchObject({ status: expect.any(String) });
    });
  }

  it('sends a long token after the first challenge instead of on the AUTH line', async () => {
    for (const mechanism of ['xoauth2', 'oauthbearer'] as const) {
      const { entries, log } = recordLog();
      const client = await connectTls(dovecot(), {
        auth: {
          username: LONG_TOKEN_USER.username,
          accessToken: LONG_TOKEN_USER.accessToken,
          mechanism,
        },
        log,
      });
      expect(entries.map((entry) => entry.line)).toContain(`AUTH ${mechanism.toUpperCase()}`);
      await client.quit();
    }
  });

  it('picks PLAIN automatically over TLS', async () => {
    const client = await connectTls(dovecot());
    expect(client.authenticatedWith).toBe('PLAIN');
    await client.quit();
  });

  it('picks OAUTHBEARER automatically when given a token', async () => {
    const client = await connectTls(dovecot(), {
      auth: { username: USER.username, accessToken: USER.accessToken },
    });
    expect(client.authenticatedWith).toBe('OAUTHBEARER');
    await client.quit();
  });

  it('reports a wrong password as AUTH_FAILED after one attempt, without trying other mechanisms', async () => {
    const { entries, log } = recordLog();
    const error = await rejection(
      connectTls(dovecot(), { auth: { username: USER.username, password: 'wrong' }, log }),
    );
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.responseCode).toBe('AUTH');
    const attempts = entries.filter(
      (entry) => entry.direction === 'send' && /^(AUTH|USER|APOP)/.test(entry.line),
    );
    expect(attempts).toHaveLength(1);
  });

  it('never sends a password in clear text by default: picks CRAM-MD5 on a plain connection', async () => {
    const { entries, log } = recordLog();
    const client = await Pop3Client.connect({
      ...tlsOptions(dovecot()),
      port: dovecot().plainPort,
      security: 'none',
      log,
    });
    expect(client.tls).toBeNull();
    expect(client.authenticatedWith).toBe('CRAM-MD5');
    expect(entries.some((entry) => entry.line.startsWith('AUTH PLAIN'))).toBe(false);
    await client.quit();
  });

  it('refuses PLAIN on a plain connection before sending anything secret', async () => {
    const { entries, log } = recordLog();
    const error = await rejection(
      Pop3Client.connect({
        ...tlsOptions(dovecot()),
        port: dovecot().plainPort,
        security: 'none',
        auth: { ...USER, mechanism: 'plain' },
        log,
      }),
    );
    expect(error.code).toBe('PLAINTEXT_REFUSED');
    expect(
      entries.some((entry) => entry.direction === 'send' && entry.line.startsWith('AUTH')),
    ).toBe(false);
  });

  it('sends PLAIN on a plain connection when explicitly allowed', async () => {
    const client = await Pop3Client.connect({
      ...tlsOptions(dovecot()),
      port: dovecot().plainPort,
      security: 'none',
      auth: { ...USER, mechanism: 'plain', allowPlaintextPassword: true },
    });
    expect(client.authenticatedWith).toBe('PLAIN');
    await client.quit();
  });

  it('keeps secrets out of the protocol log', async () => {
    const { entries, log } = recordLog();
    for (const mechanism of ['plain', 'login', 'user', 'apop', 'cram-md5'] as const) {
      const client = await connectTls(dovecot(), { auth: { ...USER, mechanism }, log });
      await client.quit();
    }
    const text = entries.map((entry) => entry.line).join('\n');
    expect(text).not.toContain(USER.password);
    expect(text).not.toContain(
      Buffer.from(`\0${USER.username}\0${USER.password}`).toString('base64'),
    );
    expect(text).not.toContain(Buffer.from(USER.password).toString('base64'));
  });

  it('authenticates later on a session opened without credentials', async () => {
    const { auth: _unused, ...withoutAuth } = tlsOptions(dovecot());
    const client = await Pop3Client.connect(withoutAuth);
    expect(client.state).toBe('authorization');
    await expect(client.stat()).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await client.authenticate({ username: USER.username, password: USER.password });
    expect(client.state).toBe('transaction');
    await client.quit();
  });
});
