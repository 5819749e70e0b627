import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { autoconfigSignInSettings, type SignInSettingsLookup } from '../oauth/new-account';
import { readProviderOverrides } from '../oauth/provider-settings';
import { OAuthProviders } from '../oauth/providers';
import { createTokenSource, type TokenSource } from '../oauth/token-source';

declare module 'fastify' {
  interface FastifyInstance {
    /** The OAuth2 providers the operator configured or an admin set (possibly none). */
    oauthProviders: OAuthProviders;
    /** Access tokens for accounts linked through OAuth2, refreshed once across processes. */
    oauthTokens: TokenSource;
    /**
     * Where an account made by signing in finds its servers: the presets and autoconfiguration;
     * tests replace `lookup` with servers of their own rather than editing the preset table.
     */
    oauthNewAccounts: { lookup: SignInSettingsLookup };
  }
}

/** OAuth2 sign-in: the configured providers and the token source the sync engine logs in with. */
export const oauthPlugin = fp(
  async (app: FastifyInstance) => {
    const providers = new OAuthProviders(app.config.oauth, {
      allowInsecure: app.config.allowPrivateNetworks,
      timeoutMs: app.config.oauth.timeoutMs,
      // An admin's settings replace the environment's, read where each sign-in needs them.
      overrides: () => readProviderOverrides(app.db.prisma, app.keyring),
    });
    app.decorate('oauthProviders', providers);
    app.decorate('oauthNewAccounts', {
      lookup: autoconfigSignInSettings({ allowPrivateNetworks: app.config.allowPrivateNetworks }),
    });
    app.decorate(
      'oauthTokens',
      createTokenSource({
        prisma: app.db.prisma,
        keyring: app.keyring,
        providers,
        timeoutMs: app.config.oauth.timeoutMs,
      }),
    );
  },
  { name: 'oauth', dependencies: ['keyring'] },
);
