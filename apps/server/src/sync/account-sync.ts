import { isDeepStrictEqual } from 'node:util';
import type { Pop3Client, Pop3Error } from '@popgate/pop3';
import type { Pop3Account, Policy, Prisma } from '../generated/prisma/client';
import { parseMessage } from '../mail/parse-message';
import { mayDeleteAnything, messagesToDelete } from './deletion-policy';
import { classifyFailure, SessionEndedError, type SyncFailure } from './failure';
import { identifyMessages, type ServerMessage } from './identify-messages';
import { nextSyncDelaySeconds } from './next-sync';
import { withJitter } from './jitter';
import { headerOf, partialNotice } from './partial-message';
import { connectAccount, SessionDeferredError } from './pop3-connect';
import { DEFAULT_DEADLINE, HEADER_BYTES_ESTIMATE, SessionDeadline } from './session-deadline';
import { Announcements } from './announcements';
import { CommitQueue } from './commit-queue';
import { heldOnServer, markDeletePending, moveServerState } from '../messages/server-state';
import { readStoredUidls, type StoredUidls } from '../messages/stored-uidls';
import { storeMessages, type DownloadedMessage, type MessageToStore } from '../messages/store';
import type { SyncContext } from './sync-context';
import type { MessageListItem, PartialReason } from '@popgate/contracts';
import { toListItem } from '../messages/columns';
import { fenceTransaction, updateLeasedAccount } from './lease';
import { LeaseLostError, type SessionLease } from './session-lease';

export interface SyncResult {
  ok: boolean;
  newMessages: number;
  bytes: number;
  deletedOnServer: number;
  failure?: SyncFailure;
  /** The session never dialled: the server's address had as many sessions as allowed. */
  deferred?: true;
  /** Another process took the account over (this one was held up past its lease): nothing recorded. */
  leaseLost?: true;
}

export interface SyncOptions {
  /** Asked before the server's address is dialled; false defers the session (see admitAddress). */
  admit?: (address: string) => Promise<boolean>;
  /**
   * The scheduler's lease on the account: every write carries its fencing token and is refused
   * (LeaseLostError) once another process took over; nothing that changes the server is sent
   * after it ran out. Without it (tests, tools) writes are not fenced.
   */
  lease?: SessionLease;
}

/**
 * New sessions a sync opens to go on past messages a limit cut off (each of them is stored in
 * part first, so every new session gets further); past this, the next check goes on.
 */
const MAX_RECONNECTS = 5;

const PROGRESS_EVERY_MS = 250;
/** Messages per transaction at most; the byte bound keeps a batch's parameters modest in memory. */
export const COMMIT_BATCH = { items: 100, bytes: 4 * 1024 * 1024, inFlight: 2 };

/**
 * One POP3 session for one account: list, fetch what is new, commit each message, and only
 * then DELE what the account's policy asks for, then QUIT. Any failure drops the connection
 * without QUIT, so no DELE this session marked is ever applied by accident; every message
 * committed before the failure stays committed.
 *
 * A message above the admin's size limit is fetched headers-only like one above the account's; one
 * that a limit cuts off mid-download (a line longer than the client reads, or more bytes than
 * listed) is stored in part with the reason, and the sync goes on in a new session.
 *
 * The caller holds the account's lease (options.lease); `signal` ends the session at once, and so
 * does the session's deadline (see SessionDeadline).
 */
