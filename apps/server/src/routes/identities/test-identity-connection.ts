import { IdentityTestIn, IdentityTestReply } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Pop3Account } from '../../generated/prisma/client';
import { openAccountSecret } from '../../accounts/account-secret';
import { loadPolicy } from '../../accounts/account-policy-check';
import { ownedAccount } from '../../accounts/owned-account';
import { normalizeHost } from '../../accounts/policy-host-rules';
import { SecretUnavailableError } from '../../crypto/secret-box';
import { openIdentitySecret } from '../../identities/identity-secret';
import { ownedIdentity } from '../../identities/owned-identity';
import { accountSmtpToken } from '../../oauth/account-smtp-token';
import { OAuthReauthRequiredError } from '../../oauth/provider-failure';
import type { SmtpTarget } from '../../identities/smtp-connect';
import { checkSmtpPort, checkSmtpSecurity } from '../../identities/smtp-policy-check';
import {
  requireAccountPasswordDestination,
  requireSmtpSecretFor,
} from '../../identities/smtp-secret-destination';
import { testSmtp } from '../../identities/test-smtp';
import { HttpError } from '../../plugins/errors';
import { admitConnectionTest, whileClientWaits } from '../connection-test-request';
import { identityErrors } from './responses';

export const testIdentityConnectionRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.post(
    '/api/identities/test',
    {
      schema: {
        tags: ['identities'],
        summary:
          'Try a sending server and credentials without saving or sending anything: what the server offers, or exactly what failed. Without a password, the stored one of identityId (or the POP3 password of accountId) is used, only for the server it may go to',
        body: IdentityTestIn,
        response: { 200: IdentityTestReply, ...identityErrors },
      },
    },
    async (request) => {
      const me = request.user!;
      const body = request.body;
      await admitConnectionTest(prisma, me.id);
      const policy = await loadPolicy(prisma);
      checkSmtpPort(body.port, policy);
      checkSmtpSecurity(body.security, policy);
      const host = normalizeHost(body.host);
      let stored: StoredSecret;
      try {
        stored = body.password === undefined ? await storedSecret(body, me.id, host) : {};
      } catch (error) {
        // A sign-in the provider no longer honours: the test's answer, as for a wrong password.
        if (!(error instanceof OAuthReauthRequiredError)) throw error;
        return {
          ok: false as const,
          error: { code: 'AUTH_FAILED' as const, message: `${error.message}.` },
        };
      }
      const target = (secret: string): SmtpTarget => ({
        host,
        port: body.port,
        security: body.security,
        username: body.username,
        secret,
        // An account's sign-in logs in with its token, whatever method the form names.
        auth: stored.account ? 'xoauth2' : (body.auth ?? 'auto'),
        tls: body.tls ?? {},
      });

      return whileClientWaits(request, async (signal) => {
        const timeoutMs = app.syncContext.timeouts?.commandMs;
        const attempt = (secret: string) =>
          testSmtp({ prisma, config: app.config, policy }, target(secret), {
            signal,
            ...(timeoutMs ? { timeoutMs } : {}),
          });
        const first = await attempt(body.password ?? stored.secret!);
        if (first.ok || first.error.code !== 'AUTH_FAILED' || !stored.account) return first;
        // The server refused a token that had not expired: one refresh tells whether the
        // sign-in still stands (the new token is tried once), as when sending.
        try {
          const renewed = await accountSmtpToken(
            { prisma, tokens: app.oauthTokens },
            stored.account,
            host,
            stored.secret,
          );
          return renewed && renewed !== stored.secret ? await attempt(renewed) : first;
        } catch (error) {
          if (!(error instanceof OAuthReauthRequiredError)) throw error;
          return {
            ok: false as const,
            error: { code: 'AUTH_FAILED' as const, message: `${error.message}.` },
          };
        }
      });
    },
  );

  /** A stored secret; `account` set when it is that account's sign-in token (XOAUTH2). */
  interface StoredSecret {
    secret?: string;
    account?: Pop3Account;
  }

  /** The account's sign-in token for a host its grant names, else its POP3 password's rules. */
  async function accountSecret(account: Pop3Account, host: string): Promise<StoredSecret> {
    const token = await accountSmtpToken({ prisma, tokens: app.oauthTokens }, account, host);
    if (token !== null) return { secret: token, account };
    requireAccountPasswordDestination(account.host, host);
    return { secret: openAccountSecret(app.keyring, account) };
  }

  /**
   * Testing without typing the password: an identity's own password only for the settings it was
   * stored for; the account's POP3 password (an identity without one, or a new identity's
   * account) only for a sending server of the POP3 server's domain; an account signed in with a
   * provider gives its access token instead, only for a sending server its sign-in names.
   */
  async function storedSecret(
    body: IdentityTestIn,
    userId: string,
    host: string,
  ): Promise<StoredSecret> {
    try {
      if (body.identityId) {
        const identity = await ownedIdentity(prisma, userId, body.identityId);
        const own = identity.smtpSecretCiphertext ? identity : null;
        if (own) {
          requireSmtpSecretFor(own, body);
          return { secret: openIdentitySecret(app.keyring, own)! };
        }
        return await accountSecret(identity.account, host);
      }
      if (body.accountId) {
        return await accountSecret(await ownedAccount(prisma, userId, body.accountId), host);
      }
    } catch (error) {
      if (!(error instanceof SecretUnavailableError)) throw error;
      throw new HttpError(
        409,
        'SECRET_UNAVAILABLE',
        'The stored password cannot be read any more; enter it again',
      );
    }
    throw new HttpError(
      400,
      'VALIDATION',
      'body/password is required (or identityId or accountId, to use the password stored there)',
    );
  }
};
