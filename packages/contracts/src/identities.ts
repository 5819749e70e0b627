import { Type, type Static } from 'typebox';
import { AccountTls, Security } from './accounts';
import { Nullable } from './nullable';

/** How Popgate signs in to an SMTP server. */
export const SmtpAuthMethod = Type.Union([
  Type.Literal('auto'),
  Type.Literal('plain'),
  Type.Literal('login'),
  Type.Literal('cram-md5'),
  Type.Literal('xoauth2'),
]);
export type SmtpAuthMethod = Static<typeof SmtpAuthMethod>;

const Host = Type.String({ minLength: 1, maxLength: 253, pattern: '^[^\\s/@]+$' });
const Port = Type.Integer({ minimum: 1, maximum: 65_535 });
const Username = Type.String({ minLength: 1, maxLength: 320 });
const Password = Type.String({ minLength: 1, maxLength: 8192 });
/** Header fields: a line break would start a new header (header injection). */
const HeaderText = (maxLength: number) => Type.String({ maxLength, pattern: '^[^\\r\\n]*$' });
const DisplayName = HeaderText(200);
const EmailAddress = Type.String({
  minLength: 3,
  maxLength: 320,
  pattern: '^[^\\s@<>]+@[^\\s@<>]+$',
});

/** An address as identities take it: `{name, address}` (DESIGN.md). */
export const IdentityAddress = Type.Object(
  { name: DisplayName, address: EmailAddress },
  { additionalProperties: false },
);
export type IdentityAddress = Static<typeof IdentityAddress>;

export const SignatureFormat = Type.Union([Type.Literal('text'), Type.Literal('html')]);
export type SignatureFormat = Static<typeof SignatureFormat>;

export const Signature = Type.Object(
  {
    format: SignatureFormat,
    /** Plain text, or simple HTML that the server sanitizes like incoming mail. */
    content: Type.String({ maxLength: 20_000 }),
  },
  { additionalProperties: false },
);
export type Signature = Static<typeof Signature>;

/**
 * An identity's SMTP server. Without `password` the linked account's POP3 password is used
 * (most providers take the same one); `username` defaults to the POP3 username.
 */
export const IdentitySmtpIn = Type.Object(
  {
    host: Host,
    port: Port,
    security: Security,
    username: Type.Optional(Username),
    password: Type.Optional(Password),
    /**
     * The account is signed in with a provider (OAuth2): send with that sign-in's tokens, to this
     * host. Needed once per host the provider does not own (its tokens go nowhere unchosen).
     */
    useAccountSignIn: Type.Optional(Type.Literal(true)),
    auth: Type.Optional(SmtpAuthMethod),
    tls: Type.Optional(AccountTls),
  },
  { additionalProperties: false },
);
export type IdentitySmtpIn = Static<typeof IdentitySmtpIn>;

/** POST /api/identities. */
export const IdentityIn = Type.Object(
  {
    accountId: Type.String({ format: 'uuid' }),
    name: DisplayName,
    address: EmailAddress,
    replyTo: Type.Optional(Nullable(IdentityAddress)),
    signature: Type.Optional(Signature),
    smtp: IdentitySmtpIn,
  },
  { additionalProperties: false },
);
export type IdentityIn = Static<typeof IdentityIn>;

/**
 * PATCH /api/identities/:id: any subset. As for accounts, a stored SMTP password is only sent
 * to the server it was stored for: changing smtp.host, port, security or username, or the trusted
 * certificate, needs `smtp.password` (or `smtp.useAccountPassword: true`, or for an account signed
 * in with a provider `smtp.useAccountSignIn: true`) in the same request.
 */
