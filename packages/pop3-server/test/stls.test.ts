import { describe, expect, it } from 'vitest';
import { connect, startServer } from './harness';

describe('STLS', () => {
  it('upgrades to TLS, then stops offering STLS and accepts a login', async () => {
    const server = await startServer({ stls: true });
    const wire = await connect(server);
    expect((await wire.multiline('CAPA')).body.toString()).toMatch(/^STLS\r$/m);
    expect(await wire.startTls(server.tlsCert?.cert as string)).toMatch(/^\+OK/);
    expect(wire.tlsSocket.encrypted).toBe(true);
    expect((await wire.multiline('CAPA')).body.toString()).not.toMatch(/STLS/);
    expect(await wire.command('STLS')).toMatch(/^-ERR/);
    await wire.command('USER user');
    expect(await wire.command('PASS secret')).toMatch(/^\+OK/);
  });

  it('throws away commands sent in clear text behind STLS', async () => {
    const server = await startServer({ stls: true });
    const wire = await connect(server);
    // An attacker on the path appends a command; it must not run inside the TLS session.
    wire.writeRaw('STLS\r\nUSER user\r\n');
    expect(await wire.readLine()).toMatch(/^\+OK Begin TLS/);
    await wire.startTlsAfterOk(server.tlsCert?.cert as string);
    expect(await wire.command('PASS secret')).toMatch(/^-ERR/);
    expect(server.stats.commands.map((c) => c.line)).toEqual(['STLS', 'PASS secret']);
  });

  it('forgets a USER given before STLS', async () => {
    const server = await startServer({ stls: true });
    const wire = await connect(server);
    await wire.command('USER user');
    await wire.startTls(server.tlsCert?.cert as string);
    expect(await wire.command('PASS secret')).toMatch(/^-ERR/);
  });

  it('is refused when not offered', async () => {
    const wire = await connect(await startServer());
    expect(await wire.command('STLS')).toMatch(/^-ERR/);
  });

  it('is refused on an implicit TLS connection', async () => {
    const server = await startServer({ security: 'tls', stls: true });
    const wire = await connect(server, true);
    expect((await wire.multiline('CAPA')).body.toString()).not.toMatch(/STLS/);
    expect(await wire.command('STLS')).toMatch(/^-ERR/);
  });

  it('uses the certificate it was given', async () => {
    const { generateSelfSignedCert } = await import('../src/index');
    const certificate = await generateSelfSignedCert();
    const server = await startServer({ stls: true, tlsCert: certificate });
    expect(server.tlsCert?.sha256).toBe(certificate.sha256);
    const wire = await connect(server);
    await wire.startTls(certificate.cert);
    expect(await wire.command('NOOP')).toMatch(/^-ERR/);
  });
});