export async function syncAccount(
  ctx: SyncContext,
  accountId: string,
  signal: AbortSignal,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const { prisma } = ctx;
  const { lease } = options;
  // Independent statements go together: a poll of an unchanged mailbox is mostly round trips.
  const [account, policy] = await Promise.all([
    prisma.pop3Account.findUniqueOrThrow({ where: { id: accountId } }),
    prisma.policy.findUniqueOrThrow({ where: { id: 1 } }),
  ]);
  const result: SyncResult = { ok: false, newMessages: 0, bytes: 0, deletedOnServer: 0 };
  const deadline = new SessionDeadline({ ...DEFAULT_DEADLINE, ...ctx.deadline }, signal);
  const session = deadline.signal;
  let client: Pop3Client | undefined;
  // Statements that run while the server is busy with something else; awaited before the end,
  // and handled at once so that one failing before its turn is no unhandled rejection.
  const alongside: Promise<unknown>[] = [];
  const meanwhile = <T>(work: Promise<T>): Promise<T> => {
    work.catch(() => {});
    alongside.push(work);
    return work;
  };
  // Recorded while the connection opens; awaited before anything else of this session is said.
  // The run only once the fenced status write went through: a stale session records nothing.
  const started = meanwhile(
    setStatus(ctx, account, lease, { status: 'syncing' }).then(
      async () =>
        [await prisma.syncRun.create({ data: { accountId, instanceId: ctx.instanceId } })] as const,
    ),
  );
  let freshRead: Promise<AccountNow | null> | undefined;
  try {
    // Read while connecting: nothing else changes it, this session holds the account's lock.
    const storedRead = meanwhile(readStoredUidls(prisma, accountId));
    client = await connectAccount(ctx, account, policy, session, options.admit);
    // Written only when it changed: most checks find the server as it was.
    const server = asStored({ capabilities: client.capabilities, serverInfo: client.serverInfo() });
    const serverRecorded = isDeepStrictEqual(withoutChallenge(server), {
      capabilities: account.capabilities,
      serverInfo: withoutChallenge({ serverInfo: account.serverInfo }).serverInfo,
    })
      ? Promise.resolve()
      : meanwhile(
          writeAccount(ctx, accountId, lease, {
            capabilities: server.capabilities as object,
            serverInfo: server.serverInfo as object,
          }),
        );
    const stored = await storedRead;
    let { messages: listing, fresh } = await identifyMessages(client, stored);
    await serverRecorded;
    await started;
    // Listed messages that were stored before this session.
    let listedStored = listing.length - fresh.length;
    const storedNow = new Set<string>();
    for (let reconnects = 0; ; reconnects++) {
      const plan = planDownloads(account, policy, fresh);
      deadline.expect(result.bytes + plan.expectedBytes);
      const cut = await fetchNew(ctx, client, account, policy, plan, result, storedNow, lease);
      if (!cut) break;
      // The limit took the connection with it; the message it cut off is stored in part by now.
      if (reconnects >= MAX_RECONNECTS) throw cut;
      client.destroy();
      client = await connectAccount(ctx, account, policy, session);
      const known = new Set(stored.all);
      for (const uidl of storedNow) known.add(uidl);
      ({ messages: listing, fresh } = await identifyMessages(client, { all: known, onServer: [] }));
      listedStored = listing.filter((m) => stored.all.has(m.uidl)).length;
    }
    lease?.assertHeld();
    await reconcileServerState(ctx, account, listing, listedStored, stored);
    result.deletedOnServer = await deleteByPolicy(ctx, client, account, listing, lease);
    if (result.deletedOnServer > 0) {
      // QUIT would apply the DELE marks: not if the account was switched off or removed meanwhile.
      freshRead = readAccountNow(ctx, accountId);
      const ended = endedBecause(await freshRead);
      if (ended) throw new SessionEndedError(ended);
    } else {
      // What scheduling needs is read while the server closes the session.
      freshRead = meanwhile(readAccountNow(ctx, accountId));
    }
    // QUIT applies the DELE marks: never once another process may have the account.
    lease?.assertHeld();
    await client.quit();
    // Nothing else can be pending: this session holds the account's lease.
    if (result.deletedOnServer > 0 || stored.deletePending.length > 0) {
      lease?.assertHeld();
      await markDeletedAfterQuit(ctx, account);
    }
    result.ok = true;
  } catch (error) {
    // Drop, never QUIT: whatever this session marked for deletion is forgotten by the server.
    client?.destroy();
    await Promise.allSettled(alongside);
    const cause = session.aborted ? (session.reason ?? error) : error;
    if (cause instanceof LeaseLostError || error instanceof LeaseLostError) {
      deadline.clear();
      return { ...result, leaseLost: true };
    }
    if (error instanceof SessionDeferredError) {
      deadline.clear();
      return defer(ctx, account, started, result, lease);
    }
    result.failure = classifyFailure(cause);
    ctx.log.warn({ accountId, code: result.failure.code, err: error }, 'sync failed');
  }
  deadline.clear();
  // A run that could not be recorded failed the session above (it was awaited there): say so.
  const [run] = await started;
  await finish(ctx, account, policy, run.id, result, client, freshRead, lease);
  return result;
}

