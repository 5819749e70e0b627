import { ErrorReply, OAuthStartParams, OAuthStartQuery } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../domain-errors';
import { startAuthorization } from '../../oauth/authorization';
import { authorizationDeps } from './authorization-deps';
import { callbackUrl } from './redirect-uri';

export const startOAuthRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/oauth/:provider/start',
    {
      schema: {
        tags: ['oauth'],
        summary:
          "Sign one of my accounts in at a provider (accountId), or create one by signing in (email, label: servers from the presets or autoconfiguration, the admin policy checked first): redirects to the provider's sign-in page",
        params: OAuthStartParams,
        querystring: OAuthStartQuery,
        response: {
          302: {},
          400: ErrorReply,
          401: ErrorReply,
          403: ErrorReply,
          404: ErrorReply,
          422: ErrorReply,
          429: ErrorReply,
        },
      },
    },
    async (request, reply) => {
      const { query } = request;
      let url: URL;
      try {
        url = await startAuthorization(authorizationDeps(app), {
          userId: request.user!.id,
          sessionId: request.user!.sessionId,
          provider: request.params.provider,
          redirectUri: callbackUrl(request),
          ...(query.accountId !== undefined && { accountId: query.accountId }),
          ...(query.email !== undefined && { email: query.email }),
          ...(query.label !== undefined && { label: query.label }),
          ...(query.loginHint && { loginHint: query.loginHint }),
        });
      } catch (error) {
        // A browser that followed the "Sign in with…" link would show the JSON error as a raw
        // page: it goes back to the accounts page, which says what went wrong (as the callback
        // does). Other clients get the error as usual.
        if (!(error instanceof DomainError) || request.headers['sec-fetch-mode'] !== 'navigate') {
          throw error;
        }
        const page =
          query.accountId !== undefined && error.kind !== 'not_found'
            ? `/accounts/${query.accountId}`
            : '/accounts';
        const outcome = new URLSearchParams({
          oauth: 'error',
          code: error.code,
          message: error.message,
        });
        return reply.redirect(`${page}?${outcome.toString()}`, 302);
      }
      return reply.redirect(url.href, 302);
    },
  );
};
