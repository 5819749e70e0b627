import path from 'node:path';

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
  /** How long a sync job's lease lasts without renewal: how soon a dead process's work is retaken. */
  syncLeaseSeconds: number;
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
    syncLeaseSeconds: readInteger(env, 'POPGATE_SYNC_LEASE_SECONDS', 60, 2, 3600),
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
