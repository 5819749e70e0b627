import { IdentityList } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toIdentityOut } from '../../identities/identity-out';
import { identityErrors } from './responses';

export const listIdentitiesRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.get(
    '/api/identities',
    {
      schema: {
        tags: ['identities'],
        summary:
          'My outgoing identities (who I send as, and through which SMTP server), oldest first',
        response: { 200: IdentityList, ...identityErrors },
      },
    },
    async (request) => {
      const identities = await prisma.identity.findMany({
        where: { userId: request.user!.id },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      return identities.map(toIdentityOut);
    },
  );
};
