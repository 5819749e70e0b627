import { Type, type Static } from 'typebox';
import { AccountStatus, AuthMethod, Security, ServerInfo } from './accounts';
import { Role } from './auth';
import { Nullable } from './nullable';
import { OAuthGrantSummary } from './oauth';

export const AdminUser = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  createdAt: Type.String(),
  lastLoginAt: Type.Union([Type.String(), Type.Null()]),
  accountCount: Type.Integer(),
});
export type AdminUser = Static<typeof AdminUser>;

export const AdminUserList = Type.Object({ items: Type.Array(AdminUser) });
export type AdminUserList = Static<typeof AdminUserList>;

export const AdminUserQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.Optional(Role),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AdminUserQuery = Static<typeof AdminUserQuery>;

/** Create a user with an initial password, or (without one) get a one-time sign-in link. */
export const AdminUserCreate = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    role: Type.Optional(Role),
    password: Type.Optional(Type.String({ minLength: 10, maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type AdminUserCreate = Static<typeof AdminUserCreate>;

export const AdminUserCreated = Type.Object({
  user: AdminUser,
  /** Present when no password was given: a path to hand to the user, valid once for 7 days. */
  signInLink: Type.Union([Type.String(), Type.Null()]),
});
export type AdminUserCreated = Static<typeof AdminUserCreated>;

export const AdminUserPatch = Type.Object(
  { role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type AdminUserPatch = Static<typeof AdminUserPatch>;

/** A linked account as an admin sees it: no subject, sender or body of anyone's mail. */
export const AdminAccount = Type.Object({
  id: Type.String(),
  owner: Type.Object({ id: Type.String(), email: Type.String() }),
  label: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  security: Security,
  status: AccountStatus,
  disabled: Type.Boolean(),
  lastSyncAt: Type.Union([Type.String(), Type.Null()]),
  nextSyncAt: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastErrorCode: Type.Union([Type.String(), Type.Null()]),
  messageCount: Type.Integer(),
  bytes: Type.Integer(),
  /** How the account logs in; xoauth2/oauthbearer with `oauth` set: through a linked grant. */
  auth: AuthMethod,
  /** The account's OAuth2 link (provider, last refresh), or null; never a token. */
  oauth: Nullable(OAuthGrantSummary),
  /**
   * Checks that found nothing to do since `unchangedSince` (the last recorded run): they are
   * counted, not listed among the sync runs.
   */
  unchangedPolls: Type.Integer(),
  unchangedSince: Nullable(Type.String()),
});
export type AdminAccount = Static<typeof AdminAccount>;

export const AdminAccountQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(AccountStatus),
    host: Type.Optional(Type.String({ maxLength: 253 })),
    ownerId: Type.Optional(Type.String({ format: 'uuid' })),
    sort: Type.Optional(
      Type.Union([
        Type.Literal('host'),
        Type.Literal('status'),
        Type.Literal('lastSyncAt'),
        Type.Literal('messageCount'),
        Type.Literal('owner'),
      ]),
    ),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  },
  { additionalProperties: false },
);
export type AdminAccountQuery = Static<typeof AdminAccountQuery>;

export const AdminAccountPatch = Type.Object(
  { disabled: Type.Boolean() },
  { additionalProperties: false },
);

/** How a sync run ended (running while it is under way). */
export const SyncOutcome = Type.Union([
  Type.Literal('running'),
  Type.Literal('ok'),
  Type.Literal('partial'),
  Type.Literal('failed'),
]);
export type SyncOutcome = Static<typeof SyncOutcome>;

/** GET /api/admin/accounts/:id/sync-runs. */
export const AccountSyncRunQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) },
  { additionalProperties: false },
);

/** GET /api/admin/sync-runs. */
export const SyncRunQuery = Type.Object(
  {
    outcome: Type.Optional(SyncOutcome),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
  },
  { additionalProperties: false },
);

export const SyncRunOut = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  instanceId: Type.String(),
  startedAt: Type.String(),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  outcome: SyncOutcome,
  newMessages: Type.Integer(),
  bytes: Type.Integer(),
  deletedOnServer: Type.Integer(),
  errorCode: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  /** Checks of the account that found nothing to do between the run before and this one. */
  unchangedBefore: Type.Integer(),
});
export type SyncRunOut = Static<typeof SyncRunOut>;

/** The server's TLS certificate as seen at the last check, with the days it has left. */
export const CertificateSummary = Type.Object({
  subject: Type.Optional(Type.String()),
  issuer: Type.Optional(Type.String()),
  validFrom: Type.Optional(Type.String()),
  validTo: Type.Optional(Type.String()),
  fingerprint256: Type.Optional(Type.String()),
  protocol: Type.Optional(Type.String()),
  cipher: Type.Optional(Type.String()),
  daysLeft: Nullable(Type.Integer()),
});
export type CertificateSummary = Static<typeof CertificateSummary>;

/** GET /api/admin/accounts/:id/diagnostics: what the server said at the last check, and warnings. */
export const AccountDiagnostics = Type.Object({
  checkedAt: Nullable(Type.String()),
  status: AccountStatus,
  /** What the server said about itself (as POST /api/accounts/test returns it), null before a first check. */
  serverInfo: Nullable(ServerInfo),
  certificate: Nullable(CertificateSummary),
  warnings: Type.Array(Type.String()),
});
export type AccountDiagnostics = Static<typeof AccountDiagnostics>;

