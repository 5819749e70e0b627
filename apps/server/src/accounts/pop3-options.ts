import type { AccountTestIn, AuthMethod, Security } from '@popgate/contracts';
import type { Pop3ConnectOptions } from '@popgate/pop3';
import type { Pop3Account } from '../generated/prisma/client';
import { authMethodToApi, authMethodToPop3 } from './auth-method-names';
import { normalizeHost } from './policy-host-rules';

/** Where and how to log in to a POP3 server: a linked account's settings, or a test's. */
export interface Pop3Login {
  host: string;
  port: number;
  security: Security;
  username: string;
  /** The password, or the access token with xoauth2 and oauthbearer. */
  secret: string;
  auth: AuthMethod;
  tls: { caPem?: string | null; pinSha256?: string | null };
}

/** A linked account's settings, with its secret (unsealed by the caller, for this session only). */
export const accountLogin = (account: Pop3Account, secret: string): Pop3Login => ({
  host: account.host,
  port: account.port,
  security: account.security,
  username: account.username,
  secret,
  auth: authMethodToApi(account.authMethod),
  tls: { caPem: account.tlsCaPem, pinSha256: account.tlsPinSha256 },
});

/** The settings of a connection test (POST /api/accounts/test), with the secret to send. */
export const testLogin = (request: AccountTestIn, secret: string): Pop3Login => ({
  host: normalizeHost(request.host),
  port: request.port,
  security: request.security,
  username: request.username,
  secret,
  auth: request.auth ?? 'auto',
  tls: request.tls ?? {},
});

/**
 * Where to connect and how to log in, the same for a sync and a connection test: `address` is the
 * one the host check approved (dialled instead of looking the name up again), the certificate is
 * checked against the login's own CA or pin as well, and a password goes unencrypted only over a
 * connection the user chose without TLS (which the admin policy allowed).
 */
export function pop3ConnectOptions(
  login: Pop3Login,
  address: string,
): Pick<Pop3ConnectOptions, 'host' | 'port' | 'address' | 'security' | 'tls' | 'auth'> {
  const usesToken = login.auth === 'xoauth2' || login.auth === 'oauthbearer';
  return {
    host: login.host,
    port: login.port,
    address,
    security: login.security,
    tls: {
      ...(login.tls.caPem ? { caPem: login.tls.caPem } : {}),
      ...(login.tls.pinSha256 ? { pinSha256: login.tls.pinSha256 } : {}),
    },
    auth: {
      username: login.username,
      ...(usesToken ? { accessToken: login.secret } : { password: login.secret }),
      mechanism: authMethodToPop3(login.auth),
      allowPlaintextPassword: login.security === 'none',
    },
  };
}
