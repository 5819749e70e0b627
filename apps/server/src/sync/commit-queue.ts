export interface CommitQueueLimits {
  /** A batch closes at this many items... */
  items: number;
  /** ...or at this many bytes, whichever comes first (one larger item is a batch of its own). */
  bytes: number;
}

/**
 * Group commit: items are committed in batches while the next ones arrive. One batch is in the
 * database at a time; whatever arrives meanwhile waits and goes in the next one, so a slow
 * source commits each item at once and a fast one fills batches. `add` waits (and so holds up
 * the source) only while the waiting batch is full. A failed commit is thrown by the next
 * `add` or `flush`; nothing after it is committed.
 */
export class CommitQueue<T> {
  private waiting: T[] = [];
  private waitingBytes = 0;
  private committing: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly commit: (batch: T[]) => Promise<void>,
    private readonly limits: CommitQueueLimits,
  ) {}

  async add(item: T, bytes: number): Promise<void> {
    this.throwIfFailed();
    this.waiting.push(item);
    this.waitingBytes += bytes;
    while (this.committing && this.isFull()) await this.committing;
    this.throwIfFailed();
    if (!this.committing) this.commitWaiting();
  }

  /** Commits everything added so far and waits for it. */
  async flush(): Promise<void> {
    for (;;) {
      this.throwIfFailed();
      if (this.committing) await this.committing;
      else if (this.waiting.length > 0) this.commitWaiting();
      else return;
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
    const batch = this.waiting;
    this.waiting = [];
    this.waitingBytes = 0;
    this.committing = this.commit(batch).then(
      () => {
        this.committing = null;
        this.commitWaiting();
      },
      (error: unknown) => {
        this.failure = { error };
        this.committing = null;
      },
    );
  }
}
