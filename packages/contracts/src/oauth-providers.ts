import { Type, type Static } from 'typebox';
import { Nullable } from './nullable';
import { OAuthProviderId } from './oauth';

/**
 * Where one provider's settings come from: the environment (POPGATE_OAUTH_*), an admin on the
 * policy page (replacing the environment's), or nowhere (no "Sign in with…" for it).
 */
export const OAuthProviderSource = Type.Union([
  Type.Literal('environment'),
  Type.Literal('admin'),
  Type.Literal('none'),
]);
export type OAuthProviderSource = Static<typeof OAuthProviderSource>;

/** One provider as the admin sees it: never its client secret, only whether one is set. */
export const AdminOAuthProvider = Type.Object({
  provider: OAuthProviderId,
  source: OAuthProviderSource,
  /** Users can sign in with it now. */
  enabled: Type.Boolean(),
  /** The environment sets this provider too (clearing the admin's setting goes back to it). */
  environmentDefault: Type.Boolean(),
  clientId: Nullable(Type.String()),
  clientSecretSet: Type.Boolean(),
  /** Microsoft: common, consumers, organizations, or a tenant id or domain. */
  tenant: Nullable(Type.String()),
  /** Generic: the issuer (its discovery document is read), or the endpoints. */
  issuer: Nullable(Type.String()),
  authorizationEndpoint: Nullable(Type.String()),
  tokenEndpoint: Nullable(Type.String()),
  revocationEndpoint: Nullable(Type.String()),
  /** The scopes asked for at sign-in. */
  scopes: Type.Array(Type.String()),
  updatedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type AdminOAuthProvider = Static<typeof AdminOAuthProvider>;

/** GET /api/admin/oauth-providers. */
export const AdminOAuthProvidersReply = Type.Object({
  /** The redirect URI to register at each provider: this Popgate's callback, as reached now. */
  redirectUri: Type.String(),
  items: Type.Array(AdminOAuthProvider),
});
export type AdminOAuthProvidersReply = Static<typeof AdminOAuthProvidersReply>;

export const AdminOAuthProviderParams = Type.Object(
  { provider: OAuthProviderId },
  { additionalProperties: false },
);
export type AdminOAuthProviderParams = Static<typeof AdminOAuthProviderParams>;

const url = Type.String({ minLength: 1, maxLength: 2000 });

/**
 * PUT /api/admin/oauth-providers/:provider: set or replace a provider (it replaces the
 * environment's). `clientSecret` may be left out to keep the one an admin set before. `tenant` is
 * Microsoft's; `issuer`, the endpoints and `scopes` are the generic provider's (an issuer, or an
 * authorization and a token endpoint). `enabled: false` switches the provider off.
 */
export const AdminOAuthProviderPut = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    clientId: Type.String({ minLength: 1, maxLength: 500 }),
    clientSecret: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
    issuer: Type.Optional(url),
    authorizationEndpoint: Type.Optional(url),
    tokenEndpoint: Type.Optional(url),
    revocationEndpoint: Type.Optional(url),
    scopes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { minItems: 1, maxItems: 50 }),
    ),
  },
  { additionalProperties: false },
);
export type AdminOAuthProviderPut = Static<typeof AdminOAuthProviderPut>;
