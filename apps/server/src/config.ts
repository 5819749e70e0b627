import { isIP } from 'node:net';
import path from 'node:path';
import { isMicrosoftTenant, MICROSOFT_TENANT_HINT } from './oauth/microsoft-tenant';

/** Popgate's whole configuration, read once from the environment at start-up. */
export interface Config {
  port: number;
  host: string;
  /** undefined: run the embedded PostgreSQL under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** undefined: generated into dataDir on first run. */
  secretKey: Buffer | undefined;
  allowPrivateNetworks: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * Which proxies in front of Popgate to believe about the client's address and protocol
   * (X-Forwarded-For, X-Forwarded-Proto): none (false), all (true), the nearest N hops, or the
   * listed addresses and networks.
   */
  trustProxy: boolean | number | string[];
  /** How long a sync job's lease lasts without renewal: how soon a dead process's work is retaken. */
  syncLeaseSeconds: number;
  /** POP3 sessions one process runs at once (they mostly wait on the network). */
  syncMaxSessions: number;
  /**
   * Sessions per POP3 server address across all processes: at least `min`, and one more for each
   * `accountsPerSession` accounts on that address, so a provider most users share is not a ceiling.
   */
  syncPerHost: { min: number; accountsPerSession: number };
  /** Sessions per user across all processes. */
  syncPerUser: number;
  /** Rows of sync_runs and events kept at most, whatever their age (housekeeping.ts). */
  retention: { syncRunsMaxRows: number; eventsMaxRows: number };
  /**
   * Event-loop lag (p99 over a second, in ms) above which a process claims fewer new sessions,
   * and the fewest it comes down to (sync/session-target.ts).
   */
  syncLag: { thresholdMs: number; minSessions: number; intervalMs: number };
  /** How long sanitizing one message's HTML for display may take before its text is shown instead. */
  htmlTimeBudgetMs: number;
  /** HTML above this many bytes is not rendered inline: its text is shown instead. */
  htmlInlineMaxBytes: number;
  /** OAuth2 providers the operator registered Popgate with (none: no "Sign in with…"). */
  oauth: OAuthConfig;
  /** Undo send: how long a sent message waits in the outbox before a sender may take it. */
  undoSendSeconds: number;
  /** SMTP connections one process's outbox sender holds at once. */
  sendConnections: number;
  /** How long a claim on an outgoing message lasts without renewal: how soon a dead process's is looked at. */
  sendLeaseSeconds: number;
}

/** An OAuth2 client registered at a provider: Popgate's own id and secret there. */
export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
}

/** common, consumers, organizations, or one tenant (oauth/microsoft-tenant.ts). */
export type MicrosoftTenant = string;

export interface OAuthConfig {
  google?: OAuthClientConfig;
  microsoft?: OAuthClientConfig & { tenant: MicrosoftTenant };
  /** Any OAuth2 provider: found by its issuer's discovery document, or named by its endpoints. */
  generic?: GenericOAuthConfig;
  /** How long one request to a provider may take. */
  timeoutMs: number;
}

