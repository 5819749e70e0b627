import type { Db } from '../db/prisma';
import type { Pop3Account } from '../generated/prisma/client';
import { accountSignInFor } from './smtp-binding';
import type { TokenSource } from './token-source';

/**
 * The access token an SMTP login to `smtpHost` uses for an account signed in with a provider, or
 * null when the account has none (its password rules apply). Only for a host the grant names
 * (DomainError PASSWORD_REQUIRED otherwise); OAuthReauthRequiredError when only signing in again
 * helps. `rejected`: the server refused that unexpired token, get another one.
 */
export async function accountSmtpToken(
  deps: { prisma: Pick<Db, 'oAuthGrant'>; tokens: TokenSource },
  account: Pick<Pop3Account, 'id' | 'host' | 'port' | 'username'>,
  smtpHost: string,
  rejected?: string,
): Promise<string | null> {
  const signIn = await accountSignInFor(deps.prisma, account.id, smtpHost, false);
  if (!signIn) return null;
  return deps.tokens.accessTokenFor(account, { smtpHost, ...(rejected && { rejected }) });
}
