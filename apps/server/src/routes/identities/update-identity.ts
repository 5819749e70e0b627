import { IdentityOut, IdentityPatch } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { audit } from '../../audit/audit-log';
import { updateIdentity } from '../../identities/identity-changes';
import { toIdentityOut } from '../../identities/identity-out';
import { auditOrigin } from '../audit-origin';
import { IdentityParams, identityErrors } from './responses';

export const updateIdentityRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.patch(
    '/api/identities/:id',
    {
      schema: {
        tags: ['identities'],
        summary:
          'Change any of my identity settings. A new SMTP server, port, security, user name or trusted certificate needs smtp.password or smtp.useAccountPassword in the same request (400 PASSWORD_REQUIRED)',
        params: IdentityParams,
        body: IdentityPatch,
        response: { 200: IdentityOut, ...identityErrors },
      },
    },
    async (request) => {
      const me = request.user!;
      const { identity, changed } = await updateIdentity(
        { prisma, keyring: app.keyring, allowPrivateNetworks: app.config.allowPrivateNetworks },
        me.id,
        request.params.id,
        request.body,
      );
      if (changed.length > 0) {
        await audit(prisma, auditOrigin(request), {
          action: 'identity.changed',
          actor: me,
          targetType: 'identity',
          targetId: identity.id,
          details: { fields: changed },
        });
      }
      return toIdentityOut(identity);
    },
  );
};
