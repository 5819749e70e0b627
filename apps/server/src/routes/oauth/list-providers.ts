import { ErrorReply, OAuthProvidersReply } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export const listProvidersRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/oauth/providers',
    {
      schema: {
        tags: ['oauth'],
        summary: 'The OAuth2 providers this Popgate can sign accounts in with',
        response: { 200: OAuthProvidersReply, 401: ErrorReply },
      },
    },
    async () => ({
      items: (await app.oauthProviders.list()).map(({ name, label, scopes }) => ({
        name,
        label,
        scopes,
      })),
    }),
  );
};
