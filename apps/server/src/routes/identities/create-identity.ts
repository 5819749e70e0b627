import { IdentityIn, IdentityOut } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { audit } from '../../audit/audit-log';
import { createIdentity } from '../../identities/identity-changes';
import { toIdentityOut } from '../../identities/identity-out';
import { auditOrigin } from '../audit-origin';
import { identityErrors } from './responses';

export const createIdentityRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.post(
    '/api/identities',
    {
      schema: {
        tags: ['identities'],
        summary:
          "Add an outgoing identity to one of my accounts. Without smtp.password the account's POP3 password is used, and only with a sending server of the POP3 server's domain (400 PASSWORD_REQUIRED otherwise); a password given is stored encrypted",
        body: IdentityIn,
        response: { 201: IdentityOut, ...identityErrors },
      },
    },
    async (request, reply) => {
      const me = request.user!;
      const identity = await createIdentity(
        { prisma, keyring: app.keyring, allowPrivateNetworks: app.config.allowPrivateNetworks },
        me.id,
        request.body,
      );
      await audit(prisma, auditOrigin(request), {
        action: 'identity.created',
        actor: me,
        targetType: 'identity',
        targetId: identity.id,
        details: {
          accountId: identity.accountId,
          address: identity.address,
          smtpHost: identity.smtpHost,
          smtpPort: identity.smtpPort,
          smtpSecurity: identity.smtpSecurity,
        },
      });
      return reply.code(201).send(toIdentityOut(identity));
    },
  );
};
