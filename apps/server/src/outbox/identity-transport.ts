import type { Keyring } from '../crypto/secret-box';
import type { Db } from '../db/prisma';
import { DomainError } from '../domain-errors';
import type { Identity, Pop3Account } from '../generated/prisma/client';
import { connectSmtp, smtpTargetOf } from '../identities/smtp-connect';
import { describeSmtpFailure, SmtpError } from '../identities/smtp-failure';
import { OAuthReauthRequiredError } from '../oauth/provider-failure';
import type { TokenSource } from '../oauth/token-source';
import type { OutboxTransport, SmtpFailure, SmtpSession } from './transport';

export interface IdentityTransportDeps {
  prisma: Db;
  keyring: Keyring;
  config: { allowPrivateNetworks: boolean };
  /** Access tokens of accounts signed in with a provider (OAuth2). */
  tokens: TokenSource;
}

/** Talking to the provider failed for a while (it may be down): the item is tried again later. */
const PROVIDER_HICCUPS = new Set(['OAUTH_TIMEOUT', 'OAUTH_BAD_RESPONSE', 'OAUTH_PROVIDER_ERROR']);

/**
 * What a sending job failed with, for the rule of docs/sending.md: the identities' description,
 * plus the OAuth2 cases. A grant the provider no longer honours fails the item ("Sign in to …
 * again"; retrying cannot help), a provider that did not answer well is tried again later.
 */
export function describeSendFailure(error: unknown): SmtpFailure {
  if (error instanceof OAuthReauthRequiredError) {
    return {
      code: 'OAUTH_REAUTH',
      message: `${error.message}. Then send it again.`,
      permanent: true,
      outcomeUnknown: false,
    };
  }
  if (error instanceof DomainError && PROVIDER_HICCUPS.has(error.code)) {
    return {
      code: 'NETWORK',
      message: `${error.message}; it will be tried again.`,
      permanent: false,
      outcomeUnknown: false,
    };
  }
  return describeSmtpFailure(error);
}

/**
 * How the outbox sender reaches an identity's SMTP server: connectSmtp with the identity's own
 * password, or its account's secret. An account signed in with a provider gives an access token
 * (refreshed when due, and only for an SMTP host the grant names); when the server refuses a token
 * that had not expired, one refresh tells whether the grant still stands (a new token, tried
 * once) or is gone (OAuthReauthRequiredError), as for POP3.
 */
export function identityTransport(deps: IdentityTransportDeps): OutboxTransport {
  const connectDeps = { prisma: deps.prisma, config: deps.config };
  return {
    async open(identity: Identity & { account: Pop3Account }): Promise<SmtpSession> {
      const ownPassword = identity.smtpSecretCiphertext !== null;
      const token = ownPassword
        ? null
        : await deps.tokens.accessTokenFor(identity.account, { smtpHost: identity.smtpHost });
      const connect = (accessToken: string | null) =>
        connectSmtp(
          connectDeps,
          smtpTargetOf(deps.keyring, identity, identity.account, accessToken),
        );
      try {
        return await connect(token);
      } catch (error) {
        const refused =
          error instanceof SmtpError && error.failure.code === 'AUTH_FAILED' && token !== null;
        if (!refused) throw error;
        const renewed = await deps.tokens.accessTokenFor(identity.account, {
          smtpHost: identity.smtpHost,
          rejected: token,
        });
        if (!renewed || renewed === token) throw error;
        return connect(renewed);
      }
    },
    describe: describeSendFailure,
  };
}
