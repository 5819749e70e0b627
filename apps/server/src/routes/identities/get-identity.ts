import { IdentityOut } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toIdentityOut } from '../../identities/identity-out';
import { ownedIdentity } from '../../identities/owned-identity';
import { IdentityParams, identityErrors } from './responses';

export const getIdentityRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.get(
    '/api/identities/:id',
    {
      schema: {
        tags: ['identities'],
        summary: 'One of my identities (never its password)',
        params: IdentityParams,
        response: { 200: IdentityOut, ...identityErrors },
      },
    },
    async (request) =>
      toIdentityOut(await ownedIdentity(prisma, request.user!.id, request.params.id)),
  );
};
