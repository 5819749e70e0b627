import { Type, type Static } from 'typebox';
import { Nullable } from './nullable';

/** The providers an operator can configure (environment POPGATE_OAUTH_*), generic included. */
export const OAuthProviderId = Type.Union([
  Type.Literal('google'),
  Type.Literal('microsoft'),
  Type.Literal('generic'),
]);
export type OAuthProviderId = Static<typeof OAuthProviderId>;

/** GET /api/oauth/providers: the "Sign in with…" buttons this Popgate offers. */
export const OAuthProvidersReply = Type.Object({
  items: Type.Array(
    Type.Object({
      name: OAuthProviderId,
      /** Google, Microsoft, or the generic provider's host. */
      label: Type.String(),
      scopes: Type.Array(Type.String()),
    }),
  ),
});
export type OAuthProvidersReply = Static<typeof OAuthProvidersReply>;

export const OAuthStartParams = Type.Object(
  { provider: OAuthProviderId },
  { additionalProperties: false },
);

/**
 * GET /api/oauth/:provider/start: the account to link (accountId), or, without it, the address of
 * an account to create by signing in (email, label): its servers come from the provider presets
 * or the address's autoconfiguration. Answers a redirect to the provider.
 */
export const OAuthStartQuery = Type.Object(
  {
    accountId: Type.Optional(Type.String({ format: 'uuid' })),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** The address to propose at the provider's sign-in page (default: email). */
    loginHint: Type.Optional(Type.String({ maxLength: 320 })),
  },
  { additionalProperties: false },
);
export type OAuthStartQuery = Static<typeof OAuthStartQuery>;

const param = Type.Optional(Type.String({ maxLength: 4096 }));

/**
 * GET /api/oauth/callback: what providers send back (RFC 6749 4.1.2, RFC 9207 iss, and the
 * extras Google and Microsoft add). Answers a redirect to the account's page with
 * `oauth=linked` or `oauth=error&code=…&message=…`.
 */
export const OAuthCallbackQuery = Type.Object(
  {
    code: param,
    state: param,
    error: param,
    error_description: param,
    error_uri: param,
    iss: param,
    scope: param,
    session_state: param,
    client_info: param,
    authuser: param,
    hd: param,
    prompt: param,
  },
  { additionalProperties: false },
);
export type OAuthCallbackQuery = Static<typeof OAuthCallbackQuery>;

/** What the admin sees of an account's OAuth2 link: never a token. */
export const OAuthGrantSummary = Type.Object({
  provider: Type.String(),
  subject: Nullable(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('reauth_required')]),
  lastRefreshedAt: Nullable(Type.String({ format: 'date-time' })),
  accessExpiresAt: Nullable(Type.String({ format: 'date-time' })),
  refreshCount: Type.Integer(),
});
export type OAuthGrantSummary = Static<typeof OAuthGrantSummary>;
