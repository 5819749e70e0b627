import { Type, type Static } from 'typebox';
import { Nullable } from './nullable';
import { OAuthGrantSummary } from './oauth';

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
  Type.Literal('oauthbearer'),
  Type.Literal('apop'),
  Type.Literal('user'),
]);
export type AuthMethod = Static<typeof AuthMethod>;

// No `default` keywords here: the server validates with useDefaults, and a default inside a
// PATCH body would silently overwrite a setting the user did not send.
const policyFields = {
  leaveOnServer: Type.Boolean(),
  deleteAfterDays: Nullable(Type.Integer({ minimum: 1, maximum: 3650 })),
  deleteWhenDeletedHere: Type.Boolean(),
  // The admin's minPollSeconds (10 at the lowest) is the floor that matters; the server checks it.
  pollSeconds: Type.Integer({ minimum: 10, maximum: 86_400 }),
  maxFullDownloadBytes: Nullable(Type.Integer({ minimum: 1024 })),
};

/** An account's download policy as the API returns it. */
export const AccountPolicy = Type.Object(policyFields, { additionalProperties: false });
export type AccountPolicy = Static<typeof AccountPolicy>;

/** Any subset of the policy; what is left out keeps its value (or its default on creation). */
export const AccountPolicyIn = Type.Object(
  {
    leaveOnServer: Type.Optional(policyFields.leaveOnServer),
    deleteAfterDays: Type.Optional(policyFields.deleteAfterDays),
    deleteWhenDeletedHere: Type.Optional(policyFields.deleteWhenDeletedHere),
    pollSeconds: Type.Optional(policyFields.pollSeconds),
    maxFullDownloadBytes: Type.Optional(policyFields.maxFullDownloadBytes),
  },
  { additionalProperties: false },
);
export type AccountPolicyIn = Static<typeof AccountPolicyIn>;

/** What a new account gets for each policy field it does not set. */
export const DEFAULT_ACCOUNT_POLICY: AccountPolicy = {
  leaveOnServer: true,
  deleteAfterDays: null,
  deleteWhenDeletedHere: false,
  pollSeconds: 300,
  maxFullDownloadBytes: null,
};

/** How often an account is checked while its owner has Popgate open, at most. */
export const ACTIVE_POLL_SECONDS = 60;

/**
 * The check interval while the owner has Popgate open: every minute, unless the user chose a
 * slower interval than the default (to respect a provider's limit, say), which is then kept. The
 * admin's minimum and a server's LOGIN-DELAY still come on top.
 */
export function pollSecondsWhileOpen(pollSeconds: number): number {
  return pollSeconds > DEFAULT_ACCOUNT_POLICY.pollSeconds
    ? pollSeconds
    : Math.min(ACTIVE_POLL_SECONDS, pollSeconds);
}

export const AccountTls = Type.Object(
  {
    caPem: Type.Optional(Nullable(Type.String({ maxLength: 65_536 }))),
    pinSha256: Type.Optional(
      Nullable(Type.String({ pattern: '^([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$' })),
    ),
  },
  { additionalProperties: false },
);
export type AccountTls = Static<typeof AccountTls>;

const Label = Type.String({ minLength: 1, maxLength: 100 });
const Host = Type.String({ minLength: 1, maxLength: 253, pattern: '^[^\\s/@]+$' });
const Port = Type.Integer({ minimum: 1, maximum: 65_535 });
const Username = Type.String({ minLength: 1, maxLength: 320 });
const Password = Type.String({ minLength: 1, maxLength: 8192 });

/** POST /api/accounts (DESIGN.md "account in"). */
export const AccountIn = Type.Object(
  {
    label: Label,
    host: Host,
    port: Port,
    security: Security,
    username: Username,
    password: Password,
    auth: Type.Optional(AuthMethod),
    policy: Type.Optional(AccountPolicyIn),
    tls: Type.Optional(AccountTls),
  },
  { additionalProperties: false },
);
export type AccountIn = Static<typeof AccountIn>;

