import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { afterAll, beforeAll } from 'vitest';
import { Pop3Client, type Pop3ConnectOptions } from '../../src/index';

export const USER = { username: 'user', password: 'secret', accessToken: 'user-access-token' };
/** A user whose bearer token is too long to ride on the AUTH line (RFC 5034: 255 octets). */
export const LONG_TOKEN_USER = {
  username: 'long-token',
  password: 'long-token-secret',
  accessToken: `ya29.${'a1B2c3D4e5'.repeat(40)}`,
};

/** Starts one private Dovecot for the calling test file and stops it afterwards. */
export function useDovecot(): () => Dovecot {
  let dovecot: Dovecot | undefined;
  beforeAll(async () => {
    dovecot = await startDovecot({
      users: [USER, LONG_TOKEN_USER],
    });
  });
  afterAll(async () => {
    await dovecot?.stop();
  });
  return () => {
    if (!dovecot) throw new Error('Dovecot is not running');
    return dovecot;
  };
}

/** Options for implicit TLS to this Dovecot, trusting its certificate, logged in as USER. */
export function tlsOptions(
  dovecot: Dovecot,
  extra: Partial<Pop3ConnectOptions> = {},
): Pop3ConnectOptions {
  return {
    host: 'localhost',
    address: dovecot.host,
    port: dovecot.tlsPort,
    security: 'tls',
    tls: { caPem: dovecot.caPem },
    auth: { username: USER.username, password: USER.password },
    timeouts: { commandMs: 20_000 },
    ...extra,
  };
}

export function connectTls(
  dovecot: Dovecot,
  extra: Partial<Pop3ConnectOptions> = {},
): Promise<Pop3Client> {
  return Pop3Client.connect(tlsOptions(dovecot, extra));
}
