import { Type, type Static } from 'typebox';
import { Security } from './accounts';
import { Nullable } from './nullable';

/** Where a suggestion came from, most trusted first. */
export const AutoconfigSource = Type.Union([
  Type.Literal('preset'),
  Type.Literal('autoconfig'),
  Type.Literal('mx'),
  Type.Literal('guess'),
]);
export type AutoconfigSource = Static<typeof AutoconfigSource>;

/** The OAuth2 providers Popgate signs in with. */
export const OAuthProviderName = Type.Union([Type.Literal('google'), Type.Literal('microsoft')]);
export type OAuthProviderName = Static<typeof OAuthProviderName>;

/** How the user signs in at the provider: the account password, an app password, or OAuth2. */
export const AutoconfigSignIn = Type.Union([
  Type.Literal('password'),
  Type.Literal('app-password'),
  Type.Literal('oauth'),
]);
export type AutoconfigSignIn = Static<typeof AutoconfigSignIn>;

export const SuggestedServer = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 253 }),
    port: Type.Integer({ minimum: 1, maximum: 65_535 }),
    security: Security,
  },
  { additionalProperties: false },
);
export type SuggestedServer = Static<typeof SuggestedServer>;

/** GET /api/autoconfig?email= */
export const AutoconfigQuery = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@<>]+@[^\\s@<>]+$' }),
    /** 1: confirm a plain guess by greeting the guessed POP3 server (no sign-in). */
    probe: Type.Optional(Type.Union([Type.Literal('0'), Type.Literal('1')])),
  },
  { additionalProperties: false },
);
export type AutoconfigQuery = Static<typeof AutoconfigQuery>;

/**
 * Proposed settings for an address (DESIGN.md). `pop3` is null when the provider has no POP3 at
 * all (iCloud): `popAvailable` is false and the notes say why; nothing is suggested then.
 */
export const AutoconfigReply = Type.Object(
  {
    source: AutoconfigSource,
    /** The provider's name when it is known (a preset, or the document's displayName). */
    provider: Nullable(Type.String({ maxLength: 200 })),
    popAvailable: Type.Boolean(),
    pop3: Nullable(SuggestedServer),
    smtp: Nullable(SuggestedServer),
    // A union with null, not Nullable(): Nullable needs a schema with one `type`.
    oauth: Type.Union([Type.Literal('google'), Type.Literal('microsoft'), Type.Null()]),
    signIn: AutoconfigSignIn,
    /** What to type as the user name: the whole address, or the part before the @. */
    username: Type.String({ maxLength: 320 }),
    /** Caveats in plain words: where to turn POP on, app passwords, what a download includes. */
    notes: Type.Array(Type.String({ maxLength: 1000 })),
    /** With probe=1 on a guess: did a POP3 server answer at the guessed host (null: not probed). */
    probed: Nullable(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AutoconfigReply = Static<typeof AutoconfigReply>;
