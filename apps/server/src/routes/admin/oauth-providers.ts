import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AdminOAuthProviderParams,
  AdminOAuthProviderPut,
  AdminOAuthProvidersReply,
  ErrorReply,
} from '@popgate/contracts';
import { audit } from '../../audit/audit-log';
import {
  checkProviderReachable,
  clearProviderSetting,
  describeProviders,
  keptClientSecret,
  providerChanges,
  saveProviderSetting,
  settingsFromRequest,
} from '../../oauth/provider-settings';
import { auditOrigin } from '../audit-origin';
import { callbackUrl } from '../oauth/redirect-uri';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply };

/**
 * OAuth2 providers set on the admin policy page: they replace the environment's for that provider
 * and apply to the next sign-in in every process. The client secret is sealed and never answered.
 */
export const adminOAuthProviderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  const describe = () => describeProviders(prisma, app.keyring, app.oauthProviders);
  const answer = async (request: Parameters<typeof callbackUrl>[0]) => ({
    redirectUri: callbackUrl(request),
    items: await describe(),
  });

  app.get(
    '/api/admin/oauth-providers',
    {
      schema: {
        tags: ['admin'],
        summary:
          'The OAuth2 providers (from the environment or set here), and the redirect URI to register at them',
        response: { 200: AdminOAuthProvidersReply, ...errors },
      },
    },
    async (request) => answer(request),
  );

  app.put(
    '/api/admin/oauth-providers/:provider',
    {
      schema: {
        tags: ['admin'],
        summary:
          "Set or replace a provider (replaces the environment's; clientSecret left out keeps the one set here)",
        params: AdminOAuthProviderParams,
        body: AdminOAuthProviderPut,
        response: { 200: AdminOAuthProvidersReply, 422: ErrorReply, ...errors },
      },
    },
    async (request) => {
      const { provider } = request.params;
      const { body } = request;
      const enabled = body.enabled ?? true;
      const kept =
        body.clientSecret === undefined
          ? await keptClientSecret(prisma, app.keyring, provider)
          : null;
      const settings = settingsFromRequest(provider, body, kept, {
        allowInsecure: app.config.allowPrivateNetworks,
      });
      if (enabled) await checkProviderReachable(app.oauthProviders, settings);
      const before = (await describe()).find((item) => item.provider === provider)!;
      await saveProviderSetting(prisma, app.keyring, settings, {
        enabled,
        adminId: request.user!.id,
      });
      const items = await describe();
      const after = items.find((item) => item.provider === provider)!;
      await audit(prisma, auditOrigin(request), {
        action: 'admin.oauth_provider_set',
        actor: request.user,
        targetType: 'oauth_provider',
        targetId: provider,
        details: providerChanges(before, after, body.clientSecret !== undefined),
      });
      return { redirectUri: callbackUrl(request), items };
    },
  );

  app.delete(
    '/api/admin/oauth-providers/:provider',
    {
      schema: {
        tags: ['admin'],
        summary: "Clear the provider's settings made here: the environment's (if any) apply again",
        params: AdminOAuthProviderParams,
        response: { 200: AdminOAuthProvidersReply, ...errors },
      },
    },
    async (request) => {
      const { provider } = request.params;
      if (await clearProviderSetting(prisma, provider)) {
        await audit(prisma, auditOrigin(request), {
          action: 'admin.oauth_provider_cleared',
          actor: request.user,
          targetType: 'oauth_provider',
          targetId: provider,
        });
      }
      return answer(request);
    },
  );
};