/**
 * PATCH /api/accounts/:id: any subset. A new password, or a change to where and how to connect,
 * re-enables an account stopped by [AUTH] or a permanent error and checks it at once. A stored
 * password is only sent to the server it was stored for: changing the host, port, security or
 * username, or trusting another certificate (tls.caPem, tls.pinSha256), needs `password` in the
 * same request (otherwise 400 PASSWORD_REQUIRED, and nothing changes).
 */
export const AccountPatch = Type.Object(
  {
    label: Type.Optional(Label),
    host: Type.Optional(Host),
    port: Type.Optional(Port),
    security: Type.Optional(Security),
    username: Type.Optional(Username),
    password: Type.Optional(Password),
    auth: Type.Optional(AuthMethod),
    policy: Type.Optional(AccountPolicyIn),
    tls: Type.Optional(AccountTls),
    /** Stops (true) or resumes (false) checking this account. */
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AccountPatch = Static<typeof AccountPatch>;

export const AccountStatus = Type.Union([
  Type.Literal('new'),
  Type.Literal('ok'),
  Type.Literal('syncing'),
  Type.Literal('auth_failed'),
  Type.Literal('in_use'),
  Type.Literal('login_delay'),
  Type.Literal('temp_error'),
  Type.Literal('perm_error'),
  Type.Literal('network_error'),
  Type.Literal('tls_error'),
  Type.Literal('disabled'),
]);
export type AccountStatus = Static<typeof AccountStatus>;

/** The TLS session with a POP3 server and the certificate it showed. */
export const ServerTls = Type.Object({
  /** Negotiated protocol, e.g. "TLSv1.3". */
  protocol: Nullable(Type.String()),
  /** Negotiated cipher suite (standard name). */
  cipher: Type.String(),
  /** Certificate subject, one "KEY=value" per line as OpenSSL prints it. */
  subject: Type.String(),
  issuer: Type.String(),
  subjectAltName: Nullable(Type.String()),
  validFrom: Type.String(),
  validTo: Type.String(),
  /** SHA-256 of the DER certificate, colon-separated upper-case hex. */
  fingerprint256: Type.String(),
  /** "chain": a known authority signed it; "pin": trusted because its pinned fingerprint matched. */
  trustedBy: Type.Union([Type.Literal('chain'), Type.Literal('pin')]),
  /** Why the chain did not verify, when trust came from the pin. */
  authorizationError: Nullable(Type.String()),
});
export type ServerTls = Static<typeof ServerTls>;

/**
 * What a POP3 server said about itself (the POP3 client's server info, in the spirit of
 * `mpop --serverinfo`): at a connection test, and as stored at an account's last check.
 */
export const ServerInfo = Type.Object({
  host: Type.String(),
  port: Type.Integer(),
  /** The IP address connected to. */
  address: Nullable(Type.String()),
  security: Security,
  greeting: Type.String(),
  /** The server offered APOP (its greeting carries a timestamp). */
  apop: Type.Boolean(),
  implementation: Nullable(Type.String()),
  /** False for an RFC 1939-only server: the capabilities below are then unknown, not absent. */
  capaSupported: Type.Boolean(),
  /** CAPA lines as last received (after logging in when it did). */
  capabilities: Type.Array(Type.String()),
  /** What the server accepts for logging in: SASL mechanisms, plus USER and APOP. */
  authMechanisms: Type.Array(Type.String()),
  /** The mechanism the session logged in with, if it did. */
  authenticatedWith: Nullable(Type.String()),
  loginDelaySeconds: Nullable(Type.Integer()),
  /** Days the server keeps messages (EXPIRE), "never", or null when not announced. */
  expire: Type.Union([Type.Integer(), Type.Literal('never'), Type.Null()]),
  pipelining: Type.Boolean(),
  top: Type.Boolean(),
  uidl: Type.Boolean(),
  utf8: Type.Boolean(),
  stls: Type.Boolean(),
  respCodes: Type.Boolean(),
  authRespCode: Type.Boolean(),
  tls: Nullable(ServerTls),
  /** A connection test's count and size of the messages on the server, when it logged in. */
  maildrop: Type.Optional(Nullable(Type.Object({ count: Type.Integer(), size: Type.Integer() }))),
});
export type ServerInfo = Static<typeof ServerInfo>;

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
  status: AccountStatus,
  disabled: Type.Boolean(),
  lastSyncAt: Type.Union([Type.String(), Type.Null()]),
  nextSyncAt: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastErrorCode: Type.Union([Type.String(), Type.Null()]),
  /** Messages stored for this account, not counting the trash. */
  messageCount: Type.Integer(),
  unreadCount: Type.Integer(),
  /** What the server said about itself at the last successful connection. */
  serverInfo: Nullable(ServerInfo),
  createdAt: Type.String(),
  /**
   * The account's OAuth2 link when it signs in at a provider (which one, active or to be signed
   * in again, last refresh); null or absent otherwise. Never a token.
   */
  oauth: Type.Optional(Nullable(OAuthGrantSummary)),
});
export type AccountOut = Static<typeof AccountOut>;

