import { describe, expect, it } from 'vitest';
import { normalizeFingerprint, Pop3Client, probeServer } from '../src/index';
import { connectTls, tlsOptions, useDovecot } from './support/dovecot';
import { recordLog, rejection } from './support/session-helpers';

describe('TLS against Dovecot', () => {
  const dovecot = useDovecot();

  it('connects with implicit TLS trusting a CA given as PEM, and reports the certificate', async () => {
    const client = await connectTls(dovecot());
    expect(client.tls).toMatchObject({ trustedBy: 'chain', authorizationError: null });
    expect(client.tls!.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(client.tls!.cipher).toBeTruthy();
    expect(client.tls!.subject).toContain('CN=localhost');
    expect(client.tls!.issuer).toContain('CN=localhost');
    expect(new Date(client.tls!.validTo).getTime()).toBeGreaterThan(Date.now());
    expect(normalizeFingerprint(client.tls!.fingerprint256)).toBe(dovecot().certSha256);
    await client.quit();
  });

  it('trusts an untrusted certificate when its SHA-256 pin matches', async () => {
    const client = await connectTls(dovecot(), { tls: { pinSha256: dovecot().certSha256 } });
    expect(client.tls).toMatchObject({ trustedBy: 'pin' });
    expect(client.tls!.authorizationError).toMatch(/SELF_SIGNED|UNABLE|CERT/);
    await client.quit();
  });

  it('accepts the pin in colon-separated upper-case form too', async () => {
    const colons = dovecot().certSha256.toUpperCase().match(/../g)!.join(':');
    const client = await connectTls(dovecot(), { tls: { pinSha256: colons } });
    expect(client.tls!.trustedBy).toBe('pin');
    await client.quit();
  });

  it('refuses an untrusted certificate with TLS_UNTRUSTED carrying its fingerprint', async () => {
    const error = await rejection(connectTls(dovecot(), { tls: {} }));
    expect(error.code).toBe('TLS_UNTRUSTED');
    expect(normalizeFingerprint(error.fingerprint256!)).toBe(dovecot().certSha256);
    expect(error.message).toContain(error.fingerprint256);
  });

  it('refuses a wrong pin when the chain is not trusted either', async () => {
    const error = await rejection(connectTls(dovecot(), { tls: { pinSha256: 'ab'.repeat(32) } }));
    expect(error.code).toBe('TLS_UNTRUSTED');
    expect(normalizeFingerprint(error.fingerprint256!)).toBe(dovecot().certSha256);
  });

  it('checks the certificate against the host name, not the dialled address', async () => {
    const error = await rejection(connectTls(dovecot(), { host: 'pop.example.invalid' }));
    expect(error.code).toBe('TLS_UNTRUSTED');
    expect(error.message).toMatch(/ALTNAME|Hostname/i);
  });

  it('dials the given address without resolving the host name (SSRF guard)', async () => {
    // .invalid never resolves: success proves no lookup happened.
    const client = await connectTls(dovecot(), {
      host: 'pop.example.invalid',
      tls: { pinSha256: dovecot().certSha256 },
    });
    expect(client.serverInfo()).toMatchObject({
      host: 'pop.example.invalid',
      address: '127.0.0.1',
    });
    await client.quit();
  });

  it('lets servername override the name used for SNI and the certificate check', async () => {
    const client = await connectTls(dovecot(), {
      host: 'pop.example.invalid',
      tls: { caPem: dovecot().caPem, servername: 'localhost' },
    });
    expect(client.tls!.trustedBy).toBe('chain');
    await client.quit();
  });

  it('upgrades with STLS, forgets the clear-text capabilities and logs in over TLS', async () => {
    const { entries, log } = recordLog();
    const client = await Pop3Client.connect({
      ...tlsOptions(dovecot()),
      port: dovecot().plainPort,
      security: 'starttls',
      log,
    });
    expect(client.tls).toMatchObject({ trustedBy: 'chain' });
    const sent = entries.filter((entry) => entry.direction === 'send').map((entry) => entry.line);
    expect(sent.slice(0, 3)).toEqual(['CAPA', 'STLS', 'CAPA']);
    expect(sent.indexOf('STLS')).toBeLessThan(sent.findIndex((line) => line.startsWith('AUTH')));
    expect(client.serverInfo().stls).toBe(true);
    expect((await client.stat()).count).toBeGreaterThanOrEqual(0);
    await client.quit();
  });

  it('fails STLS with TLS_UNTRUSTED when the upgraded certificate is not trusted', async () => {
    const error = await rejection(
      Pop3Client.connect({
        ...tlsOptions(dovecot()),
        port: dovecot().plainPort,
        security: 'starttls',
        tls: {},
      }),
    );
    expect(error.code).toBe('TLS_UNTRUSTED');
    expect(normalizeFingerprint(error.fingerprint256!)).toBe(dovecot().certSha256);
  });

  it('fails with TLS_FAILED when implicit TLS meets a plain-text port', async () => {
    const error = await rejection(connectTls(dovecot(), { port: dovecot().plainPort }));
    expect(error.code).toBe('TLS_FAILED');
  });

  it('probes a server: capabilities, mechanisms, TLS details and the maildrop, then quits', async () => {
    const info = await probeServer(tlsOptions(dovecot()));
    expect(info).toMatchObject({
      host: 'localhost',
      port: dovecot().tlsPort,
      security: 'tls',
      capaSupported: true,
      pipelining: true,
      top: true,
      uidl: true,
      respCodes: true,
      authRespCode: true,
      authenticatedWith: 'PLAIN',
      apop: true,
    });
    expect(info.greeting).toContain('Dovecot');
    expect(info.authMechanisms).toEqual(
      expect.arrayContaining(['PLAIN', 'LOGIN', 'CRAM-MD5', 'USER', 'APOP']),
    );
    expect(info.tls?.fingerprint256).toBeTruthy();
    expect(info.maildrop).toEqual({ count: expect.any(Number), size: expect.any(Number) });
  });

  it('probes without credentials', async () => {
    const { auth: _unused, ...withoutAuth } = tlsOptions(dovecot());
    const info = await probeServer(withoutAuth);
    expect(info.authenticatedWith).toBeNull();
    expect(info.maildrop).toBeNull();
    expect(info.authMechanisms).toContain('PLAIN');
  });
});
