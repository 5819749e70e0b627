import type pg from 'pg';
import { poolOf, type Db } from '../db/prisma';
import type { EventBus } from '../events/event-bus';
import type { Identity, Pop3Account } from '../generated/prisma/client';
import {
  DEFAULT_RETRY_POLICY,
  recordFailure,
  recordIdentityRemoved,
  recordSent,
  releaseUntried,
  type RetryPolicy,
} from './attempt-result';
import { claimDueItems, renewLeases, startHandover, type ClaimedItem } from './claim';
import { ABANDONED_HANDOVER_MESSAGE, verdictOf, type Verdict } from './failure-rule';
import { changeOf, type OutboxChange } from './outbox-out';
import { recoverAbandoned } from './recover';
import { storeSentCopy } from './sent-copy';
import type { OutboxTransport, SmtpSession } from './transport';
import type { SmtpSendResult } from '../identities/smtp-connect';

export interface SenderOptions {
  /** Names this process in leases. */
  instanceId: string;
  /** How long a claim holds without renewal: how soon a dead process's items are looked at. */
  leaseSeconds: number;
  /** How often to look for due items (the undo window is counted in seconds). */
  pollMs: number;
  /** SMTP connections this process holds at once. */
  maxConnections: number;
  /** Messages handed over on one connection before it is closed and the next claim made. */
  messagesPerConnection: number;
  retry: RetryPolicy;
  /** The longest the hand-over of one message of `bytes` may take, reply included. */
  messageTimeoutMs: (bytes: number) => number;
  /** The longest connecting, TLS and sign-in may take together. */
  openTimeoutMs: number;
}

export const DEFAULT_SENDER_OPTIONS: Omit<SenderOptions, 'instanceId'> = {
  leaseSeconds: 60,
  pollMs: 1000,
  maxConnections: 4,
  messagesPerConnection: 100,
  retry: DEFAULT_RETRY_POLICY,
  // Two minutes, plus a second for every 20 KB: 25 MB at a slow 20 KB/s still fits.
  messageTimeoutMs: (bytes) => 120_000 + bytes / 20,
  openTimeoutMs: 90_000,
};

export interface SenderContext {
  prisma: Db;
  events: EventBus;
  transport: OutboxTransport;
  log: {
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
  };
}

/**
 * The sender worker: claims due outbox items with leases (several processes never take the same
 * one), hands each identity's items over ONE SMTP connection (connect once, send each, close),
 * records each outcome as docs/sending.md says, and stores what was sent in Sent. At most
 * `maxConnections` connections at once; every connection and message has a deadline.
 */