/** A session that never dialled leaves no trace: no run, and the account's status as it was. */
async function defer(
  ctx: SyncContext,
  account: Pop3Account,
  started: Promise<readonly [{ id: string }]>,
  result: SyncResult,
  lease: SessionLease | undefined,
): Promise<SyncResult> {
  const [run] = await started;
  await Promise.all([
    ctx.prisma.syncRun.delete({ where: { id: run.id } }),
    setStatus(ctx, account, lease, { status: account.status }),
  ]);
  return { ...result, deferred: true };
}

/** Why a session must not go on, from the account as it stands now; null when it may. */
function endedBecause(now: AccountNow | null): 'disabled' | 'removed' | null {
  if (!now) return 'removed';
  return now.disabled || now.user.disabled ? 'disabled' : null;
}

/** Which new messages are fetched whole and which headers-only, and why. */
interface DownloadPlan {
  fresh: ServerMessage[];
  full: ServerMessage[];
  headersOnly: ServerMessage[];
  /** For each headers-only message (by number), why. */
  reasons: Map<number, PartialReason>;
  /** Bytes the downloads are expected to take. */
  expectedBytes: number;
}

function planDownloads(account: Pop3Account, policy: Policy, fresh: ServerMessage[]): DownloadPlan {
  const accountLimit = account.maxFullDownloadBytes;
  const full: ServerMessage[] = [];
  const headersOnly: ServerMessage[] = [];
  const reasons = new Map<number, PartialReason>();
  let expectedBytes = 0;
  for (const message of fresh) {
    // Whenever one message is new, LIST was sent: every new one has its size.
    const size = message.size!;
    const reason: PartialReason | null =
      size > policy.maxMessageBytes
        ? 'admin_limit'
        : accountLimit !== null && size > accountLimit
          ? 'account_limit'
          : null;
    if (reason) {
      headersOnly.push(message);
      reasons.set(message.number, reason);
      expectedBytes += HEADER_BYTES_ESTIMATE;
    } else {
      full.push(message);
      expectedBytes += size;
    }
  }
  return { fresh, full, headersOnly, reasons, expectedBytes };
}

/**
 * Downloads and commits the planned messages. When a limit cuts one off (and the connection with
 * it), what arrived of its header is stored with the reason, everything that arrived whole is
 * committed, and the limit's error is returned: the caller goes on in a new session.
 */
