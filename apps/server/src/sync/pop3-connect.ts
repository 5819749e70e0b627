import { Pop3Client, type Pop3AuthMechanism } from '@popgate/pop3';
import type { Pop3Account, Policy } from '../generated/prisma/client';
import { resolveAllowedAddress } from '../net/host-guard';
import type { SyncContext } from './sync-context';

const MECHANISMS: Record<Pop3Account['authMethod'], Pop3AuthMechanism> = {
  auto: 'auto',
  plain: 'plain',
  login: 'login',
  cram_md5: 'cram-md5',
  xoauth2: 'xoauth2',
  apop: 'apop',
  user: 'user',
};

/** Headroom over the admin's message size limit for the terminating line and dot-stuffing. */
const SIZE_SLACK = 64 * 1024;

export class PolicyRefusedError extends Error {
  readonly code = 'TLS_REQUIRED';
  constructor(message: string) {
    super(message);
    this.name = 'PolicyRefusedError';
  }
}

/**
 * Opens and authenticates a POP3 session for a linked account: the host checked by the guard
 * and dialled at the checked address, its password unsealed only for this call.
 */
export async function connectAccount(
  ctx: SyncContext,
  account: Pop3Account,
  policy: Policy,
  signal: AbortSignal,
): Promise<Pop3Client> {
  if (policy.requireTls && account.security === 'none') {
    throw new PolicyRefusedError(
      'This Popgate requires TLS: choose TLS or STARTTLS for the account',
    );
  }
  const secret = ctx.keyring.open({
    ciphertext: Buffer.from(account.secretCiphertext),
    keyId: account.secretKeyId,
  });
  const address = await resolveAllowedAddress(account.host, {
    allowPrivateNetworks: ctx.allowPrivateNetworks,
  });
  const usesToken = account.authMethod === 'xoauth2';
  return Pop3Client.connect({
    host: account.host,
    port: account.port,
    address,
    security: account.security,
    tls: {
      ...(account.tlsCaPem ? { caPem: account.tlsCaPem } : {}),
      ...(account.tlsPinSha256 ? { pinSha256: account.tlsPinSha256 } : {}),
    },
    auth: {
      username: account.username,
      ...(usesToken ? { accessToken: secret } : { password: secret }),
      mechanism: MECHANISMS[account.authMethod],
      // The user chose a connection without TLS and the admin allows it: so be it.
      allowPlaintextPassword: account.security === 'none',
    },
    timeouts: ctx.timeouts ?? {},
    limits: { maxMessageBytes: policy.maxMessageBytes + SIZE_SLACK },
    signal,
  });
}
