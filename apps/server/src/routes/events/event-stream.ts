import type { StreamReady, StreamResync } from '@popgate/contracts';
import type { AnyEvent } from '../../events/event-bus';
import { RecentIds } from './recent-ids';

/** Where a stream writes: a websocket, as far as the stream cares. */
export interface StreamSink {
  readonly open: boolean;
  /** Bytes queued but not yet sent. */
  readonly bufferedAmount: number;
  send(text: string): void;
}

/** The stored events of the stream's user. */
export interface StreamHistory {
  /** Events after `afterId`, oldest first, at most `limit`. */
  since(afterId: string, limit: number): Promise<AnyEvent[]>;
  /** The id of the user's newest event, or null when there is none. */
  latestId(): Promise<string | null>;
  /**
   * Whether every event after `afterId` is still stored: false once housekeeping removed the
   * event a client saw last (and perhaps some after it).
   */
  reachesBackTo(afterId: string): Promise<boolean>;
}

export interface StreamLimits {
  maxReplay: number;
  maxBufferedBytes: number;
}

/**
 * One client's event stream: the events it missed (from the events table), then live ones (from
 * the bus), with no gap and no duplicate where the two meet. Live events that arrive while the
 * missed ones are read are held back and sent after them, skipping any already sent.
 *
 * A client too far behind, whether it comes back after a long time (or after the events it
 * missed were cleaned away) or reads too slowly to keep up, is not fed a backlog: it gets
 * { type: "resync" } and reloads what it shows.
 */
export class EventStream {
  /** Replays asked for and not finished; live events are held while there are any. */
  private stepsPending = 0;
  private held: AnyEvent[] = [];
  private heldOverflowed = false;
  /** Set while a slow reader's socket is full: events are dropped until a resync. */
  private lagging = false;
  private readonly sent: RecentIds;
  private work: Promise<void> = Promise.resolve();
  /** A resume asked for and not started: a newer one only moves its resume point. */
  private waitingResume: { afterId: string | null; done: Promise<void> } | null = null;
  private closed = false;

  constructor(
    private readonly sink: StreamSink,
    private readonly history: StreamHistory,
    private readonly limits: StreamLimits,
  ) {
    this.sent = new RecentIds(limits.maxReplay * 2);
  }

  /** A live event of this stream's user. */
  push(event: AnyEvent): void {
    if (this.closed) return;
    if (this.stepsPending > 0) {
      if (this.held.length < this.limits.maxReplay) this.held.push(event);
      else this.heldOverflowed = true;
      return;
    }
    this.deliver(event);
  }

  /**
   * Sends every event after `afterId` (none when null: the client starts from now), then
   * { type: "ready" }, then live events. Resumes run one after the other.
   */
  resume(afterId: string | null): Promise<void> {
    if (this.closed) return Promise.resolve();
    // However many resumes a client sends, at most one runs and one waits: the queue of work a
    // socket can cause stays bounded.
    if (this.waitingResume) {
      this.waitingResume.afterId = afterId;
      return this.waitingResume.done;
    }
    const waiting: { afterId: string | null; done: Promise<void> } = {
      afterId,
      done: Promise.resolve(),
    };
    this.waitingResume = waiting;
    waiting.done = this.exclusively(async () => {
      if (this.waitingResume === waiting) this.waitingResume = null;
      if (!this.closed) await this.replayFrom(waiting.afterId);
    });
    return waiting.done;
  }

  /** The client left: nothing more is read or sent for it. */
  close(): void {
    this.closed = true;
    this.held = [];
  }

  private async replayFrom(afterId: string | null): Promise<void> {
    if (afterId === null) return this.ready(await this.history.latestId());
    if (!(await this.history.reachesBackTo(afterId))) return this.resync();
    const missed = await this.history.since(afterId, this.limits.maxReplay + 1);
    if (missed.length > this.limits.maxReplay) return this.resync();
    for (const event of missed) this.deliver(event);
    return this.ready(missed.at(-1)?.id ?? afterId);
  }

  /** Called now and then (the heartbeat): a slow reader that caught up is told to reload. */
  async tick(): Promise<void> {
    if (
      !this.closed &&
      this.lagging &&
      this.sink.bufferedAmount < this.limits.maxBufferedBytes / 2
    ) {
      await this.exclusively(() => this.resync());
    }
  }

  private async exclusively(step: () => Promise<void>): Promise<void> {
    // Held from the moment the step is asked for, not from when it starts: a live event must not
    // overtake the missed ones it follows.
    this.stepsPending += 1;
    const run = this.work.then(step).finally(() => {
      this.stepsPending -= 1;
      if (this.stepsPending === 0) this.releaseHeld();
    });
    // One failed step must not stop the next.
    this.work = run.catch(() => {});
    return run;
  }

  private async ready(lastEventId: string | null): Promise<void> {
    // Too much happened while the missed events were read: reload rather than replay it all.
    if (this.heldOverflowed) return this.resync();
    this.control({ type: 'ready', lastEventId });
  }

  private async resync(): Promise<void> {
    const latest = await this.history.latestId();
    this.lagging = false;
    this.heldOverflowed = false;
    // Whatever is up to `latest` (events dropped on the way included: they were committed before
    // they were announced) comes with the reload; only newer events still need sending.
    this.held = this.held.filter((event) => latest === null || BigInt(event.id) > BigInt(latest));
    this.control({ type: 'resync', lastEventId: latest });
  }

  private releaseHeld(): void {
    const held = this.held;
    this.held = [];
    for (const event of held) this.deliver(event);
  }

  private deliver(event: AnyEvent): void {
    if (this.sent.has(event.id) || !this.sink.open || this.lagging) return;
    if (this.sink.bufferedAmount > this.limits.maxBufferedBytes) {
      this.lagging = true;
      return;
    }
    this.sent.add(event.id);
    this.sink.send(JSON.stringify({ id: event.id, type: event.type, payload: event.payload }));
  }

  private control(message: StreamReady | StreamResync): void {
    if (this.sink.open) this.sink.send(JSON.stringify(message));
  }
}