async function fetchNew(
  ctx: SyncContext,
  client: Pop3Client,
  account: Pop3Account,
  policy: Policy,
  plan: DownloadPlan,
  result: SyncResult,
  /** Receives the key of every message committed. */
  storedNow: Set<string>,
  lease: SessionLease | undefined,
): Promise<Pop3Error | null> {
  const { fresh, full, headersOnly } = plan;
  if (fresh.length === 0) return null;

  const byNumber = new Map(fresh.map((m) => [m.number, m]));
  const limits = { accountBytes: account.maxFullDownloadBytes, adminBytes: policy.maxMessageBytes };
  const partial = (reason: PartialReason, size: number) => ({
    reason,
    notice: partialNotice(reason, size, limits),
  });
  const doneBefore = result.newMessages;
  let lastProgress = 0;
  const progress = async (force = false) => {
    const now = Date.now();
    if (!force && now - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = now;
    await ctx.events.publish(account.userId, 'sync.progress', {
      accountId: account.id,
      done: result.newMessages,
      total: doneBefore + fresh.length,
      bytes: result.bytes,
    });
  };
  await progress(true);

  // A batch's events go out in order while later batches commit: the database is the slow part,
  // and its commits should not wait on the announcements.
  const announcements = new Announcements();
  // Downloading and parsing go on while earlier batches commit; each batch is one transaction.
  const queue = new CommitQueue<MessageToStore>(async (batch) => {
    announcements.throwIfFailed();
    const guard =
      lease &&
      ((client: Parameters<typeof fenceTransaction>[0]) => fenceTransaction(client, lease));
    const storing = storeMessages(ctx.prisma, batch, guard ? { guard } : {}).then((stored) => {
      const announced: MessageListItem[] = [];
      for (const [index, { uidl, row }] of stored.entries()) {
        storedNow.add(uidl);
        if (!row) continue;
        result.newMessages += 1;
        result.bytes += batch[index]!.message.raw.length;
        announced.push(toListItem(row));
      }
      return announced;
    });
    // Queued before the commit ends, so events keep the download order when a later batch
    // commits first.
    announcements.add(async () => {
      await ctx.events.publishMany(account.userId, 'message.new', await storing);
      await progress();
    });
    await storing;
  }, COMMIT_BATCH);
  const ingest = async (
    number: number,
    raw: Buffer,
    headersOnlyBecause: PartialReason | undefined,
  ): Promise<void> => {
    const entry = byNumber.get(number)!;
    const message: DownloadedMessage = {
      accountId: account.id,
      userId: account.userId,
      uidl: entry.uidl,
      listedSize: entry.size!,
      raw,
      headersOnly: headersOnlyBecause !== undefined,
      ...(headersOnlyBecause && { partial: partial(headersOnlyBecause, entry.size!) }),
      receivedAt: ctx.clock.now(),
    };
    await queue.add({ message, parsed: await parseMessage(raw) }, raw.length);
  };

  let failure: { error: unknown } | undefined;
  let cut: Pop3Error | null = null;
  try {
    for (const [batch, onlyHeaders] of [
      [full, false],
      [headersOnly, true],
    ] as const) {
      if (batch.length === 0) continue;
      const outcome = await client.fetchMany(
        batch.map((m) => m.number),
        {
          command: onlyHeaders ? { top: 0 } : 'RETR',
          onMessage: (number, raw) =>
            ingest(number, raw, onlyHeaders ? plan.reasons.get(number) : undefined),
        },
      );
      if (outcome.error?.code === 'LIMIT_EXCEEDED' && outcome.cutOff) {
        // Kept in part, so that no later check downloads it again: its header, as far as it came.
        const { number, head } = outcome.cutOff;
        const reason = outcome.error.limit === 'maxLineBytes' ? 'line_too_long' : 'admin_limit';
        await ingest(number, headerOf(head), reason);
        cut = outcome.error;
        break;
      }
      if (outcome.error) throw outcome.error;
    }
  } catch (error) {
    failure = { error };
  }
  // Every message that arrived whole is committed, also when the download broke off.
  try {
    await queue.flush();
  } catch (error) {
    failure ??= { error };
  }
  try {
    await announcements.settled();
  } catch (error) {
    failure ??= { error };
  }
  if (failure) throw failure.error;
  await progress(true);
  return cut;
}

/**
 * Notes which stored messages another client deleted, and confirms deletions of a lost QUIT.
 * Worked out from the state read at the start of the session (messages stored since are on the
 * server), so an unchanged mailbox costs no statement.
 */
async function reconcileServerState(
  ctx: SyncContext,
  account: Pop3Account,
  listing: ServerMessage[],
  /** How many listed messages were stored before this session. */
  listedStored: number,
  stored: StoredUidls,
): Promise<void> {
  // Every stored message believed on the server and listed there (the usual poll): nothing to note.
  // Keys in a listing differ, so counting the listed ones that were stored is enough.
  if (stored.onServer.length === stored.count && listedStored === stored.onServer.length) return;
  const listed = new Set(listing.map((m) => m.uidl));
  for (const [from, to, uidlsInState] of [
    ['on_server', 'gone', stored.onServer],
    ['delete_pending', 'deleted_by_popgate', stored.deletePending],
  ] as const) {
    const uidls = uidlsInState.filter((uidl) => !listed.has(uidl));
    if (uidls.length === 0) continue;
    await moveServerState(ctx.prisma, account.id, from, to, uidls);
  }
}

async function deleteByPolicy(
  ctx: SyncContext,
  client: Pop3Client,
  account: Pop3Account,
  listing: ServerMessage[],
  lease: SessionLease | undefined,
): Promise<number> {
  if (!mayDeleteAnything(account)) return 0;
  const numberOf = new Map(listing.map((m) => [m.uidl, m.number]));
  const held = await heldOnServer(ctx.prisma, account.id);
  const candidates = held.filter((m) => numberOf.has(m.uidl));
  const uidls = messagesToDelete(account, candidates, ctx.clock.now());
  if (uidls.length === 0) return 0;
  lease?.assertHeld();
  await markDeletePending(ctx.prisma, account.id, uidls);
  lease?.assertHeld();
  await client.deleMany(uidls.map((uidl) => numberOf.get(uidl)!));
  return uidls.length;
}

async function markDeletedAfterQuit(ctx: SyncContext, account: Pop3Account): Promise<void> {
  await moveServerState(ctx.prisma, account.id, 'delete_pending', 'deleted_by_popgate');
}

/** As the value comes back from a JSON column (no undefined properties), to compare with it. */
function asStored<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The greeting without its APOP timestamp, which differs every session, for comparing. */
function withoutChallenge<T extends { serverInfo: unknown }>(value: T): T {
  const info = value.serverInfo as { greeting?: unknown } | null;
  if (typeof info?.greeting !== 'string') return value;
  return {
    ...value,
    serverInfo: { ...info, greeting: info.greeting.replace(/<[^<>\s]*>/g, '<>') },
  };
}

/** Writes the session's account: fenced by the lease's token when there is one. */
async function writeAccount(
  ctx: SyncContext,
  accountId: string,
  lease: SessionLease | undefined,
  data: Prisma.Pop3AccountUpdateManyMutationInput,
): Promise<void> {
  if (lease) await updateLeasedAccount(ctx.prisma, lease, data);
  else await ctx.prisma.pop3Account.update({ where: { id: accountId }, data });
}

async function setStatus(
  ctx: SyncContext,
  account: Pop3Account,
  lease: SessionLease | undefined,
  data: { status: Pop3Account['status']; lastError?: string | null; lastErrorCode?: string | null },
  /** More columns to write in the same statement. */
  alongside: { lastSyncAt?: Date; failureCount?: number; nextSyncAt?: Date } = {},
): Promise<void> {
  await writeAccount(ctx, account.id, lease, { ...data, ...alongside });
  await ctx.events.publish(account.userId, 'account.status', {
    accountId: account.id,
    status: data.status,
    ...(data.lastError !== undefined
      ? { lastError: data.lastError, lastErrorCode: data.lastErrorCode ?? null }
      : {}),
  });
}

/**
 * The account as it stands at the end of a session (the user may have changed it meanwhile);
 * null when it was removed.
 */
function readAccountNow(ctx: SyncContext, accountId: string) {
  return ctx.prisma.pop3Account.findUnique({
    where: { id: accountId },
    include: { user: { select: { activeUntil: true, disabled: true } } },
  });
}
type AccountNow = NonNullable<Awaited<ReturnType<typeof readAccountNow>>>;

async function finish(
  ctx: SyncContext,
  account: Pop3Account,
  policy: Policy,
  runId: string,
  result: SyncResult,
  client: Pop3Client | undefined,
  freshRead: Promise<AccountNow | null> = readAccountNow(ctx, account.id),
  lease?: SessionLease,
): Promise<void> {
  const fresh = await freshRead;
  // Removed meanwhile: its runs went with it, and there is nothing left to schedule.
  if (!fresh) return;
  // Real time for scheduling and records; ctx.clock only decides how old mail is.
  const now = new Date();
  const failures = result.ok ? 0 : fresh.failureCount + 1;
  const ownerActive = fresh.user.activeUntil !== null && fresh.user.activeUntil > now;
  const delay = nextSyncDelaySeconds(
    {
      pollSeconds: fresh.pollSeconds,
      minPollSeconds: policy.minPollSeconds,
      loginDelaySeconds: client?.capabilities.loginDelaySeconds ?? null,
    },
    result.ok ? { ok: true } : { ok: false, failure: result.failure!, failures },
    ownerActive,
  );
  const recordRun = () =>
    ctx.prisma.syncRun.update({
      where: { id: runId },
      data: {
        endedAt: now,
        outcome: result.ok ? 'ok' : result.newMessages > 0 ? 'partial' : 'failed',
        newMessages: result.newMessages,
        bytes: BigInt(result.bytes),
        deletedOnServer: result.deletedOnServer,
        errorCode: result.failure?.code ?? null,
        error: result.failure?.message ?? null,
      },
    });
  const schedule = {
    lastSyncAt: now,
    failureCount: failures,
    // null: stopped until the user changes the account; the scheduler skips it by status.
    nextSyncAt: new Date(now.getTime() + withJitter(delay ?? 365 * 24 * 3600) * 1000),
  };
  const status = result.ok
    ? { status: 'ok' as const, lastError: null, lastErrorCode: null }
    : {
        status: result.failure!.status,
        lastError: result.failure!.message,
        lastErrorCode: result.failure!.code,
      };
  // The run is recorded once the fenced account write went through.
  await setStatus(ctx, account, lease, status, schedule);
  await recordRun();
}
