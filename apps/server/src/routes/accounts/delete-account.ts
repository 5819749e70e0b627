import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ownedAccount } from '../../accounts/owned-account';
import { removeAccount } from '../../accounts/remove-account';
import { audit } from '../../audit/audit-log';
import { auditOrigin } from '../audit-origin';
import { AccountParams, accountErrors } from './responses';

export const deleteAccountRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.delete(
    '/api/accounts/:id',
    {
      schema: {
        tags: ['accounts'],
        summary:
          'Unlink one of my accounts and delete every message stored for it here (nothing is deleted on the POP3 server)',
        params: AccountParams,
        response: { 204: Type.Null(), ...accountErrors },
      },
    },
    async (request, reply) => {
      const me = request.user!;
      const account = await ownedAccount(prisma, me.id, request.params.id);
      await removeAccount(prisma, account.id, request.log);
      await audit(prisma, auditOrigin(request), {
        action: 'account.deleted',
        actor: me,
        targetType: 'pop3_account',
        targetId: account.id,
        details: { label: account.label, host: account.host },
      });
      return reply.code(204).send(null);
    },
  );
};
