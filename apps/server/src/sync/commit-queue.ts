export interface CommitQueueLimits {
  /** A batch closes at this many items... */
  items: number;
  /** ...or at this many bytes, whichever comes first (one larger item is a batch of its own). */
  bytes: number;
  /** Batches in the database at once. */
  inFlight: number;
}

/**
 * Group commit: items are committed in batches while the next ones arrive. Up to `inFlight`
 * batches are in the database at a time; whatever arrives meanwhile waits and goes in the next
 * one, so a slow source commits each item at once and a fast one fills batches. `add` waits (and
 * so holds up the source) only while the waiting batch is full. A failed commit is thrown by the
 * next `add` or `flush`; no batch is started after it.
 */
export class CommitQueue<T> {
  private waiting: T[] = [];
  private waitingBytes = 0;
  private readonly committing = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly commit: (batch: T[]) => Promise<void>,
    private readonly limits: CommitQueueLimits,
  ) {}

  async add(item: T, bytes: number): Promise<void> {
    this.throwIfFailed();
    this.waiting.push(item);
    this.waitingBytes += bytes;
    while (this.committing.size >= this.limits.inFlight && this.isFull()) {
      await Promise.race(this.committing);
    }
    this.throwIfFailed();
    this.commitWaiting();
  }

  /** Commits everything added so far and waits for it. */
  async flush(): Promise<void> {
    for (;;) {
      this.throwIfFailed();
      this.commitWaiting();
      if (this.committing.size > 0) await Promise.race(this.committing);
      else if (this.waiting.length === 0 || this.failure) return;
    }
  }

  private isFull(): boolean {
    return this.waiting.length >= this.limits.items || this.waitingBytes >= this.limits.bytes;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  private commitWaiting(): void {
    if (this.failure || this.waiting.length === 0) return;
    if (this.committing.size >= this.limits.inFlight) return;
    const batch = this.waiting;
    this.waiting = [];
    this.waitingBytes = 0;
    const done: Promise<void> = this.commit(batch).then(
      () => {
        this.committing.delete(done);
        this.commitWaiting();
      },
      (error: unknown) => {
        this.failure ??= { error };
        this.committing.delete(done);
      },
    );
    this.committing.add(done);
  }
}
