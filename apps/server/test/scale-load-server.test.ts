import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client, type Pop3ConnectOptions } from '@popgate/pop3';
import { generateSelfSignedCert } from '@popgate/pop3-server';
import { DEFAULT_MAILBOX_CLOCK, messageOf } from '../../../bench/scale/load-mailbox';
import { LoadServer, type LoadServerOptions } from '../../../bench/scale/load-server';

// The POP3 load server of bench/scale, checked with the POP3 client Popgate uses: what it
// announces, the mail it serves, how late it answers, TLS, and what it counts.
const DELAY_MS = 100;
const PASSWORD = 'load-password';
const servers: LoadServer[] = [];

async function start(options: Partial<LoadServerOptions> = {}): Promise<LoadServer> {
  const server = await LoadServer.start({
    addresses: ['127.0.1.1', '127.0.1.2'],
    security: 'none',
    delayMs: DELAY_MS,
    password: PASSWORD,
    clock: { startedAt: Date.now(), ...DEFAULT_MAILBOX_CLOCK },
    ...options,
  });
  servers.push(server);
  return server;
}

const login = (
  server: LoadServer,
  username: string,
  extra: Partial<Pop3ConnectOptions> = {},
): Promise<Pop3Client> =>
  Pop3Client.connect({
    host: server.addresses[1]!,
    port: server.port,
    security: 'none',
    auth: { username, password: PASSWORD, allowPlaintextPassword: true },
    ...extra,
  });

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('bench/scale load server', () => {
  it("announces Dovecot's capabilities and serves three small messages per user", async () => {
    const server = await start();
    const client = await login(server, 'u7');
    expect(client.capabilities).toMatchObject({
      pipelining: true,
      uidl: true,
      top: true,
      user: true,
    });
    expect(client.capabilities.sasl).toEqual(['PLAIN']);
    const uidls = await client.uidl();
    expect(uidls.map((u) => u.uid)).toEqual(['u7-1', 'u7-2', 'u7-3']);
    const sizes = await client.list();
    expect(sizes.map((s) => s.size)).toEqual([1, 2, 3].map((i) => messageOf('u7', i).bytes.length));
    expect((await client.retr(2)).equals(messageOf('u7', 2).bytes)).toBe(true);
    expect((await client.top(1, 0)).toString()).toMatch(/^From: .*\r\n[\s\S]*\r\n\r\n$/);
    await client.quit();
    expect(server.stats).toMatchObject({ logins: 1, failedLogins: 0, active: 0, overlaps: 0 });
  });

  it('answers every command only after the delay: a login takes three round trips', async () => {
    const server = await start();
    const started = Date.now();
    const client = await login(server, 'u1');
    // Greeting, CAPA, AUTH PLAIN: each answer comes at least DELAY_MS after what it answers.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * DELAY_MS - 2);
    const listed = Date.now();
    await client.uidl();
    expect(Date.now() - listed).toBeGreaterThanOrEqual(DELAY_MS - 2);
    await client.quit();
  });

  it('serves implicit TLS with its self-signed certificate, trusted by its pin', async () => {
    const cert = await generateSelfSignedCert();
    const server = await start({ security: 'tls', tlsCert: { key: cert.key, cert: cert.cert } });
    const client = await login(server, 'u3', {
      security: 'tls',
      tls: { pinSha256: cert.sha256 },
    });
    expect(client.tls).toMatchObject({ trustedBy: 'pin' });
    expect((await client.retr(3)).equals(messageOf('u3', 3).bytes)).toBe(true);
    await client.quit();
    // Without the pin the certificate is refused, as Popgate refuses an untrusted server.
    await expect(login(server, 'u3', { security: 'tls' })).rejects.toMatchObject({
      code: 'TLS_UNTRUSTED',
    });
  });

  it('refuses a wrong password with [AUTH] and counts it', async () => {
    const server = await start();
    await expect(
      Pop3Client.connect({
        host: server.addresses[0]!,
        port: server.port,
        security: 'none',
        auth: { username: 'u1', password: 'wrong', allowPlaintextPassword: true },
      }),
    ).rejects.toMatchObject({ code: 'AUTH_FAILED', responseCode: 'AUTH' });
    expect(server.stats.failedLogins).toBe(1);
  });

  it('counts a second session of a user logged in while the first is', async () => {
    const server = await start();
    const first = await login(server, 'u5');
    const other = await login(server, 'u6');
    expect(server.stats.overlaps).toBe(0);
    const second = await login(server, 'u5');
    expect(server.stats).toMatchObject({ overlaps: 1, overlappingUsers: ['u5'], active: 3 });
    await Promise.all([first.quit(), other.quit(), second.quit()]);
    expect(server.stats.active).toBe(0);
  });

  it('grows each mailbox by one message an hour and keeps what DELE and QUIT removed', async () => {
    const server = await start({
      clock: { ...DEFAULT_MAILBOX_CLOCK, startedAt: Date.now() - 2 * 3_600_000 },
    });
    const client = await login(server, 'u9');
    expect((await client.uidl()).map((u) => u.uid)).toEqual([1, 2, 3, 4, 5].map((i) => `u9-${i}`));
    await client.dele(1);
    await client.quit();
    const again = await login(server, 'u9');
    expect((await again.uidl()).map((u) => u.uid)).toEqual([2, 3, 4, 5].map((i) => `u9-${i}`));
    await again.quit();
  });
});
