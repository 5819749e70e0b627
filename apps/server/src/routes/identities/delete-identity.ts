import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { audit } from '../../audit/audit-log';
import { removeIdentity } from '../../identities/identity-changes';
import { auditOrigin } from '../audit-origin';
import { IdentityParams, identityErrors } from './responses';

export const deleteIdentityRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.delete(
    '/api/identities/:id',
    {
      schema: {
        tags: ['identities'],
        summary:
          'Remove one of my identities (its drafts and outbox items stay, without an identity to send from)',
        params: IdentityParams,
        response: { 204: Type.Null(), ...identityErrors },
      },
    },
    async (request, reply) => {
      const me = request.user!;
      const identity = await removeIdentity(prisma, me.id, request.params.id);
      await audit(prisma, auditOrigin(request), {
        action: 'identity.deleted',
        actor: me,
        targetType: 'identity',
        targetId: identity.id,
        details: { accountId: identity.accountId, address: identity.address },
      });
      return reply.code(204).send(null);
    },
  );
};
