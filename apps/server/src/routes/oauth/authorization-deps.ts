import type { FastifyInstance } from 'fastify';
import type { AuthorizationDeps } from '../../oauth/authorization';

/** What signing in at a provider needs from the app, for the start and the callback alike. */
export const authorizationDeps = (app: FastifyInstance): AuthorizationDeps => ({
  prisma: app.db.prisma,
  keyring: app.keyring,
  providers: app.oauthProviders,
  timeoutMs: app.config.oauth.timeoutMs,
  allowPrivateNetworks: app.config.allowPrivateNetworks,
  settingsLookup: (email, policy) => app.oauthNewAccounts.lookup(email, policy),
});
