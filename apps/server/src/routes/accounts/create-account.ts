import { AccountIn, AccountOut } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  checkAccountCount,
  checkHostForAccount,
  checkPollSeconds,
  checkPort,
  checkSecurity,
  loadPolicy,
} from '../../accounts/account-policy-check';
import { accountPolicyDefaults } from '../../accounts/account-defaults';
import { toAccountOut } from '../../accounts/account-out';
import { authMethodToDb } from '../../accounts/auth-method-names';
import { linkAccount } from '../../accounts/link-account';
import { normalizeHost } from '../../accounts/policy-host-rules';
import { audit } from '../../audit/audit-log';
import { auditOrigin } from '../audit-origin';
import { requestSync } from '../../sync/presence';
import { accountErrors } from './responses';

/** Account creations of one user take turns, so two at once cannot both pass the account limit. */
const ACCOUNT_LIMIT_LOCK = 7270702;

export const createAccountRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.post(
    '/api/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Link a POP3 account (checked at once; the password is stored encrypted)',
        body: AccountIn,
        response: { 201: AccountOut, ...accountErrors },
      },
    },
    async (request, reply) => {
      const me = request.user!;
      const body = request.body;
      const host = normalizeHost(body.host);
      const policy = await loadPolicy(prisma);
      checkPort(body.port, policy);
      checkSecurity(body.security, policy);
      // What the body leaves out follows the admin's policy (the minimum interval, the retention).
      const accountPolicy = { ...accountPolicyDefaults(policy), ...body.policy };
      checkPollSeconds(accountPolicy.pollSeconds, policy);
      await checkHostForAccount(host, policy, {
        allowPrivateNetworks: app.config.allowPrivateNetworks,
      });

      const account = await prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ACCOUNT_LIMIT_LOCK}::int, hashtext(${me.id}))`;
        await checkAccountCount(tx, me.id, policy);
        return linkAccount(tx, app.keyring, me.id, {
          label: body.label,
          host,
          port: body.port,
          security: body.security,
          username: body.username,
          password: body.password,
          auth: authMethodToDb(body.auth ?? 'auto'),
          policy: accountPolicy,
          // An emptied field of the form means "none".
          tls: { caPem: body.tls?.caPem || null, pinSha256: body.tls?.pinSha256 || null },
        });
      });
      await requestSync(prisma, account.id);
      app.scheduler?.wake();
      await audit(prisma, auditOrigin(request), {
        action: 'account.created',
        actor: me,
        targetType: 'pop3_account',
        targetId: account.id,
        details: {
          label: account.label,
          host: account.host,
          port: account.port,
          security: account.security,
        },
      });
      return reply.code(201).send(toAccountOut(account, { messageCount: 0, unreadCount: 0 }));
    },
  );
};
