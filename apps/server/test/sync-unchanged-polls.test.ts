import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import { syncAccount, type SyncOptions } from '../src/sync/account-sync';
import { claimAccount } from '../src/sync/lease';
import { SessionLease } from '../src/sync/session-lease';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';
import { statementsDuring } from './support/statements';
import { testSyncContext } from './support/sync-context';

const never = new AbortController().signal;
const LEASE_SECONDS = 60;

let database: { name: string; url: string };
let dovecot: Dovecot;
let subject: Awaited<ReturnType<typeof testApp>>;
let admin: ApiClient;
let harness: Awaited<ReturnType<typeof testSyncContext>>;

// The first user to sign up becomes admin: this file gets a database of its own.
beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_unchanged_polls');
  await allowAnyPort(database.url);
  dovecot = await startDovecot({ users: [{ username: 'carol', password: 'carol-pw' }] });
  subject = await testApp({ databaseUrl: database.url });
  admin = new ApiClient(subject.app);
  await admin.signUp('root@example.test');
  harness = await testSyncContext(subject.db.prisma);
});
afterAll(async () => {
  await harness?.close();
  await subject?.close();
  await dovecot?.stop();
  if (database) await dropDatabase(database.name);
});
beforeEach(async () => {
  await dovecot.clear('carol');
});

const prisma = () => subject.db.prisma;

function mail(n: number): Buffer {
  return Buffer.from(
    `From: <s${n}@example.test>\r\nTo: <carol@example.test>\r\nSubject: number ${n}\r\n` +
      `Message-ID: <u${n}@example.test>\r\n\r\nBody ${n}.\r\n`,
  );
}

async function linked() {
  const user = await prisma().user.create({
    data: { email: `carol-${Math.random()}@example.test` },
  });
  return linkAccount(prisma(), harness.keyring, user.id, {
    label: 'Dovecot',
    host: '127.0.0.1',
    port: dovecot.tlsPort,
    security: 'tls',
    username: 'carol',
    password: 'carol-pw',
    auth: 'auto',
    tls: { caPem: dovecot.caPem },
  });
}

/**
 * One check as the scheduler runs it: the account claimed (its lease, with a fencing token), the
 * server's address admitted; `admissions` lists the addresses the session asked to dial.
 */
async function leasedCheck(accountId: string, options: Partial<SyncOptions> = {}) {
  const claimedAt = SessionLease.now();
  const token = await claimAccount(prisma(), harness.ctx.instanceId, accountId, LEASE_SECONDS);
  if (token === null) throw new Error('the account is leased already');
  const lease = new SessionLease(accountId, token, LEASE_SECONDS, claimedAt);
  const admissions: string[] = [];
  // Admitted as the scheduler's admission does when the address has room: noted at the address.
  const admit = async (address: string) => {
    admissions.push(address);
    await prisma().pop3Account.update({
      where: { id: accountId },
      data: { serverAddress: address },
    });
    return true;
  };
  const before = await rowVersion(accountId);
  let result: Awaited<ReturnType<typeof syncAccount>> | undefined;
  const statements = await statementsDuring(async () => {
    result = await syncAccount(harness.ctx, accountId, never, { lease, admit, ...options });
  });
  return { result: result!, statements, admissions, before };
}

/** The row's current version (xmin changes with every UPDATE that writes it). */
async function rowVersion(accountId: string): Promise<string> {
  const [row] = await prisma().$queryRaw<Array<{ xmin: string }>>`
    SELECT xmin::text AS xmin FROM pop3_accounts WHERE id = ${accountId}::uuid`;
  return row!.xmin;
}

const runsOf = (accountId: string) =>
  prisma().syncRun.findMany({ where: { accountId }, orderBy: { startedAt: 'asc' } });
const statusEventsOf = (accountId: string) =>
  harness.events.flatMap((event) =>
    event.type === 'account.status' && event.payload.accountId === accountId ? [event] : [],
  );

