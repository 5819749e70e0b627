import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';

let dovecot: Dovecot;
let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;
let admin: ApiClient;

// This app polls every account in its database: it gets one of its own.
beforeAll(async () => {
  dovecot = await startDovecot({
    users: [
      { username: 'alice', password: 'alice-pw' },
      { username: 'bob', password: 'bob-pw' },
    ],
  });
  database = await createMigratedDatabase('popgate_test_sync_metrics');
  await allowAnyPort(database.url);
  subject = await testApp({
    databaseUrl: database.url,
    poll: true,
    env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
  admin = new ApiClient(subject.app);
  await admin.signUp('metrics-admin@example.test');
});
afterAll(async () => {
  await subject?.close();
  if (database) await dropDatabase(database.name);
  await dovecot?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(100);
  }
}

/** One sample of the scrape: `name{labels} value`, or undefined when it is not there. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const scrape = async () => (await subject.app.inject({ url: '/metrics' })).body;

describe('sync metrics after real polls against Dovecot', () => {
  it('counts checks by outcome and failures by code, how late a due check started, and the session target', async () => {
    await dovecot.clear('alice');
    for (let i = 0; i < 2; i++) {
      await dovecot.deliver('alice', Buffer.from(`Subject: m${i}\r\n\r\nbody ${i}\r\n`));
    }
    const link = (username: string, password: string) =>
      admin.post('/api/accounts', {
        label: username,
        host: '127.0.0.1',
        port: dovecot.tlsPort,
        security: 'tls',
        username,
        password,
        tls: { caPem: dovecot.caPem },
      });
    const alice = (await link('alice', 'alice-pw')).json<{ id: string }>();
    const bob = (await link('bob', 'not-bobs-password')).json<{ id: string }>();
    const { prisma } = subject.db;
    const status = async (id: string) =>
      (await prisma.pop3Account.findUniqueOrThrow({ where: { id } })).status;
    await until(
      async () => (await status(alice.id)) === 'ok' && (await status(bob.id)) === 'auth_failed',
    );
    await until(async () => sample(await scrape(), 'popgate_sync_polls_total{outcome="ok"}') === 1);

    // A scheduled check, due 30 seconds ago: its start is 30 seconds late or more.
    await prisma.pop3Account.update({
      where: { id: alice.id },
      data: { nextSyncAt: new Date(Date.now() - 30_000) },
    });
    await until(async () => sample(await scrape(), 'popgate_sync_polls_total{outcome="ok"}') === 2);

    const body = await scrape();
    expect(sample(body, 'popgate_sync_polls_total{outcome="failed"}')).toBe(1);
    expect(sample(body, 'popgate_sync_failures_total{code="AUTH_FAILED"}')).toBe(1);
    expect(sample(body, 'popgate_sync_lateness_seconds_count')).toBe(1);
    expect(sample(body, 'popgate_sync_lateness_seconds_sum')).toBeGreaterThanOrEqual(30);
    expect(sample(body, 'popgate_sync_lateness_seconds_bucket{le="10"}')).toBe(0);
    expect(sample(body, 'popgate_sync_lateness_seconds_bucket{le="60"}')).toBe(1);
    // Nothing is due: alice was just checked, bob waits for a new password.
    expect(sample(body, 'popgate_sync_accounts_due')).toBe(0);
    expect(sample(body, 'popgate_sync_sessions_in_flight')).toBe(0);
    // Three checks in the last minute (fewer if this loaded machine took longer than that).
    expect(sample(body, 'popgate_sync_polls_per_second')).toBeGreaterThan(0);
    expect(sample(body, 'popgate_sync_polls_per_second')).toBeLessThanOrEqual(3 / 60 + 1e-9);
    // The default maximum (64), or less if this loaded machine's event loop lagged.
    const target = sample(body, 'popgate_sync_session_target')!;
    expect(target).toBeGreaterThanOrEqual(4);
    expect(target).toBeLessThanOrEqual(64);
    expect(body).toContain('# TYPE popgate_sync_server_sessions_in_flight gauge');
    expect(sample(body, 'popgate_sync_event_loop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);

    // The admin overview reads the same figures.
    const overview = (await admin.get('/api/admin/sync')).json();
    expect(overview).toMatchObject({
      accountsDue: 0,
      servers: [],
      process: {
        maxSessions: 64,
        sessionsInFlight: 0,
        failuresByCode: { AUTH_FAILED: 1 },
        lateness: { count: 1 },
      },
    });
    expect(overview.process.lateness.buckets).toContainEqual({ le: 60, count: 1 });
    expect(overview.process.pollsPerSecond).toBeGreaterThan(0);
  });

  it('shows sessions per server with the cap the admin’s policy sets there, and records the change', async () => {
    const [account] = await subject.db.prisma.pop3Account.findMany({ where: { status: 'ok' } });
    // A session held elsewhere (another process): its lease is what every process counts.
    await subject.db.prisma.pop3Account.update({
      where: { id: account!.id },
      data: { leaseOwner: 'elsewhere', leaseExpiresAt: new Date(Date.now() + 60_000) },
    });
    const server = account!.serverAddress ?? account!.host;
    const before = (await admin.get('/api/admin/sync')).json();
    expect(before.sessionRule).toEqual({
      sessionsPerHost: 2,
      accountsPerHostSession: 100,
      environment: { sessionsPerHost: 2, accountsPerHostSession: 100 },
    });
    expect(before.servers).toEqual([{ server, sessions: 1, cap: 2 }]);

    const policy = (await admin.get('/api/admin/policy')).json();
    expect(policy.hostSessionLimits).toEqual([
      { host: 'pop.gmail.com', sessions: 50 },
      { host: 'outlook.office365.com', sessions: 50 },
    ]);
    const saved = await admin.patch('/api/admin/policy', {
      ...policy,
      syncSessionsPerHost: 3,
      hostSessionLimits: [...policy.hostSessionLimits, { host: '127.0.0.1.', sessions: 7 }],
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().hostSessionLimits[2]).toEqual({ host: '127.0.0.1', sessions: 7 });
    const after = (await admin.get('/api/admin/sync')).json();
    expect(after.sessionRule.sessionsPerHost).toBe(3);
    expect(after.servers).toEqual([{ server, sessions: 1, cap: 7 }]);
    const [entry] = (await admin.get('/api/admin/audit?action=admin.policy_changed')).json().items;
    expect(entry.details).toEqual({
      syncSessionsPerHost: { from: null, to: 3 },
      hostSessionLimits: { from: policy.hostSessionLimits, to: saved.json().hostSessionLimits },
    });

    for (const [body, message] of [
      [{ hostSessionLimits: [{ host: 'pop.a.test', sessions: 2, max: 3 }] }, /max/],
      [{ hostSessionLimits: [{ host: 'not a host', sessions: 2 }] }, /host/],
      [{ hostSessionLimits: [{ host: 'pop.a.test', sessions: 0 }] }, /sessions/],
      [
        {
          hostSessionLimits: [
            { host: 'pop.a.test', sessions: 2 },
            { host: 'POP.A.test', sessions: 3 },
          ],
        },
        /pop\.a\.test twice/,
      ],
    ] as const) {
      const refused = await admin.patch('/api/admin/policy', body);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.message).toMatch(message);
    }
    expect((await admin.get('/api/admin/policy')).json().hostSessionLimits).toHaveLength(3);
  });
});
