import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dovecotAvailable, generateSelfSignedCert, startDovecot, type Dovecot } from '../src/index';
import { descendantPids, isAlive } from '../src/process-tree';
import { Pop3Wire } from '@popgate/pop3-server/testing';

describe.skipIf(!dovecotAvailable())('a private Dovecot', () => {
  let dovecot: Dovecot;

  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  it('greets with +OK on the plain port', async () => {
    const wire = await Pop3Wire.connect({ host: dovecot.host, port: dovecot.plainPort });
    expect(wire.greeting).toMatch(/^\+OK /);
    wire.close();
  });

  it('greets over implicit TLS with a certificate that verifies against caPem', async () => {
    const wire = await Pop3Wire.connect({
      host: dovecot.host,
      port: dovecot.tlsPort,
      caPem: dovecot.caPem,
    });
    expect(wire.greeting).toMatch(/^\+OK /);
    const presented = wire.tlsSocket.getPeerCertificate().fingerprint256;
    expect(presented.replaceAll(':', '').toLowerCase()).toBe(dovecot.certSha256);
    wire.close();
  });

  it('issues a certificate for localhost and 127.0.0.1', () => {
    const certificate = new X509Certificate(dovecot.caPem);
    expect(certificate.subject).toContain('CN=localhost');
    expect(certificate.subjectAltName).toContain('DNS:localhost');
    expect(certificate.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('rejects the TLS port when the certificate is not trusted', async () => {
    await expect(
      Pop3Wire.connect({
        host: dovecot.host,
        port: dovecot.tlsPort,
        caPem: (await generateSelfSignedCert()).cert,
      }),
    ).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('writes a log', async () => {
    expect(await dovecot.log()).toContain('starting up for pop3');
  });
});

describe.skipIf(!dovecotAvailable())('stopping Dovecot', () => {
  it('leaves no process and no folder behind', async () => {
    const dovecot = await startDovecot();
    // A session forces login and pop3 processes to exist.
    const wire = await Pop3Wire.connect({ host: dovecot.host, port: dovecot.plainPort });
    await wire.command('USER user');
    expect(await wire.command('PASS secret')).toMatch(/^\+OK/);
    const family = [dovecot.pid, ...descendantPids(dovecot.pid)];
    expect(family.length).toBeGreaterThan(3);

    await dovecot.stop();

    expect(family.filter(isAlive)).toEqual([]);
    expect(existsSync(dovecot.dir)).toBe(false);
    await wire.waitForClose();
  });

  it('keeps the last log readable after stop and tolerates a second stop', async () => {
    const dovecot = await startDovecot();
    await dovecot.stop();
    await dovecot.stop();
    expect(await dovecot.log()).toContain('starting up');
  });

  it('runs several instances side by side without sharing anything', async () => {
    const [a, b] = await Promise.all([startDovecot(), startDovecot()]);
    try {
      expect(new Set([a.plainPort, a.tlsPort, b.plainPort, b.tlsPort]).size).toBe(4);
      expect(a.certSha256).not.toBe(b.certSha256);
      await a.deliver('user', Buffer.from('Subject: only in a\r\n\r\nx\r\n'));
      for (const [dovecot, count] of [
        [a, 1],
        [b, 0],
      ] as const) {
        const wire = await Pop3Wire.connect({ host: dovecot.host, port: dovecot.plainPort });
        await wire.command('USER user');
        await wire.command('PASS secret');
        expect(await wire.command('STAT')).toMatch(new RegExp(`^\\+OK ${count} `));
        wire.close();
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
