import { AccountOut, AccountPatch } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  checkHostForAccount,
  checkPollSeconds,
  checkPort,
  checkSecurity,
  loadPolicy,
} from '../../accounts/account-policy-check';
import { accountGrants } from '../../accounts/account-oauth';
import { toAccountOut } from '../../accounts/account-out';
import { accountUpdate } from '../../accounts/account-update';
import { messageCounts } from '../../messages/counts';
import { ownedAccount } from '../../accounts/owned-account';
import { requireSecretFor } from '../../accounts/stored-secret-destination';
import { audit } from '../../audit/audit-log';
import { auditOrigin } from '../audit-origin';
import { requestSync } from '../../sync/presence';
import { AccountParams, accountErrors } from './responses';

export const updateAccountRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.patch(
    '/api/accounts/:id',
    {
      schema: {
        tags: ['accounts'],
        summary:
          'Change any of my account settings; a new password (or server, port, security, user name, login method, TLS trust) gives a stopped account a new try at once. A new server, port, security, user name or trusted certificate needs the password again (400 PASSWORD_REQUIRED)',
        params: AccountParams,
        body: AccountPatch,
        response: { 200: AccountOut, ...accountErrors },
      },
    },
    async (request) => {
      const me = request.user!;
      const current = await ownedAccount(prisma, me.id, request.params.id);
      const update = accountUpdate(current, request.body, app.keyring);
      const { data, changed } = update;

      // Only what changes is held to the admin policy: renaming an account keeps working after
      // the admin tightens the rules.
      if (changed.length > 0) {
        const policy = await loadPolicy(prisma);
        const { port, security } = request.body;
        const pollSeconds = request.body.policy?.pollSeconds;
        if (data.port !== undefined && port !== undefined) checkPort(port, policy);
        if (data.security !== undefined && security !== undefined) checkSecurity(security, policy);
        if (data.pollSeconds !== undefined && pollSeconds !== undefined)
          checkPollSeconds(pollSeconds, policy);
        if (data.host !== undefined) {
          await checkHostForAccount(data.host as string, policy, {
            allowPrivateNetworks: app.config.allowPrivateNetworks,
          });
        }
      }
      // The stored password goes nowhere it was not stored for: a new server, port, security,
      // user name or trusted certificate comes with the password (400 PASSWORD_REQUIRED).
      if (request.body.password === undefined) requireSecretFor(current, request.body);

      const account =
        changed.length > 0
          ? await prisma.pop3Account.update({ where: { id: current.id }, data })
          : current;
      if (update.reconnect) {
        await requestSync(prisma, account.id);
        app.scheduler?.wake();
        await app.events.publish(me.id, 'account.status', {
          accountId: account.id,
          status: account.status,
          lastError: null,
          lastErrorCode: null,
        });
      } else if (current.disabled && !account.disabled) {
        app.scheduler?.wake();
      }
      if (changed.length > 0) {
        await audit(prisma, auditOrigin(request), {
          action: 'account.changed',
          actor: me,
          targetType: 'pop3_account',
          targetId: account.id,
          details: { fields: changed },
        });
      }
      const counts = await messageCounts(prisma, [account.id]);
      const grants = await accountGrants(prisma, [account.id]);
      return toAccountOut(account, counts(account.id), grants(account.id));
    },
  );
};