export class OutboxSender {
  private readonly pool: pg.Pool;
  private readonly options: SenderOptions;
  private readonly jobs = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly ctx: SenderContext,
    options: Partial<SenderOptions> & { instanceId: string },
  ) {
    this.pool = poolOf(ctx.prisma);
    this.options = { ...DEFAULT_SENDER_OPTIONS, ...options };
  }

  start(): void {
    this.stopping = false;
    this.schedule(0);
  }

  /** Look for due items now (a message was queued or retried in this process). */
  wake(): void {
    if (!this.stopping) this.schedule(0);
  }

  /** Stops claiming; the message on each connection finishes (or hits its deadline), the rest go back. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.all([...this.jobs]);
  }

  /** One round: recover what dead senders left, then claim while connections are free. */
  async tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.claimRound().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /** Resolves once no job is running (tests). */
  async idle(): Promise<void> {
    while (this.jobs.size > 0 || this.ticking) {
      await Promise.all([...this.jobs, this.ticking]);
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.tick()
        .catch((error: unknown) => this.ctx.log.warn({ err: error }, 'outbox: a round failed'))
        .finally(() => {
          if (!this.stopping) this.schedule(this.options.pollMs);
        });
    }, ms).unref();
  }

  private async claimRound(): Promise<void> {
    await this.publish(await recoverAbandoned(this.pool));
    while (!this.stopping && this.jobs.size < this.options.maxConnections) {
      const items = await claimDueItems(this.pool, this.options.instanceId, {
        limit: this.options.messagesPerConnection,
        leaseSeconds: this.options.leaseSeconds,
      });
      if (items.length === 0) return;
      await this.publish(items.map(changeOf));
      const job = this.runJob(items)
        .catch((error: unknown) =>
          this.ctx.log.error({ err: error }, 'outbox: a sending job failed'),
        )
        .finally(() => {
          this.jobs.delete(job);
          // A connection is free: more may be due.
          if (!this.stopping) this.schedule(0);
        });
      this.jobs.add(job);
    }
  }

  /** One identity's items, over one connection (a new one after a failure that ends it). */
  private async runJob(items: ClaimedItem[]): Promise<void> {
    const owner = this.options.instanceId;
    const pending = new Set(items.map((item) => item.id));
    const renewal = setInterval(
      () =>
        void renewLeases(this.pool, owner, [...pending], this.options.leaseSeconds).catch(
          (error: unknown) => this.ctx.log.warn({ err: error }, 'outbox: lease renewal failed'),
        ),
      (this.options.leaseSeconds * 1000) / 3,
    ).unref();
    let session: SmtpSession | null = null;
    try {
      const identity = await this.ctx.prisma.identity.findUnique({
        where: { id: items[0]!.identityId! },
        include: { account: true },
      });
      for (const item of items) {
        if (this.stopping) break;
        if (!identity) {
          await this.publish([await recordIdentityRemoved(this.pool, owner, item.id)]);
          pending.delete(item.id);
          continue;
        }
        if (!session) {
          try {
            session = await this.open(identity);
          } catch (error) {
            // Nothing was sent: every item of this connection has the same failure.
            const verdict = verdictOf(this.ctx.transport.describe(error));
            for (const rest of items.filter((other) => pending.has(other.id))) {
              await this.publish([
                await recordFailure(this.pool, owner, rest, verdict, this.options.retry),
              ]);
              pending.delete(rest.id);
            }
            return;
          }
        }
        const usable = await this.handOver(session, item, identity.accountId);
        pending.delete(item.id);
        if (!usable) {
          // The connection broke: the next message goes over a new one.
          void session.close();
          session = null;
        }
      }
    } finally {
      clearInterval(renewal);
      await session?.close();
      await this.publish(await releaseUntried(this.pool, owner, [...pending]));
    }
  }

  /** Connects and signs in, within openTimeoutMs (a connection that comes up later is closed). */
  private async open(identity: Identity & { account: Pop3Account }): Promise<SmtpSession> {
    let late = false;
    let timer: NodeJS.Timeout | undefined;
    const opening = this.ctx.transport.open(identity);
    void opening.then(
      (session) => late && void session.close(),
      () => {},
    );
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        late = true;
        reject(
          Object.assign(new Error(`connecting took longer than ${this.options.openTimeoutMs} ms`), {
            code: 'ETIMEDOUT',
          }),
        );
      }, this.options.openTimeoutMs);
    });
    return Promise.race([opening, deadline]).finally(() => clearTimeout(timer));
  }

  /** One message: true when the session can carry the next one. */
  private async handOver(
    session: SmtpSession,
    item: ClaimedItem,
    accountId: string,
  ): Promise<boolean> {
    const owner = this.options.instanceId;
    const handover = await startHandover(this.pool, owner, item.id, this.options.leaseSeconds);
    if (!handover) return true; // no longer ours: another process recovered it
    const outcome = await this.sendWithin(
      session,
      { from: handover.envelopeFrom, to: handover.recipients },
      handover.raw,
    );
    if ('verdict' in outcome) {
      this.ctx.log.warn(
        { outboxId: item.id, verdict: outcome.verdict.kind, code: outcome.verdict.code },
        'outbox: hand-over failed',
      );
      await this.publish([
        await recordFailure(this.pool, owner, item, outcome.verdict, this.options.retry),
      ]);
      return session.alive;
    }
    await this.recordAccepted(item, accountId, handover.raw, outcome.accepted);
    return true;
  }

  /**
   * session.send, bounded: the session's own timeouts answer a silent server first; past
   * messageTimeoutMs (a server trickling replies) the connection is closed, which fails the send
   * with what the session knows of how far it got. Should even that not come, the outcome is
   * unknown.
   */
  private async sendWithin(
    session: SmtpSession,
    envelope: { from: string; to: string[] },
    raw: Buffer,
  ): Promise<{ accepted: SmtpSendResult } | { verdict: Verdict }> {
    const ms = this.options.messageTimeoutMs(raw.length);
    let timer: NodeJS.Timeout | undefined;
    const sending = session.send(envelope, raw).then(
      (accepted) => ({ accepted }),
      (error: unknown) => ({ verdict: verdictOf(this.ctx.transport.describe(error)) }),
    );
    const abandoned = new Promise<{ verdict: Verdict }>((resolve) => {
      timer = setTimeout(() => {
        void session.close();
        timer = setTimeout(
          () =>
            resolve({
              verdict: {
                kind: 'unknown',
                code: 'OUTCOME_UNKNOWN',
                reply: `The server did not finish taking the message within ${Math.round(ms / 1000)} s. ${ABANDONED_HANDOVER_MESSAGE.replace(/^.*?: it/, 'It')}`,
              },
            }),
          10_000,
        );
      }, ms);
    });
    return Promise.race([sending, abandoned]).finally(() => clearTimeout(timer));
  }

  /** The server said 250: the copy in Sent first (it proves the 250 after a crash), then sent. */
  private async recordAccepted(
    item: ClaimedItem,
    accountId: string,
    raw: Buffer,
    accepted: SmtpSendResult,
  ): Promise<void> {
    let copy: Awaited<ReturnType<typeof storeSentCopy>> | null = null;
    try {
      copy = await storeSentCopy(this.ctx.prisma, item, accountId, raw, new Date());
    } catch (error) {
      // The account (and its identity) removed meanwhile: sent, without a copy to keep it in.
      const account = await this.ctx.prisma.pop3Account.findUnique({
        where: { id: accountId },
        select: { id: true },
      });
      if (account) throw error;
    }
    const change = await recordSent(
      this.pool,
      this.options.instanceId,
      item,
      accepted,
      copy?.id ?? null,
    );
    if (!change) return;
    if (copy?.listItem) {
      await this.ctx.events.publish(item.userId, 'message.sent', {
        outboxId: item.id,
        message: copy.listItem,
      });
    }
    await this.publish([change]);
  }

  /** Announces changes (outbox.status), one statement per user. */
  private async publish(changes: Array<OutboxChange | null>): Promise<void> {
    const byUser = new Map<string, OutboxChange['item'][]>();
    for (const change of changes) {
      if (change) byUser.set(change.userId, [...(byUser.get(change.userId) ?? []), change.item]);
    }
    for (const [userId, items] of byUser) {
      await this.ctx.events.publishMany(userId, 'outbox.status', items);
    }
  }
}