/** A DNS host name (or an IPv4 address): labels of letters, digits and inner hyphens. */
export const HOST_NAME_PATTERN =
  '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\\.?$';

/** The admin's cap on POP3 sessions at each address one host name resolves to. */
export const HostSessionLimit = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 253, pattern: HOST_NAME_PATTERN }),
    sessions: Type.Integer({ minimum: 1, maximum: 4096 }),
  },
  { additionalProperties: false },
);
export type HostSessionLimit = Static<typeof HostSessionLimit>;

export const AdminPolicy = Type.Object(
  {
    signupOpen: Type.Boolean(),
    allowedHosts: Type.Array(Type.String({ maxLength: 253 }), { maxItems: 1000 }),
    refusedHosts: Type.Array(Type.String({ maxLength: 253 }), { maxItems: 1000 }),
    allowedNetworks: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 }),
    refusedNetworks: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 }),
    allowedPorts: Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { maxItems: 100 }),
    requireTls: Type.Boolean(),
    minPollSeconds: Type.Integer({ minimum: 10, maximum: 86_400 }),
    maxAccountsPerUser: Type.Integer({ minimum: 0, maximum: 10_000 }),
    maxMessageBytes: Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024 }),
    defaultRetentionDays: Nullable(Type.Integer({ minimum: 1, maximum: 3650 })),
    /** Ports an identity's SMTP server may use (465 implicit TLS and 587 STARTTLS by default). */
    allowedSmtpPorts: Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { maxItems: 100 }),
    /** The largest message a user may send, attachments included. */
    maxOutgoingBytes: Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024 }),
    /**
     * POP3 sessions per server address across all processes, at least (null: the operator's
     * POPGATE_SYNC_SESSIONS_PER_HOST, shown by GET /api/admin/sync).
     */
    syncSessionsPerHost: Nullable(Type.Integer({ minimum: 1, maximum: 4096 })),
    /** One more session per this many accounts at an address (null: the operator's setting). */
    syncAccountsPerHostSession: Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    /** A host name's own cap on sessions at each address it resolves to, instead of the rule. */
    hostSessionLimits: Type.Array(HostSessionLimit, { maxItems: 1000 }),
  },
  { additionalProperties: false },
);
export type AdminPolicy = Static<typeof AdminPolicy>;

/** PATCH /api/admin/policy: any subset of the policy, and nothing else. */
export const AdminPolicyPatch = Type.Partial(AdminPolicy, { additionalProperties: false });
export type AdminPolicyPatch = Static<typeof AdminPolicyPatch>;

export const AuditEntryOut = Type.Object({
  id: Type.String(),
  at: Type.String(),
  actorUserId: Type.Union([Type.String(), Type.Null()]),
  actorEmail: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  details: Type.Unknown(),
});
export type AuditEntryOut = Static<typeof AuditEntryOut>;

export const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100 })),
    actor: Type.Optional(Type.String({ maxLength: 254 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 200 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AdminOverview = Type.Object({
  /** Accounts in each state; states no account is in are left out. */
  accountsByStatus: Type.Partial(Type.Record(AccountStatus, Type.Integer())),
  users: Type.Integer(),
  last24h: Type.Object({
    syncs: Type.Integer(),
    failedSyncs: Type.Integer(),
    messages: Type.Integer(),
    bytes: Type.Integer(),
    /** Per hour, oldest first: 24 buckets. */
    hourly: Type.Array(
      Type.Object({
        hour: Type.String(),
        syncs: Type.Integer(),
        errors: Type.Integer(),
        messages: Type.Integer(),
        bytes: Type.Integer(),
      }),
    ),
  }),
});
export type AdminOverview = Static<typeof AdminOverview>;

/**
 * GET /api/admin/sync: polling as an operator watches it. Sessions per server and the backlog are
 * counted across all processes; the rest is the process that answered (one of several behind a
 * load balancer: /metrics, scraped from each, adds them up).
 */
export const AdminSyncStatus = Type.Object({
  /** The per-server session rule in force, and the operator's environment it falls back to. */
  sessionRule: Type.Object({
    sessionsPerHost: Type.Integer(),
    accountsPerHostSession: Nullable(Type.Integer()),
    environment: Type.Object({
      sessionsPerHost: Type.Integer(),
      accountsPerHostSession: Type.Integer(),
    }),
  }),
  /** Accounts due for a check that no session holds yet. */
  accountsDue: Type.Integer(),
  /** Sessions running at each server (address dialled, or host name), with the cap there. */
  servers: Type.Array(
    Type.Object({ server: Type.String(), sessions: Type.Integer(), cap: Type.Integer() }),
  ),
  /** Null when this process does not poll. */
  process: Nullable(
    Type.Object({
      maxSessions: Type.Integer(),
      /** Sessions it may run now: fewer than the maximum while the event loop lags. */
      sessionTarget: Type.Integer(),
      sessionsInFlight: Type.Integer(),
      /** The event loop's lag (p99 of the latest interval), in ms. */
      lagP99Ms: Type.Number(),
      /** Checks finished per second over the last minute. */
      pollsPerSecond: Type.Number(),
      /** How late scheduled checks started after they were due: cumulative buckets, in seconds. */
      lateness: Type.Object({
        count: Type.Integer(),
        sumSeconds: Type.Number(),
        buckets: Type.Array(Type.Object({ le: Type.Number(), count: Type.Integer() })),
      }),
      failuresByCode: Type.Record(Type.String(), Type.Integer()),
    }),
  ),
});
export type AdminSyncStatus = Static<typeof AdminSyncStatus>;
