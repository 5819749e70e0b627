import * as client from 'openid-client';
import type { Keyring } from '../crypto/secret-box';
import type { Db } from '../db/prisma';
import type { OAuthGrant, Pop3Account } from '../generated/prisma/client';
import { openToken, sealToken } from './grant-secrets';
import { isInvalidGrant, OAuthReauthRequiredError, providerFailure } from './provider-failure';
import type { OAuthProviders } from './providers';
import { requireSmtpHostChosen } from './smtp-binding';

/** Gives a POP3 (or SMTP) login the account's current access token. */
export interface TokenSource {
  /**
   * The access token for the account's linked grant, refreshed first when it expires within
   * the margin; null when the account has no grant (its stored secret is used as before).
   * Throws OAuthReauthRequiredError when only signing in again helps.
   */
  accessTokenFor(
    account: Pick<Pop3Account, 'id' | 'host' | 'port' | 'username'>,
    options?: TokenOptions,
  ): Promise<string | null>;
}

export interface TokenOptions {
  /** The server refused this token although it had not expired: get another one. */
  rejected?: string;
  /**
   * The token goes to this SMTP server rather than the account's POP3 server: only one the grant
   * names (its provider's, or one the user chose), else DomainError OAUTH_SMTP_HOST_NOT_CHOSEN.
   */
  smtpHost?: string;
}

export interface TokenSourceDeps {
  prisma: Db;
  keyring: Keyring;
  providers: OAuthProviders;
  timeoutMs: number;
  /** Refresh when the token expires within this long. Default 60 s. */
  refreshAheadMs?: number;
}

const sealedAccess = (grant: OAuthGrant) =>
  grant.accessCiphertext && grant.accessKeyId
    ? { ciphertext: grant.accessCiphertext, keyId: grant.accessKeyId }
    : null;

export function createTokenSource(deps: TokenSourceDeps): TokenSource {
  const margin = deps.refreshAheadMs ?? 60_000;
  const usable = (grant: OAuthGrant): string | null => {
    const sealed = sealedAccess(grant);
    if (!sealed || !grant.accessExpiresAt) return null;
    if (grant.accessExpiresAt.getTime() - margin <= Date.now()) return null;
    return openToken(deps.keyring, 'oauth-access', grant.accountId, sealed);
  };
  const checkUsable = (
    grant: OAuthGrant,
    account: Pick<Pop3Account, 'host' | 'port' | 'username'>,
    smtpHost: string | undefined,
  ) => {
    const label = deps.providers.label(grant.provider);
    if (grant.status === 'reauth_required') {
      throw new OAuthReauthRequiredError(label, grant.lastError ?? 'the sign-in was withdrawn');
    }
    // Invariant 9: tokens go only to the server and user they were granted for.
    if (
      grant.boundHost !== account.host ||
      grant.boundPort !== account.port ||
      grant.boundUsername !== account.username
    ) {
      throw new OAuthReauthRequiredError(
        label,
        "the account's server or user name changed since the sign-in",
      );
    }
    if (smtpHost !== undefined) requireSmtpHostChosen(grant, smtpHost, label);
  };

  return {
    async accessTokenFor(account, options = {}) {
      // `rejected`: the server refused this token although it had not expired (revoked at the
      // provider?): get another one, unless another process already did.
      const acceptable = (token: string | null) =>
        token !== null && token !== options.rejected ? token : null;
      const seen = await deps.prisma.oAuthGrant.findUnique({ where: { accountId: account.id } });
      if (!seen) return null;
      checkUsable(seen, account, options.smtpHost);
      const fresh = acceptable(usable(seen));
      if (fresh) return fresh;
      // Read before the transaction: the embedded database runs one transaction at a time.
      const provider = await deps.providers.get(seen.provider);

      // One refresh per account across every process: the row lock makes the others wait, and
      // they read the token the first one stored instead of spending the (rotating) refresh
      // token a second time, which the provider would answer with invalid_grant.
      const outcome = await deps.prisma.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT 1 FROM oauth_grants WHERE "accountId" = ${account.id}::uuid FOR UPDATE`;
          const grant = await tx.oAuthGrant.findUnique({ where: { accountId: account.id } });
          if (!grant) return { token: null };
          checkUsable(grant, account, options.smtpHost);
          const stored = acceptable(usable(grant));
          if (stored) return { token: stored };
          const refreshToken = openToken(deps.keyring, 'oauth-refresh', grant.accountId, {
            ciphertext: grant.refreshCiphertext,
            keyId: grant.refreshKeyId,
          });
          let tokens;
          try {
            tokens = await client.refreshTokenGrant(await provider.configuration(), refreshToken);
          } catch (error) {
            if (!isInvalidGrant(error)) {
              throw providerFailure(error, provider.label, deps.timeoutMs);
            }
            const detail = providerFailure(error, provider.label, deps.timeoutMs).message;
            await tx.oAuthGrant.update({
              where: { id: grant.id },
              data: { status: 'reauth_required', lastError: detail },
            });
            // Committed (not thrown inside): the grant stays marked for every process.
            return { reauth: new OAuthReauthRequiredError(provider.label, detail) };
          }
          const now = new Date();
          const access = sealToken(
            deps.keyring,
            'oauth-access',
            grant.accountId,
            tokens.access_token,
          );
          // A rotating provider sends a new refresh token; the old one is spent.
          const refresh = tokens.refresh_token
            ? sealToken(deps.keyring, 'oauth-refresh', grant.accountId, tokens.refresh_token)
            : null;
          const expiresIn = tokens.expiresIn();
          await tx.oAuthGrant.update({
            where: { id: grant.id },
            data: {
              accessCiphertext: access.ciphertext,
              accessKeyId: access.keyId,
              accessExpiresAt:
                expiresIn === undefined ? null : new Date(now.getTime() + expiresIn * 1000),
              ...(refresh && {
                refreshCiphertext: refresh.ciphertext,
                refreshKeyId: refresh.keyId,
              }),
              lastRefreshedAt: now,
              refreshCount: { increment: 1 },
              lastError: null,
            },
          });
          return { token: tokens.access_token };
        },
        // The lock is held across one request to the provider, which has its own timeout.
        { timeout: deps.timeoutMs + 15_000, maxWait: deps.timeoutMs + 15_000 },
      );
      if ('reauth' in outcome) throw outcome.reauth;
      return outcome.token;
    },
  };
}