describe('a check that finds the mailbox as it was', () => {
  it('costs at most 3 statements, writes the account row once and no sync_runs row, and changes no status', async () => {
    await dovecot.deliver('carol', mail(1));
    const account = await linked();
    const first = await leasedCheck(account.id);
    expect(first.result).toMatchObject({ ok: true, newMessages: 1, released: true });
    expect(first.admissions).toHaveLength(1);
    const statusEvents = statusEventsOf(account.id).length;

    const { result, statements, admissions, before } = await leasedCheck(account.id);
    expect(result).toMatchObject({ ok: true, newMessages: 0, released: true });
    if (process.env.POPGATE_TEST_VERBOSE) console.log(statements);
    expect(statements.length).toBeLessThanOrEqual(3);
    // The claim (before) and the end are the account's only writes: one version by the session.
    const writes = statements.filter((sql) => /^\s*(UPDATE|INSERT|DELETE)/i.test(sql));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/UPDATE pop3_accounts/);
    expect(await rowVersion(account.id)).not.toBe(before);
    // The address dialled is the one the claim counted the account at: no second admission.
    expect(admissions).toEqual([]);
    expect(await runsOf(account.id)).toHaveLength(1);
    expect(statusEventsOf(account.id)).toHaveLength(statusEvents);

    const after = await prisma().pop3Account.findUniqueOrThrow({ where: { id: account.id } });
    expect(after).toMatchObject({
      status: 'ok',
      leaseExpiresAt: null,
      leaseOwner: null,
      unchangedPolls: 1,
      failureCount: 0,
    });
    expect(after.unchangedSince).not.toBeNull();
    expect(after.nextSyncAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('tells the owner how a "check now" ended even when nothing changed', async () => {
    const account = await linked();
    await leasedCheck(account.id);
    const statusEvents = statusEventsOf(account.id).length;
    const { result } = await leasedCheck(account.id, { requested: true });
    expect(result).toMatchObject({ ok: true, newMessages: 0 });
    expect(
      statusEventsOf(account.id)
        .slice(statusEvents)
        .map((e) => e.payload),
    ).toEqual([{ accountId: account.id, status: 'ok', lastError: null, lastErrorCode: null }]);
  });

  it('notices a message another client deleted, though the last listing is on record', async () => {
    await dovecot.deliver('carol', mail(1));
    await dovecot.deliver('carol', mail(2));
    const account = await linked();
    await leasedCheck(account.id);
    await leasedCheck(account.id);
    const [gone] = await dovecot.messageFiles('carol');
    await import('node:fs/promises').then((fs) => fs.rm(gone!.file));

    const { result } = await leasedCheck(account.id);
    expect(result).toMatchObject({ ok: true, newMessages: 0 });
    const states = await prisma().message.findMany({
      where: { accountId: account.id },
      select: { uidl: true, serverState: true },
    });
    expect(states.find((m) => m.uidl === gone!.uidl)?.serverState).toBe('gone');
    expect(states.filter((m) => m.serverState === 'on_server')).toHaveLength(1);
  });
});

describe('a check with something to record', () => {
  it('records a poll that downloads mail as a sync_runs row, with the unchanged checks before it', async () => {
    const account = await linked();
    await leasedCheck(account.id);
    await leasedCheck(account.id);
    expect(await runsOf(account.id)).toEqual([]);

    await dovecot.deliver('carol', mail(3));
    const statusEvents = statusEventsOf(account.id).length;
    const { result } = await leasedCheck(account.id);
    expect(result).toMatchObject({ ok: true, newMessages: 1 });
    const runs = await runsOf(account.id);
    expect(runs).toMatchObject([{ outcome: 'ok', newMessages: 1, unchangedBefore: 2 }]);
    expect(runs[0]!.endedAt!.getTime()).toBeGreaterThanOrEqual(runs[0]!.startedAt.getTime());
    // The owner's app shows the download: "syncing", then done.
    expect(
      statusEventsOf(account.id)
        .slice(statusEvents)
        .map((e) => e.payload.status),
    ).toEqual(['syncing', 'ok']);
    expect(
      await prisma().pop3Account.findUniqueOrThrow({ where: { id: account.id } }),
    ).toMatchObject({ status: 'ok', unchangedPolls: 0, unchangedSince: null });
  });

  it('records a failed poll with its failure', async () => {
    const account = await linked();
    await leasedCheck(account.id);
    await prisma().pop3Account.update({
      where: { id: account.id },
      data: { username: 'nobody' },
    });
    const { result } = await leasedCheck(account.id);
    expect(result).toMatchObject({ ok: false, released: true });
    expect(result.failure?.code).toBe('AUTH_FAILED');
    expect(await runsOf(account.id)).toMatchObject([
      { outcome: 'failed', errorCode: 'AUTH_FAILED', newMessages: 0, unchangedBefore: 1 },
    ]);
    const after = await prisma().pop3Account.findUniqueOrThrow({ where: { id: account.id } });
    expect(after).toMatchObject({
      status: 'auth_failed',
      lastErrorCode: 'AUTH_FAILED',
      failureCount: 1,
      listingDigest: null,
      leaseExpiresAt: null,
    });
  });

  it('shows the admin the unchanged checks since the last recorded run, and before each run', async () => {
    const account = await linked();
    await leasedCheck(account.id);
    await dovecot.deliver('carol', mail(4));
    await leasedCheck(account.id);
    await leasedCheck(account.id);
    await leasedCheck(account.id);

    const listed = (await admin.get('/api/admin/accounts')).json() as {
      items: Array<{ id: string; unchangedPolls: number; unchangedSince: string | null }>;
    };
    const mine = listed.items.find((item) => item.id === account.id);
    expect(mine).toMatchObject({ unchangedPolls: 2 });
    expect(Date.parse(mine!.unchangedSince!)).toBeLessThanOrEqual(Date.now());
    const runs = (await admin.get(`/api/admin/accounts/${account.id}/sync-runs`)).json();
    expect(runs.items).toMatchObject([{ outcome: 'ok', newMessages: 1, unchangedBefore: 1 }]);
  });
});
