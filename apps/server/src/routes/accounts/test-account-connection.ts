import { AccountTestIn, AccountTestReply } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { openAccountSecret } from '../../accounts/account-secret';
import { checkPort, checkSecurity, loadPolicy } from '../../accounts/account-policy-check';
import { ownedAccount } from '../../accounts/owned-account';
import { testLogin } from '../../accounts/pop3-options';
import { requireSecretFor } from '../../accounts/stored-secret-destination';
import { testConnection } from '../../accounts/test-connection';
import { SecretUnavailableError } from '../../crypto/secret-box';
import { HttpError } from '../../plugins/errors';
import { admitConnectionTest, whileClientWaits } from '../connection-test-request';
import { accountErrors } from './responses';

export const testAccountConnectionRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.post(
    '/api/accounts/test',
    {
      schema: {
        tags: ['accounts'],
        summary:
          'Try a server and credentials without saving anything: what the server offers, or exactly what failed',
        body: AccountTestIn,
        response: { 200: AccountTestReply, ...accountErrors },
      },
    },
    async (request) => {
      const me = request.user!;
      const body = request.body;
      await admitConnectionTest(prisma, me.id);
      const policy = await loadPolicy(prisma);
      checkPort(body.port, policy);
      checkSecurity(body.security, policy);
      const secret = body.password ?? (await storedSecret(body, me.id));

      return whileClientWaits(request, (signal) =>
        testConnection(testLogin(body, secret), {
          policy,
          allowPrivateNetworks: app.config.allowPrivateNetworks,
          ...(app.syncContext.timeouts && { timeouts: app.syncContext.timeouts }),
          signal,
        }),
      );
    },
  );

  /**
   * Testing a linked account without typing its password: the stored one, unsealed for this call,
   * and only for the server it was stored for (a new server, port, security, user name or trusted
   * certificate needs the password typed again).
   */
  async function storedSecret(body: AccountTestIn, userId: string): Promise<string> {
    const { accountId } = body;
    if (!accountId) {
      throw new HttpError(
        400,
        'VALIDATION',
        'body/password is required (or accountId, to use the password of that linked account)',
      );
    }
    const account = await ownedAccount(prisma, userId, accountId);
    requireSecretFor(account, body);
    try {
      return openAccountSecret(app.keyring, account);
    } catch (error) {
      if (!(error instanceof SecretUnavailableError)) throw error;
      throw new HttpError(
        409,
        'SECRET_UNAVAILABLE',
        'The stored password of this account cannot be read any more; enter it again',
      );
    }
  }
};
