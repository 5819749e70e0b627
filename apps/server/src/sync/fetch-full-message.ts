import { Pop3Error } from '@popgate/pop3';
import { parseMessage } from '../mail/parse-message';
import { classifyFailure, type SyncFailure } from './failure';
import { identifyMessages } from './identify-messages';
import { claimAccount, releaseLease } from './lease';
import { fullDownloadRefusal, limitRefusal } from './partial-message';
import { connectAccount } from './pop3-connect';
import { allowedMs, DEFAULT_DEADLINE, SessionDeadline } from './session-deadline';
import { LeaseLostError, SessionLease } from './session-lease';
import { markGoneFromServer } from '../messages/server-state';
import { completeMessage } from '../messages/store';
import type { SyncContext } from './sync-context';

export type FetchFullResult =
  | { ok: true }
  | { ok: false; reason: 'NOT_HEADERS_ONLY' | 'GONE_FROM_SERVER' | 'BUSY' }
  /** It cannot be downloaded here: above the admin's size limit, or a line too long to read. */
  | { ok: false; reason: 'REFUSED'; code: 'MESSAGE_TOO_LARGE' | 'LINE_TOO_LONG'; message: string }
  | { ok: false; reason: 'FAILED'; failure: SyncFailure };

/**
 * Downloads the whole of a message that was stored headers-only (it was above the account's
 * size limit), in a POP3 session of its own under the account's lease (as a sync holds it), within the deadline a sync
 * of its size would have. Nothing is deleted. A message above the admin's size limit, or with a
 * line longer than Popgate reads, is refused before anything is dialled.
 */
export async function fetchFullMessage(
  ctx: SyncContext,
  messageId: string,
  signal: AbortSignal = new AbortController().signal,
): Promise<FetchFullResult> {
  const message = await ctx.prisma.message.findUniqueOrThrow({
    where: { id: messageId },
    include: { account: true },
  });
  if (!message.headersOnly) return { ok: false, reason: 'NOT_HEADERS_ONLY' };
  const policy = await ctx.prisma.policy.findUniqueOrThrow({ where: { id: 1 } });
  const refusal = fullDownloadRefusal(message, policy.maxMessageBytes);
  if (refusal) return { ok: false, reason: 'REFUSED', ...refusal };
  const settings = { ...DEFAULT_DEADLINE, ...ctx.deadline };
  // As long as the session may take, and a minute more: the deadline ends it before then.
  const leaseSeconds = Math.ceil(allowedMs(settings, message.size) / 1000) + 60;
  const claimedAt = SessionLease.now();
  const token = await claimAccount(ctx.prisma, ctx.instanceId, message.accountId, leaseSeconds);
  if (token === null) return { ok: false, reason: 'BUSY' };
  const lease = new SessionLease(message.accountId, token, leaseSeconds, claimedAt);
  const controller = new AbortController();
  const abort = () => controller.abort();
  signal.addEventListener('abort', abort);
  const deadline = new SessionDeadline(settings, controller.signal);
  deadline.expect(message.size);
  let client;
  try {
    client = await connectAccount(ctx, message.account, policy, deadline.signal);
    const entry = (await identifyMessages(client)).messages.find((m) => m.uidl === message.uidl);
    if (!entry) {
      await client.quit();
      lease.assertHeld();
      await markGoneFromServer(ctx.prisma, messageId);
      return { ok: false, reason: 'GONE_FROM_SERVER' };
    }
    const raw = await client.retr(entry.number);
    await client.quit();
    lease.assertHeld();
    await completeMessage(
      ctx.prisma,
      messageId,
      { raw, receivedAt: ctx.clock.now() },
      await parseMessage(raw),
    );
    return { ok: true };
  } catch (error) {
    client?.destroy();
    // Larger than listed, or a line too long: as refused as if that had been known before.
    if (error instanceof Pop3Error && error.code === 'LIMIT_EXCEEDED') {
      return { ok: false, reason: 'REFUSED', ...limitRefusal(error.limit, policy.maxMessageBytes) };
    }
    if (error instanceof LeaseLostError) return { ok: false, reason: 'BUSY' };
    // The deadline says why it ended; a cancelled request, the error itself.
    const { reason } = deadline.signal;
    return {
      ok: false,
      reason: 'FAILED',
      failure: classifyFailure(reason instanceof Pop3Error ? reason : error),
    };
  } finally {
    deadline.clear();
    signal.removeEventListener('abort', abort);
    await releaseLease(ctx.prisma, lease).catch(() => {});
  }
}