export interface GenericOAuthConfig extends OAuthClientConfig {
  /** Without endpoints: discovered at <issuer>/.well-known/openid-configuration. */
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  revocationEndpoint?: string;
  scopes: string[];
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off', ''];

/** Reads and validates the environment; throws a ConfigError that names the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  return {
    port: readPort(env, 'PORT', 3000),
    host: readText(env, 'HOST') ?? '127.0.0.1',
    databaseUrl: readDatabaseUrl(env),
    dataDir: path.resolve(cwd, readText(env, 'POPGATE_DATA_DIR') ?? './data'),
    secretKey: readSecretKey(env),
    allowPrivateNetworks: readBoolean(env, 'POPGATE_ALLOW_PRIVATE_NETWORKS', false),
    logLevel: readLogLevel(env),
    trustProxy: readTrustProxy(env),
    syncLeaseSeconds: readInteger(env, 'POPGATE_SYNC_LEASE_SECONDS', 60, 2, 3600),
    syncMaxSessions: readInteger(env, 'POPGATE_SYNC_MAX_SESSIONS', 64, 1, 4096),
    syncPerHost: {
      min: readInteger(env, 'POPGATE_SYNC_SESSIONS_PER_HOST', 2, 1, 4096),
      accountsPerSession: readInteger(
        env,
        'POPGATE_SYNC_ACCOUNTS_PER_HOST_SESSION',
        100,
        1,
        1_000_000,
      ),
    },
    syncPerUser: readInteger(env, 'POPGATE_SYNC_SESSIONS_PER_USER', 2, 1, 64),
    retention: {
      syncRunsMaxRows: readInteger(
        env,
        'POPGATE_RETENTION_SYNC_RUNS_MAX_ROWS',
        1_000_000,
        1000,
        1_000_000_000,
      ),
      eventsMaxRows: readInteger(
        env,
        'POPGATE_RETENTION_EVENTS_MAX_ROWS',
        2_000_000,
        1000,
        1_000_000_000,
      ),
    },
    syncLag: {
      thresholdMs: readInteger(env, 'POPGATE_SYNC_LAG_THRESHOLD_MS', 100, 1, 60_000),
      minSessions: readInteger(env, 'POPGATE_SYNC_MIN_SESSIONS', 4, 1, 4096),
      intervalMs: readInteger(env, 'POPGATE_SYNC_LAG_INTERVAL_MS', 1000, 100, 60_000),
    },
    htmlTimeBudgetMs: readInteger(env, 'POPGATE_HTML_TIME_BUDGET_MS', 5000, 10, 600_000),
    htmlInlineMaxBytes: readInteger(
      env,
      'POPGATE_HTML_INLINE_MAX_BYTES',
      4 * 1024 * 1024,
      1024,
      256 * 1024 * 1024,
    ),
    oauth: readOAuth(env),
    undoSendSeconds: readInteger(env, 'POPGATE_UNDO_SEND_SECONDS', 10, 0, 120),
    sendConnections: readInteger(env, 'POPGATE_SEND_CONNECTIONS', 4, 1, 64),
    sendLeaseSeconds: readInteger(env, 'POPGATE_SEND_LEASE_SECONDS', 60, 2, 3600),
  };
}

function readText(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function readPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = readText(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(name, `must be a port number from 0 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

function readInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = readText(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function readBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw new ConfigError(name, `must be true or false (or 1/0, yes/no, on/off), got "${raw}"`);
}

function readDatabaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = readText(env, 'DATABASE_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'is not a URL (expected postgresql://user@host:5432/db)');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new ConfigError(
      'DATABASE_URL',
      `must start with postgresql:// (got "${url.protocol}//"); unset it to use the embedded database`,
    );
  }
  return raw;
}

function readSecretKey(env: NodeJS.ProcessEnv): Buffer | undefined {
  const raw = readText(env, 'POPGATE_SECRET_KEY');
  if (raw === undefined) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(raw) && key.toString('base64') !== raw)) {
    throw new ConfigError(
      'POPGATE_SECRET_KEY',
      'must be 32 random bytes, as 64 hex digits or base64 (openssl rand -base64 32)',
    );
  }
  return key;
}

function readLogLevel(env: NodeJS.ProcessEnv): Config['logLevel'] {
  const raw = readText(env, 'LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return raw as Config['logLevel'];
}

function readTrustProxy(env: NodeJS.ProcessEnv): Config['trustProxy'] {
  const name = 'POPGATE_TRUST_PROXY';
  const raw = readText(env, name);
  if (raw === undefined) return false;
  const word = raw.toLowerCase();
  if (TRUE_WORDS.includes(word) && word !== '1') return true;
  if (FALSE_WORDS.includes(word)) return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 4 ? 32 : 128;
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !bitsOk || extra !== undefined) {
      throw new ConfigError(
        name,
        `must be true, false, a number of proxy hops, or addresses/networks such as 10.0.0.1,192.168.0.0/16; "${entry}" is none of these`,
      );
    }
  }
  return entries;
}

/** A client id and secret, both or neither. */
function readOAuthClient(env: NodeJS.ProcessEnv, prefix: string): OAuthClientConfig | undefined {
  const clientId = readText(env, `${prefix}_CLIENT_ID`);
  const clientSecret = readText(env, `${prefix}_CLIENT_SECRET`);
  if (clientId === undefined && clientSecret === undefined) return undefined;
  if (clientId === undefined) {
    throw new ConfigError(`${prefix}_CLIENT_ID`, 'is needed with the secret');
  }
  if (clientSecret === undefined) {
    throw new ConfigError(`${prefix}_CLIENT_SECRET`, 'is needed with the client id');
  }
  return { clientId, clientSecret };
}

/** An http(s) URL of a provider, without a trailing slash. */
function readProviderUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = readText(env, name);
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigError(name, `must be a URL starting with https://, got "${raw}"`);
  }
  return url.href.replace(/\/$/, '');
}