/** GET /api/accounts: the signed-in user's accounts, oldest first. */
export const AccountList = Type.Array(AccountOut);
export type AccountList = Static<typeof AccountList>;

/** POST /api/accounts/:id/sync: the check is queued; account.status events follow. */
export const SyncRequested = Type.Object({ accountId: Type.String(), requested: Type.Boolean() });
export type SyncRequested = Static<typeof SyncRequested>;

/**
 * POST /api/accounts/test: what to try, not saved. The body of the account form is accepted as
 * is (label and policy are ignored). To test a linked account without typing its password again,
 * leave the password out and name the account: its stored password is used only with the host,
 * port, security, username and trusted certificate it was stored for (other settings, such as the
 * login method, may differ); a different one needs `password` (otherwise 400 PASSWORD_REQUIRED,
 * and nothing is sent anywhere).
 */
export const AccountTestIn = Type.Object(
  {
    host: Host,
    port: Port,
    security: Security,
    username: Username,
    password: Type.Optional(Password),
    accountId: Type.Optional(Type.String({ format: 'uuid' })),
    auth: Type.Optional(AuthMethod),
    tls: Type.Optional(AccountTls),
    label: Type.Optional(Label),
    policy: Type.Optional(AccountPolicyIn),
  },
  { additionalProperties: false },
);
export type AccountTestIn = Static<typeof AccountTestIn>;

export const AccountTestErrorCode = Type.Enum([
  'DNS',
  'REFUSED',
  'TIMEOUT',
  'TLS_UNTRUSTED',
  'TLS_FAILED',
  /** The port expects SSL/TLS from the start (995) where STARTTLS or no encryption was chosen. */
  'TLS_EXPECTED',
  'STLS_UNAVAILABLE',
  'AUTH_FAILED',
  'IN_USE',
  'LOGIN_DELAY',
  'PROTOCOL',
  'BLOCKED_HOST',
]);
export type AccountTestErrorCode = Static<typeof AccountTestErrorCode>;

export const AccountTestError = Type.Object({
  code: AccountTestErrorCode,
  /** What happened and what to do about it, for a person. */
  message: Type.String(),
  /** With TLS_UNTRUSTED: the certificate's SHA-256 fingerprint, to pin if the user trusts it. */
  fingerprint256: Type.Optional(Type.String()),
  /** The server's own words, when it refused with some (AUTH_FAILED, LOGIN_DELAY, ...). */
  serverText: Type.Optional(Type.String()),
});
export type AccountTestError = Static<typeof AccountTestError>;

export const AccountTestReply = Type.Union([
  Type.Object({ ok: Type.Literal(true), serverInfo: ServerInfo }),
  Type.Object({ ok: Type.Literal(false), error: AccountTestError }),
]);
export type AccountTestReply = Static<typeof AccountTestReply>;
