import { IdentityDefaults, IdentityDefaultsQuery } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ownedAccount } from '../../accounts/owned-account';
import { identityDefaults } from '../../identities/identity-defaults';
import { identityErrors } from './responses';

export const identityDefaultsRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.get(
    '/api/identities/defaults',
    {
      schema: {
        tags: ['identities'],
        summary:
          'What the identity form proposes for one of my accounts: its POP3 user name as the address when it is one, smtp.<domain> with STARTTLS on 587, the POP3 user name',
        querystring: IdentityDefaultsQuery,
        response: { 200: IdentityDefaults, ...identityErrors },
      },
    },
    async (request) =>
      identityDefaults(await ownedAccount(prisma, request.user!.id, request.query.accountId)),
  );
};
