/**
 * Work that must run in order but need not hold up its caller (a synced batch's events): each
 * piece starts when the one before it is done. The first failure stops the rest and is thrown by
 * `throwIfFailed` and `settled`.
 */
export class Announcements {
  private last: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;

  add(work: () => Promise<void>): void {
    this.last = this.last.then(async () => {
      if (this.failure) return;
      try {
        await work();
      } catch (error) {
        this.failure = { error };
      }
    });
  }

  throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Waits for everything added so far. */
  async settled(): Promise<void> {
    await this.last;
    this.throwIfFailed();
  }
}
