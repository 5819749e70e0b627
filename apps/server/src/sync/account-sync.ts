import { isDeepStrictEqual } from 'node:util';
import type { Pop3Client, Pop3Error } from '@popgate/pop3';
import type { Pop3Account, Policy, Prisma } from '../generated/prisma/client';
import { parseMessage } from '../mail/parse-message';
import { mayDeleteAnything, messagesToDelete } from './deletion-policy';
import { classifyFailure, SessionEndedError, type SyncFailure } from './failure';
import { identifyMessages, readUidls, type ServerMessage } from './identify-messages';
import { listingDigest } from './listing-digest';
import { endSession } from './session-end';
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
  /** The session's end let the account's lease go: the caller has nothing left to release. */
  released?: true;
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
  /** Claimed for a "check now": the owner hears how it ended even when nothing changed. */
  requested?: boolean;
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
  const startedAt = new Date();
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
  // The stored UIDLs are read while connecting only when there is no listing to compare with:
  // a mailbox listed as at the last complete check needs none of them.
  let storedRead = account.listingDigest
    ? undefined
    : meanwhile(readStoredUidls(prisma, accountId));
  // The claim counted the account at the address its last session dialled, under that address's
  // cap: dialling it again needs no second admission (and no statement).
  const admit =
    options.admit &&
    ((address: string) =>
      address === account.serverAddress ? Promise.resolve(true) : options.admit!(address));
  /** The sync_runs row, created once the session has mail to fetch. */
  let runId: string | null = null;
  let digest: string | null = null;
  try {
    client = await connectAccount(ctx, account, policy, session, admit);
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
    const uids = await readUidls(client);
    const listed =
      uids &&
      listingDigest(
        account,
        uids.map((entry) => entry.uid),
      );
    let stored: StoredUidls;
    let listing: ServerMessage[];
    let fresh: ServerMessage[];
    if (listed !== null && listed === account.listingDigest) {
      // Listed as at the last check that ended with everything stored: nothing new, nothing gone.
      listing = uids!.map(({ number, uid }) => ({ number, uidl: uid, size: null }));
      fresh = [];
      stored = storedAsListed(listing);
    } else {
      stored = await (storedRead ??= meanwhile(readStoredUidls(prisma, accountId)));
      ({ messages: listing, fresh } = await identifyMessages(client, stored, uids));
    }
    await serverRecorded;
    // Only a check with mail to fetch says so ("syncing") and is recorded from its start: the
    // fenced status write goes first, so a stale session records nothing.
    if (fresh.length > 0) runId = await startRun(ctx, account, lease, startedAt);
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
      const ended = endedBecause(await readAccountNow(ctx, accountId));
      if (ended) throw new SessionEndedError(ended);
    }
    // QUIT applies the DELE marks: never once another process may have the account. With none,
    // its answer could tell nothing: the session ends without waiting for it.
    lease?.assertHeld();
    if (client.markedForDeletion.length > 0) await client.quit();
    else await client.leave();
    // Nothing else can be pending: this session holds the account's lease.
    if (result.deletedOnServer > 0 || stored.deletePending.length > 0) {
      lease?.assertHeld();
      await markDeletedAfterQuit(ctx, account);
    }
    // Every message listed is stored now; a listing without what QUIT deleted is not known yet.
    if (result.deletedOnServer === 0) digest = listingDigest(account, uidlsOf(listing));
    await Promise.all(alongside);
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
      // Nothing was written; the admission let the lease go already.
      deadline.clear();
      return { ...result, deferred: true, released: true };
    }
    result.failure = classifyFailure(cause);
    ctx.log.warn({ accountId, code: result.failure.code, err: error }, 'sync failed');
  }
  deadline.clear();
  await finish(ctx, account, policy, { startedAt, runId, digest }, result, client, options);
  return result;
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

async function publishStatus(
  ctx: SyncContext,
  account: Pop3Account,
  data: { status: Pop3Account['status']; lastError?: string | null; lastErrorCode?: string | null },
): Promise<void> {
  await ctx.events.publish(account.userId, 'account.status', {
    accountId: account.id,
    status: data.status,
    ...(data.lastError !== undefined
      ? { lastError: data.lastError, lastErrorCode: data.lastErrorCode ?? null }
      : {}),
  });
}

/**
 * A session with mail to fetch: the account shows "syncing" (the owner's app says it is checking),
 * and the session is recorded from its start, so that one cut short stays visible as running.
 */
