import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

const load = (env: Record<string, string>) => loadConfig(env, '/srv/popgate');

function errorOf(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = load({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: path.resolve('/srv/popgate', 'data'),
      secretKey: undefined,
      allowPrivateNetworks: false,
      logLevel: 'info',
      syncLeaseSeconds: 60,
      syncMaxSessions: 64,
      syncPerHost: { min: 2, accountsPerSession: 100 },
      syncPerUser: 2,
      syncLag: { thresholdMs: 100, minSessions: 4, intervalMs: 1000 },
      trustProxy: false,
    });
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, fd00::/8', ['10.0.0.0/8', 'fd00::/8']],
  ])('reads POPGATE_TRUST_PROXY=%s as %j', (raw, expected) => {
    expect(load({ POPGATE_TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });

  it('reads every variable', () => {
    const key = Buffer.alloc(32, 7);
    const config = load({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://popgate@db:5432/popgate',
      POPGATE_DATA_DIR: '/var/lib/popgate',
      POPGATE_SECRET_KEY: key.toString('base64'),
      POPGATE_ALLOW_PRIVATE_NETWORKS: 'yes',
      LOG_LEVEL: 'DEBUG',
      POPGATE_SYNC_LEASE_SECONDS: '30',
    });
    expect(config.syncLeaseSeconds).toBe(30);
    expect(
      load({
        POPGATE_SYNC_MAX_SESSIONS: '256',
        POPGATE_SYNC_SESSIONS_PER_HOST: '4',
        POPGATE_SYNC_ACCOUNTS_PER_HOST_SESSION: '50',
        POPGATE_SYNC_SESSIONS_PER_USER: '3',
        POPGATE_SYNC_LAG_THRESHOLD_MS: '250',
        POPGATE_SYNC_MIN_SESSIONS: '8',
        POPGATE_SYNC_LAG_INTERVAL_MS: '500',
      }),
    ).toMatchObject({
      syncMaxSessions: 256,
      syncPerHost: { min: 4, accountsPerSession: 50 },
      syncPerUser: 3,
      syncLag: { thresholdMs: 250, minSessions: 8, intervalMs: 500 },
    });
    expect(() => load({ POPGATE_SYNC_MAX_SESSIONS: '0' })).toThrow(
      'POPGATE_SYNC_MAX_SESSIONS must be a whole number from 1 to 4096, got "0"',
    );
    expect(() => load({ POPGATE_SYNC_LAG_INTERVAL_MS: '10' })).toThrow(
      'POPGATE_SYNC_LAG_INTERVAL_MS must be a whole number from 100 to 60000, got "10"',
    );
    expect(load({}).retention).toEqual({ syncRunsMaxRows: 1_000_000, eventsMaxRows: 2_000_000 });
    expect(
      load({
        POPGATE_RETENTION_SYNC_RUNS_MAX_ROWS: '50000',
        POPGATE_RETENTION_EVENTS_MAX_ROWS: '200000',
      }).retention,
    ).toEqual({ syncRunsMaxRows: 50_000, eventsMaxRows: 200_000 });
    expect(() => load({ POPGATE_RETENTION_EVENTS_MAX_ROWS: '10' })).toThrow(
      /POPGATE_RETENTION_EVENTS_MAX_ROWS must be a whole number from 1000/,
    );
    expect(config.port).toBe(8080);
    expect(config.host).toBe('0.0.0.0');
    expect(config.databaseUrl).toBe('postgresql://popgate@db:5432/popgate');
    expect(config.dataDir).toBe('/var/lib/popgate');
    expect(config.secretKey?.equals(key)).toBe(true);
    expect(config.allowPrivateNetworks).toBe(true);
    expect(config.logLevel).toBe('debug');
  });

  it('accepts the secret key as 64 hex digits', () => {
    expect(load({ POPGATE_SECRET_KEY: 'ab'.repeat(32) }).secretKey?.toString('hex')).toBe(
      'ab'.repeat(32),
    );
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT', 'port number'],
    [{ PORT: '70000' }, 'PORT', 'port number'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL', 'not a URL'],
    [{ DATABASE_URL: 'mysql://db/popgate' }, 'DATABASE_URL', 'postgresql://'],
    [{ POPGATE_SECRET_KEY: 'short' }, 'POPGATE_SECRET_KEY', '32 random bytes'],
    [
      { POPGATE_SECRET_KEY: Buffer.alloc(16).toString('base64') },
      'POPGATE_SECRET_KEY',
      '32 random bytes',
    ],
    [
      { POPGATE_ALLOW_PRIVATE_NETWORKS: 'maybe' },
      'POPGATE_ALLOW_PRIVATE_NETWORKS',
      'true or false',
    ],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', 'one of fatal'],
    [{ POPGATE_TRUST_PROXY: 'the nginx box' }, 'POPGATE_TRUST_PROXY', 'number of proxy hops'],
    [{ POPGATE_TRUST_PROXY: '10.0.0.0/33' }, 'POPGATE_TRUST_PROXY', '10.0.0.0/33'],
    [
      { POPGATE_SYNC_LEASE_SECONDS: '1' },
      'POPGATE_SYNC_LEASE_SECONDS',
      'whole number from 2 to 3600',
    ],
  ])('refuses %j with a message naming the variable', (env, variable, hint) => {
    const error = errorOf(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(hint);
  });
});