function readOAuth(env: NodeJS.ProcessEnv): OAuthConfig {
  const oauth: OAuthConfig = {
    timeoutMs: readInteger(env, 'POPGATE_OAUTH_TIMEOUT_SECONDS', 10, 1, 120) * 1000,
  };
  const google = readOAuthClient(env, 'POPGATE_OAUTH_GOOGLE');
  if (google) oauth.google = google;
  const microsoft = readOAuthClient(env, 'POPGATE_OAUTH_MICROSOFT');
  if (microsoft) {
    const tenant = readText(env, 'POPGATE_OAUTH_MICROSOFT_TENANT') ?? 'common';
    if (!isMicrosoftTenant(tenant)) {
      throw new ConfigError(
        'POPGATE_OAUTH_MICROSOFT_TENANT',
        `${MICROSOFT_TENANT_HINT}, got "${tenant}"`,
      );
    }
    oauth.microsoft = { ...microsoft, tenant };
  }
  const generic = readOAuthClient(env, 'POPGATE_OAUTH_GENERIC');
  const endpointNames = ['AUTHORIZATION_ENDPOINT', 'TOKEN_ENDPOINT', 'REVOCATION_ENDPOINT'];
  const [issuer, authorizationEndpoint, tokenEndpoint, revocationEndpoint] = [
    'ISSUER',
    ...endpointNames,
  ].map((name) => readProviderUrl(env, `POPGATE_OAUTH_GENERIC_${name}`));
  if (generic || issuer || authorizationEndpoint || tokenEndpoint) {
    if (!generic) {
      throw new ConfigError('POPGATE_OAUTH_GENERIC_CLIENT_ID', 'is needed with the issuer');
    }
    if ((authorizationEndpoint === undefined) !== (tokenEndpoint === undefined)) {
      throw new ConfigError(
        authorizationEndpoint
          ? 'POPGATE_OAUTH_GENERIC_TOKEN_ENDPOINT'
          : 'POPGATE_OAUTH_GENERIC_AUTHORIZATION_ENDPOINT',
        'goes with the other endpoint: give both, or neither and the issuer',
      );
    }
    if (!issuer && !tokenEndpoint) {
      throw new ConfigError(
        'POPGATE_OAUTH_GENERIC_ISSUER',
        "must be the provider's issuer URL (https://…), whose /.well-known/openid-configuration Popgate reads (or set its AUTHORIZATION_ENDPOINT and TOKEN_ENDPOINT)",
      );
    }
    const scopes = (readText(env, 'POPGATE_OAUTH_GENERIC_SCOPES') ?? 'openid email offline_access')
      .split(/[\s,]+/)
      .filter(Boolean);
    if (tokenEndpoint && !issuer && scopes.includes('openid')) {
      throw new ConfigError(
        'POPGATE_OAUTH_GENERIC_SCOPES',
        'has openid, whose ID tokens are checked with the keys the issuer publishes: set POPGATE_OAUTH_GENERIC_ISSUER too, or leave openid out',
      );
    }
    oauth.generic = {
      ...generic,
      scopes,
      ...(issuer && { issuer }),
      ...(authorizationEndpoint && tokenEndpoint && { authorizationEndpoint, tokenEndpoint }),
      ...(revocationEndpoint && { revocationEndpoint }),
    };
  }
  return oauth;
}