async function startRun(
  ctx: SyncContext,
  account: Pop3Account,
  lease: SessionLease | undefined,
  startedAt: Date,
): Promise<string> {
  await writeAccount(ctx, account.id, lease, { status: 'syncing' });
  const [run] = await Promise.all([
    ctx.prisma.syncRun.create({
      data: {
        accountId: account.id,
        instanceId: ctx.instanceId,
        startedAt,
        unchangedBefore: account.unchangedPolls,
      },
      select: { id: true },
    }),
    publishStatus(ctx, account, { status: 'syncing' }),
  ]);
  return run.id;
}

/** The stored state a listing equal to the last complete check's stands for. */
function storedAsListed(listing: ServerMessage[]): StoredUidls {
  const onServer = uidlsOf(listing);
  let all: Set<string> | undefined;
  return {
    get all() {
      return (all ??= new Set(onServer));
    },
    onServer,
    deletePending: [],
    count: onServer.length,
  };
}

const uidlsOf = (listing: ServerMessage[]) => listing.map((m) => m.uidl);

/**
 * The account as it stands now (the user may have changed it during the session); null when it
 * was removed.
 */
function readAccountNow(ctx: SyncContext, accountId: string) {
  return ctx.prisma.pop3Account.findUnique({
    where: { id: accountId },
    select: { disabled: true, user: { select: { disabled: true } } },
  });
}
type AccountNow = NonNullable<Awaited<ReturnType<typeof readAccountNow>>>;

const YEAR_SECONDS = 365 * 24 * 3600;

/**
 * Ends the session in one fenced statement (see endSession); a session that fetched mail, deleted
 * some or failed is recorded as a sync_runs row, every other one only counted on the account. The
 * owner hears of the account's status when it changed, or when they asked for the check.
 */
async function finish(
  ctx: SyncContext,
  account: Pop3Account,
  policy: Policy,
  session: { startedAt: Date; runId: string | null; digest: string | null },
  result: SyncResult,
  client: Pop3Client | undefined,
  options: SyncOptions,
): Promise<void> {
  const { lease } = options;
  // Real time for scheduling and records; ctx.clock only decides how old mail is.
  const now = new Date();
  const failures = result.ok ? 0 : account.failureCount + 1;
  const settings = {
    pollSeconds: account.pollSeconds,
    minPollSeconds: policy.minPollSeconds,
    loginDelaySeconds: client?.capabilities.loginDelaySeconds ?? null,
  };
  const outcome = result.ok
    ? ({ ok: true } as const)
    : ({ ok: false, failure: result.failure!, failures } as const);
  // null: stopped until the user changes the account; the scheduler skips it by status.
  const due = (ownerActive: boolean) => {
    const delay = nextSyncDelaySeconds(settings, outcome, ownerActive);
    return new Date(now.getTime() + withJitter(delay ?? YEAR_SECONDS) * 1000);
  };
  const status = result.ok
    ? { status: 'ok' as const, lastError: null, lastErrorCode: null }
    : {
        status: result.failure!.status,
        lastError: result.failure!.message,
        lastErrorCode: result.failure!.code,
      };
  const recorded = session.runId !== null || !result.ok || result.deletedOnServer > 0;
  const written = await endSession(ctx.prisma, {
    accountId: account.id,
    token: lease?.token ?? null,
    at: now,
    ...status,
    failureCount: failures,
    nextDue: { ownerActive: due(true), ownerAway: due(false) },
    pollSeconds: account.pollSeconds,
    listingDigest: session.digest,
    recorded,
  });
  if (!written) {
    // Removed meanwhile (its runs went with it), or another process has it now.
    const exists = await ctx.prisma.pop3Account.count({ where: { id: account.id } });
    if (exists > 0 && lease) throw new LeaseLostError();
    return;
  }
  result.released = true;
  const run = {
    endedAt: now,
    outcome: result.ok
      ? ('ok' as const)
      : result.newMessages > 0
        ? ('partial' as const)
        : ('failed' as const),
    newMessages: result.newMessages,
    bytes: BigInt(result.bytes),
    deletedOnServer: result.deletedOnServer,
    errorCode: result.failure?.code ?? null,
    error: result.failure?.message ?? null,
  };
  const changed =
    session.runId !== null ||
    status.status !== account.status ||
    status.lastErrorCode !== account.lastErrorCode ||
    status.lastError !== account.lastError;
  await Promise.all([
    session.runId !== null
      ? ctx.prisma.syncRun.update({ where: { id: session.runId }, data: run, select: { id: true } })
      : recorded
        ? ctx.prisma.syncRun.create({
            data: {
              ...run,
              accountId: account.id,
              instanceId: ctx.instanceId,
              startedAt: session.startedAt,
              unchangedBefore: account.unchangedPolls,
            },
            select: { id: true },
          })
        : null,
    changed || options.requested ? publishStatus(ctx, account, status) : null,
  ]);
}
