import { ErrorReply, OAuthCallbackQuery } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { audit } from '../../audit/audit-log';
import { finishAuthorization } from '../../oauth/authorization';
import { requestSync } from '../../sync/presence';
import { auditOrigin } from '../audit-origin';
import { authorizationDeps } from './authorization-deps';

export const oauthCallbackRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/oauth/callback',
    {
      schema: {
        tags: ['oauth'],
        summary:
          "Where the provider sends the browser back: links the grant (or creates the account it was started for), then redirects to the account's page with the result",
        querystring: OAuthCallbackQuery,
        response: { 302: {}, 400: ErrorReply, 401: ErrorReply },
      },
    },
    async (request, reply) => {
      const result = await finishAuthorization(authorizationDeps(app), {
        userId: request.user!.id,
        sessionId: request.user!.sessionId,
        callbackUrl: new URL(request.url, 'http://popgate.invalid'),
      });
      if (result.ok && result.created) {
        await requestSync(app.db.prisma, result.accountId);
        app.scheduler?.wake();
        await audit(app.db.prisma, auditOrigin(request), {
          action: 'account.created',
          actor: request.user!,
          targetType: 'pop3_account',
          targetId: result.accountId,
          details: { signIn: result.provider },
        });
      }
      if (!result.ok) request.log.info({ code: result.code }, 'OAuth2 sign-in refused');
      const page = result.accountId ? `/accounts/${result.accountId}` : '/accounts';
      const outcome = result.ok
        ? new URLSearchParams({
            oauth: 'linked',
            provider: result.provider,
            ...(result.created && { created: '1' }),
          })
        : new URLSearchParams({ oauth: 'error', code: result.code, message: result.message });
      return reply.redirect(`${page}?${outcome.toString()}`, 302);
    },
  );
};
