import { AutoconfigQuery, AutoconfigReply, ErrorReply } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { loadPolicy } from '../../accounts/account-policy-check';
import { takeAutoconfigLookup } from '../../autoconfig/autoconfig-throttle';
import { lookupSettings } from '../../autoconfig/lookup';

export const getAutoconfigRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.get(
    '/api/autoconfig',
    {
      schema: {
        tags: ['accounts'],
        summary:
          "Proposed POP3 and SMTP settings and sign-in method for an address: a known provider's preset, the domain's autoconfig document, its MX records, or a guess",
        querystring: AutoconfigQuery,
        response: { 200: AutoconfigReply, 400: ErrorReply, 401: ErrorReply, 429: ErrorReply },
      },
    },
    async (request) => {
      await takeAutoconfigLookup(prisma, request.user!.id);
      return lookupSettings(request.query.email, {
        policy: await loadPolicy(prisma),
        allowPrivateNetworks: app.config.allowPrivateNetworks,
        probe: request.query.probe === '1',
      });
    },
  );
};
