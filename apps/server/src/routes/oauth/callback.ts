import { ErrorReply, OAuthCallbackQuery } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { finishAuthorization } from '../../oauth/authorization';

export const oauthCallbackRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/oauth/callback',
    {
      schema: {
        tags: ['oauth'],
        summary:
          "Where the provider sends the browser back: links the grant, then redirects to the account's page with the result",
        querystring: OAuthCallbackQuery,
        response: { 302: {}, 400: ErrorReply, 401: ErrorReply },
      },
    },
    async (request, reply) => {
      const result = await finishAuthorization(
        {
          prisma: app.db.prisma,
          keyring: app.keyring,
          providers: app.oauthProviders,
          timeoutMs: app.config.oauth.timeoutMs,
        },
        {
          userId: request.user!.id,
          sessionId: request.user!.sessionId,
          callbackUrl: new URL(request.url, 'http://popgate.invalid'),
        },
      );
      if (!result.ok) request.log.info({ code: result.code }, 'OAuth2 sign-in refused');
      const page = result.accountId ? `/accounts/${result.accountId}` : '/accounts';
      const outcome = result.ok
        ? new URLSearchParams({ oauth: 'linked', provider: result.provider })
        : new URLSearchParams({ oauth: 'error', code: result.code, message: result.message });
      return reply.redirect(`${page}?${outcome.toString()}`, 302);
    },
  );
};