export const IdentityPatch = Type.Object(
  {
    name: Type.Optional(DisplayName),
    address: Type.Optional(EmailAddress),
    replyTo: Type.Optional(Nullable(IdentityAddress)),
    signature: Type.Optional(Signature),
    smtp: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Host),
          port: Type.Optional(Port),
          security: Type.Optional(Security),
          username: Type.Optional(Username),
          password: Type.Optional(Password),
          /** Forget the identity's own password and use the account's POP3 password. */
          useAccountPassword: Type.Optional(Type.Literal(true)),
          /** Send with the account's OAuth2 sign-in, to the host of this request (or the stored one). */
          useAccountSignIn: Type.Optional(Type.Literal(true)),
          auth: Type.Optional(SmtpAuthMethod),
          tls: Type.Optional(AccountTls),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type IdentityPatch = Static<typeof IdentityPatch>;

/** An identity as the API returns it: never a password. */
export const IdentityOut = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  name: Type.String(),
  address: Type.String(),
  replyTo: Nullable(Type.Object({ name: Type.String(), address: Type.String() })),
  signature: Signature,
  smtp: Type.Object({
    host: Type.String(),
    port: Type.Integer(),
    security: Security,
    username: Type.String(),
    auth: SmtpAuthMethod,
    tls: Type.Object({ caPem: Nullable(Type.String()), pinSha256: Nullable(Type.String()) }),
    /** "account": the linked account's POP3 password is used; "own": the identity has its own. */
    passwordSource: Type.Union([Type.Literal('account'), Type.Literal('own')]),
  }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type IdentityOut = Static<typeof IdentityOut>;

export const IdentityList = Type.Array(IdentityOut);
export type IdentityList = Static<typeof IdentityList>;

export const IdentityIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export type IdentityIdParams = Static<typeof IdentityIdParams>;

/**
 * POST /api/identities/test: try an SMTP server without saving. Without `password`, name the
 * identity (its stored password, or its account's) or the account (its POP3 password); a stored
 * password is only used with the host, port, security, username and certificate it was stored for.
 */
export const IdentityTestIn = Type.Object(
  {
    host: Host,
    port: Port,
    security: Security,
    username: Username,
    password: Type.Optional(Password),
    identityId: Type.Optional(Type.String({ format: 'uuid' })),
    accountId: Type.Optional(Type.String({ format: 'uuid' })),
    auth: Type.Optional(SmtpAuthMethod),
    tls: Type.Optional(AccountTls),
  },
  { additionalProperties: false },
);
export type IdentityTestIn = Static<typeof IdentityTestIn>;

/** The same codes and tone as the POP3 connection test (DESIGN.md). */
export const SmtpTestErrorCode = Type.Enum([
  'DNS',
  'REFUSED',
  'TIMEOUT',
  'TLS_UNTRUSTED',
  'TLS_FAILED',
  'STLS_UNAVAILABLE',
  'AUTH_FAILED',
  'AUTH_UNAVAILABLE',
  'PROTOCOL',
  'BLOCKED_HOST',
]);
export type SmtpTestErrorCode = Static<typeof SmtpTestErrorCode>;

/** What an SMTP server said about itself at a test. */
export const SmtpServerInfo = Type.Object({
  host: Type.String(),
  port: Type.Integer(),
  address: Nullable(Type.String()),
  security: Security,
  greeting: Type.String(),
  /** EHLO keywords as received after TLS (e.g. PIPELINING, SIZE 10240000, AUTH PLAIN LOGIN). */
  extensions: Type.Array(Type.String()),
  authMechanisms: Type.Array(Type.String()),
  authenticatedWith: Nullable(Type.String()),
  /** The largest message the server accepts (SIZE), null when not announced. */
  maxMessageBytes: Nullable(Type.Integer()),
  pipelining: Type.Boolean(),
  tls: Nullable(
    Type.Object({
      protocol: Nullable(Type.String()),
      cipher: Type.String(),
      fingerprint256: Type.String(),
      trustedBy: Type.Union([Type.Literal('chain'), Type.Literal('pin')]),
    }),
  ),
});
export type SmtpServerInfo = Static<typeof SmtpServerInfo>;

export const IdentityTestError = Type.Object({
  code: SmtpTestErrorCode,
  message: Type.String(),
  fingerprint256: Type.Optional(Type.String()),
});
export type IdentityTestError = Static<typeof IdentityTestError>;

export const IdentityTestReply = Type.Union([
  Type.Object({ ok: Type.Literal(true), serverInfo: SmtpServerInfo }),
  Type.Object({ ok: Type.Literal(false), error: IdentityTestError }),
]);
export type IdentityTestReply = Static<typeof IdentityTestReply>;

/** GET /api/identities/defaults?accountId=: what the form proposes for an account's identity. */
export const IdentityDefaultsQuery = Type.Object(
  { accountId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
export type IdentityDefaultsQuery = Static<typeof IdentityDefaultsQuery>;

/** GET /api/identities/defaults: the proposal (an address only when the POP3 user name is one). */
export const IdentityDefaults = Type.Object({
  name: Type.String(),
  address: Type.String(),
  smtp: Type.Object({
    host: Type.String(),
    port: Type.Integer(),
    security: Security,
    username: Type.String(),
  }),
});
export type IdentityDefaults = Static<typeof IdentityDefaults>;
