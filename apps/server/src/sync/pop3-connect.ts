import { isPop3Error, Pop3Client } from '@popgate/pop3';
import type { Pop3Account, Policy } from '../generated/prisma/client';
import { checkPort, checkSecurity } from '../accounts/account-policy-check';
import { checkHost } from '../accounts/host-check';
import { openAccountSecret } from '../accounts/account-secret';
import { accountLogin, pop3ConnectOptions } from '../accounts/pop3-options';
import { MAX_LINE_BYTES } from './partial-message';
import type { SyncContext } from './sync-context';

/** Headroom over the admin's message size limit for the terminating line and dot-stuffing. */
const SIZE_SLACK = 64 * 1024;

/**
 * The server's address already has as many sessions as allowed: this one does not dial, and the
 * account is checked again once a session there ends. Not a failure of the account.
 */
export class SessionDeferredError extends Error {
  constructor(readonly address: string) {
    super(`Enough sessions are already open to ${address}; the check waits for one of them to end`);
    this.name = 'SessionDeferredError';
  }
}

/**
 * The admin policy as it stands now (it may have changed since the account was linked), for every
 * new connection: TLS, port, host and networks. The address to dial, or the DomainError that
 * refuses it.
 */
async function checkPolicy(
  ctx: SyncContext,
  account: Pop3Account,
  policy: Policy,
): Promise<string> {
  checkSecurity(account.security, policy);
  checkPort(account.port, policy);
  return checkHost(account.host, policy, { allowPrivateNetworks: ctx.allowPrivateNetworks });
}

/**
 * Opens and authenticates a POP3 session for a linked account: the admin policy checked as it
 * stands now, the host checked by the guard and dialled at the checked address, its password
 * unsealed only for this call. `admit`, when given, is asked before the address is dialled
 * (false: SessionDeferredError, nothing dialled).
 */
export async function connectAccount(
  ctx: SyncContext,
  account: Pop3Account,
  policy: Policy,
  signal: AbortSignal,
  admit?: (address: string) => Promise<boolean>,
): Promise<Pop3Client> {
  const address = await checkPolicy(ctx, account, policy);
  if (admit && !(await admit(address))) throw new SessionDeferredError(address);
  signal.throwIfAborted();
  // An account linked through OAuth2 logs in with its grant's access token (refreshed when due);
  // one with a pasted token or a password uses its stored secret.
  const usesToken = account.authMethod === 'xoauth2' || account.authMethod === 'oauthbearer';
  const token = usesToken && ctx.oauth ? await ctx.oauth.accessTokenFor(account) : null;
  signal.throwIfAborted();
  const secret = token ?? openAccountSecret(ctx.keyring, account);
  const connect = (login: string) =>
    Pop3Client.connect({
      ...pop3ConnectOptions(accountLogin(account, login), address),
      timeouts: ctx.timeouts ?? {},
      limits: {
        maxMessageBytes: policy.maxMessageBytes + SIZE_SLACK,
        maxLineBytes: MAX_LINE_BYTES,
      },
      signal,
    });
  try {
    return await connect(secret);
  } catch (error) {
    // A refused access token that had not expired may have been revoked: one refresh tells
    // whether the grant still stands (a new token, tried once) or is gone (sign in again).
    if (!token || !ctx.oauth || !isPop3Error(error) || error.code !== 'AUTH_FAILED') throw error;
    const renewed = await ctx.oauth.accessTokenFor(account, { rejected: token });
    signal.throwIfAborted();
    if (!renewed || renewed === token) throw error;
    return connect(renewed);
  }
}
