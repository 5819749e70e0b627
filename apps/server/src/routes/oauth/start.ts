import { ErrorReply, OAuthStartParams, OAuthStartQuery } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { startAuthorization } from '../../oauth/authorization';
import { callbackUrl } from './redirect-uri';

export const startOAuthRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/oauth/:provider/start',
    {
      schema: {
        tags: ['oauth'],
        summary:
          "Sign one of my accounts in at a provider: redirects to the provider's sign-in page",
        params: OAuthStartParams,
        querystring: OAuthStartQuery,
        response: {
          302: {},
          400: ErrorReply,
          401: ErrorReply,
          403: ErrorReply,
          404: ErrorReply,
          422: ErrorReply,
        },
      },
    },
    async (request, reply) => {
      const url = await startAuthorization(
        {
          prisma: app.db.prisma,
          keyring: app.keyring,
          providers: app.oauthProviders,
          timeoutMs: app.config.oauth.timeoutMs,
        },
        {
          userId: request.user!.id,
          sessionId: request.user!.sessionId,
          accountId: request.query.accountId,
          provider: request.params.provider,
          redirectUri: callbackUrl(request),
          ...(request.query.loginHint && { loginHint: request.query.loginHint }),
        },
      );
      return reply.redirect(url.href, 302);
    },
  );
};
