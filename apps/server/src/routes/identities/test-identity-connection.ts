import { IdentityTestIn, IdentityTestReply } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { openAccountSecret } from '../../accounts/account-secret';
import { loadPolicy } from '../../accounts/account-policy-check';
import { takeConnectionTest } from '../../accounts/connection-test-throttle';
import { ownedAccount } from '../../accounts/owned-account';
import { normalizeHost } from '../../accounts/policy-host-rules';
import { SecretUnavailableError } from '../../crypto/secret-box';
import { openIdentitySecret } from '../../identities/identity-secret';
import { ownedIdentity } from '../../identities/owned-identity';
import type { SmtpTarget } from '../../identities/smtp-connect';
import { checkSmtpPort, checkSmtpSecurity } from '../../identities/smtp-policy-check';
import {
  requireAccountPasswordDestination,
  requireSmtpSecretFor,
} from '../../identities/smtp-secret-destination';
import { testSmtp } from '../../identities/test-smtp';
import { HttpError } from '../../plugins/errors';
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
      // One allowance with the POP3 connection test: both are a way to make Popgate dial out.
      const wait = await takeConnectionTest(prisma, me.id);
      if (wait > 0) {
        throw new HttpError(
          429,
          'RATE_LIMITED',
          `Too many connection tests in a minute; try again in ${wait} s`,
          { 'retry-after': String(wait) },
        );
      }
      const policy = await loadPolicy(prisma);
      checkSmtpPort(body.port, policy);
      checkSmtpSecurity(body.security, policy);
      const target: SmtpTarget = {
        host: normalizeHost(body.host),
        port: body.port,
        security: body.security,
        username: body.username,
        secret: body.password ?? (await storedSecret(body, me.id)),
        auth: body.auth ?? 'auto',
        tls: body.tls ?? {},
      };

      // The test ends when its timeouts say so, or as soon as nobody waits for the answer.
      const abandoned = new AbortController();
      const onClose = () => abandoned.abort();
      const socket = request.raw.socket;
      socket?.once?.('close', onClose);
      try {
        const timeoutMs = app.syncContext.timeouts?.commandMs;
        return await testSmtp({ prisma, config: app.config, policy }, target, {
          signal: abandoned.signal,
          ...(timeoutMs ? { timeoutMs } : {}),
        });
      } finally {
        socket?.off?.('close', onClose);
      }
    },
  );

  /**
   * Testing without typing the password: an identity's own password only for the settings it was
   * stored for; the account's POP3 password (an identity without one, or a new identity's
   * account) only for a sending server of the POP3 server's domain.
   */
  async function storedSecret(body: IdentityTestIn, userId: string): Promise<string> {
    try {
      if (body.identityId) {
        const identity = await ownedIdentity(prisma, userId, body.identityId);
        const own = identity.smtpSecretCiphertext ? identity : null;
        if (own) {
          requireSmtpSecretFor(own, body);
          return openIdentitySecret(app.keyring, own)!;
        }
        requireAccountPasswordDestination(identity.account.host, body.host);
        return openAccountSecret(app.keyring, identity.account);
      }
      if (body.accountId) {
        const account = await ownedAccount(prisma, userId, body.accountId);
        requireAccountPasswordDestination(account.host, body.host);
        return openAccountSecret(app.keyring, account);
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
