import { Type, type Static } from 'typebox';

export const Security = Type.Union([
  Type.Literal('tls'),
  Type.Literal('starttls'),
  Type.Literal('none'),
]);
export type Security = Static<typeof Security>;

export const AuthMethod = Type.Union([
  Type.Literal('auto'),
  Type.Literal('plain'),
  Type.Literal('login'),
  Type.Literal('cram-md5'),
  Type.Literal('xoauth2'),
  Type.Literal('apop'),
  Type.Literal('user'),
]);
export type AuthMethod = Static<typeof AuthMethod>;

export const AccountPolicy = Type.Object(
  {
    leaveOnServer: Type.Boolean({ default: true }),
    deleteAfterDays: Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()], {
      default: null,
    }),
    deleteWhenDeletedHere: Type.Boolean({ default: false }),
    pollSeconds: Type.Integer({ minimum: 60, maximum: 86_400, default: 300 }),
    maxFullDownloadBytes: Type.Union([Type.Integer({ minimum: 1024 }), Type.Null()], {
      default: null,
    }),
  },
  { additionalProperties: false },
);
export type AccountPolicy = Static<typeof AccountPolicy>;

export const AccountTls = Type.Object(
  {
    caPem: Type.Optional(Type.Union([Type.String({ maxLength: 65_536 }), Type.Null()])),
    pinSha256: Type.Optional(
      Type.Union([Type.String({ pattern: '^([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$' }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);
export type AccountTls = Static<typeof AccountTls>;

const Host = Type.String({ minLength: 1, maxLength: 253, pattern: '^[^\\s/@]+$' });
const Port = Type.Integer({ minimum: 1, maximum: 65_535 });

/** POST /api/accounts (DESIGN.md "account in"). */
export const AccountIn = Type.Object(
  {
    label: Type.String({ minLength: 1, maxLength: 100 }),
    host: Host,
    port: Port,
    security: Security,
    username: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 8192 }),
    auth: Type.Optional(AuthMethod),
    policy: Type.Optional(Type.Partial(AccountPolicy)),
    tls: Type.Optional(AccountTls),
  },
  { additionalProperties: false },
);
export type AccountIn = Static<typeof AccountIn>;

/** PATCH /api/accounts/:id: any subset; a new password re-enables an account stopped by [AUTH]. */
export const AccountPatch = Type.Partial(
  Type.Object(
    {
      label: Type.String({ minLength: 1, maxLength: 100 }),
      host: Host,
      port: Port,
      security: Security,
      username: Type.String({ minLength: 1, maxLength: 320 }),
      password: Type.String({ minLength: 1, maxLength: 8192 }),
      auth: AuthMethod,
      policy: Type.Partial(AccountPolicy),
      tls: AccountTls,
      disabled: Type.Boolean(),
    },
    { additionalProperties: false },
  ),
);
export type AccountPatch = Static<typeof AccountPatch>;

export const AccountStatus = Type.Union(
  [
    'new',
    'ok',
    'syncing',
    'auth_failed',
    'in_use',
    'login_delay',
    'temp_error',
    'perm_error',
    'network_error',
    'tls_error',
    'disabled',
  ].map((s) => Type.Literal(s)),
);

/** An account as the API returns it: never its password. */
export const AccountOut = Type.Object({
  id: Type.String(),
  label: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  security: Security,
  username: Type.String(),
  auth: AuthMethod,
  policy: AccountPolicy,
  tls: Type.Object({
    caPem: Type.Union([Type.String(), Type.Null()]),
    pinSha256: Type.Union([Type.String(), Type.Null()]),
  }),
  status: Type.String(),
  disabled: Type.Boolean(),
  lastSyncAt: Type.Union([Type.String(), Type.Null()]),
  nextSyncAt: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastErrorCode: Type.Union([Type.String(), Type.Null()]),
  messageCount: Type.Integer(),
  unreadCount: Type.Integer(),
  serverInfo: Type.Union([Type.Unknown(), Type.Null()]),
});
export type AccountOut = Static<typeof AccountOut>;

/** POST /api/accounts/test: what to try, not saved. */
export const AccountTestIn = Type.Omit(AccountIn, ['label', 'policy']);
export type AccountTestIn = Static<typeof AccountTestIn>;

export const AccountTestErrorCode = Type.Union(
  [
    'DNS',
    'REFUSED',
    'TIMEOUT',
    'TLS_UNTRUSTED',
    'TLS_FAILED',
    'STLS_UNAVAILABLE',
    'AUTH_FAILED',
    'IN_USE',
    'LOGIN_DELAY',
    'PROTOCOL',
    'BLOCKED_HOST',
  ].map((s) => Type.Literal(s)),
);

export const AccountTestReply = Type.Union([
  Type.Object({ ok: Type.Literal(true), serverInfo: Type.Unknown() }),
  Type.Object({
    ok: Type.Literal(false),
    error: Type.Object({
      code: AccountTestErrorCode,
      message: Type.String(),
      /** With TLS_UNTRUSTED: the certificate's SHA-256 fingerprint, to pin if the user trusts it. */
      fingerprint256: Type.Optional(Type.String()),
    }),
  }),
]);
export type AccountTestReply = Static<typeof AccountTestReply>;
