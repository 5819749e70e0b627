import { parseMessage } from '../mail/parse-message';
import { classifyFailure, type SyncFailure } from './failure';
import { identifyMessages } from './identify-messages';
import { lockAccount } from './lease';
import { connectAccount } from './pop3-connect';
import { completeMessage } from './store-message';
import type { SyncContext } from './sync-context';

export type FetchFullResult =
  | { ok: true }
  | { ok: false; reason: 'NOT_HEADERS_ONLY' | 'GONE_FROM_SERVER' | 'BUSY' }
  | { ok: false; reason: 'FAILED'; failure: SyncFailure };

/**
 * Downloads the whole of a message that was stored headers-only (it was above the account's
 * size limit), in a POP3 session of its own under the account's lock. Nothing is deleted.
 */
export async function fetchFullMessage(
  ctx: SyncContext,
  databaseUrl: string,
  messageId: string,
  signal: AbortSignal = new AbortController().signal,
): Promise<FetchFullResult> {
  const message = await ctx.prisma.message.findUniqueOrThrow({
    where: { id: messageId },
    include: { account: true },
  });
  if (!message.headersOnly) return { ok: false, reason: 'NOT_HEADERS_ONLY' };
  const lock = await lockAccount(databaseUrl, message.accountId);
  if (!lock) return { ok: false, reason: 'BUSY' };
  const controller = new AbortController();
  const abort = () => controller.abort();
  signal.addEventListener('abort', abort);
  lock.lost.addEventListener('abort', abort);
  const policy = await ctx.prisma.policy.findUniqueOrThrow({ where: { id: 1 } });
  let client;
  try {
    client = await connectAccount(ctx, message.account, policy, controller.signal);
    const entry = (await identifyMessages(client)).messages.find((m) => m.uidl === message.uidl);
    if (!entry) {
      await client.quit();
      await ctx.prisma.message.update({ where: { id: messageId }, data: { serverState: 'gone' } });
      return { ok: false, reason: 'GONE_FROM_SERVER' };
    }
    const raw = await client.retr(entry.number);
    await client.quit();
    await completeMessage(
      ctx.prisma,
      messageId,
      { raw, receivedAt: ctx.clock.now() },
      await parseMessage(raw),
    );
    return { ok: true };
  } catch (error) {
    client?.destroy();
    return { ok: false, reason: 'FAILED', failure: classifyFailure(error) };
  } finally {
    signal.removeEventListener('abort', abort);
    await lock.release();
  }
}
