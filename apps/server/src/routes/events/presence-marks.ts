/**
 * Marks a user as having the app open at most once per `everyMs` in this process, however many
 * of their sockets beat: every tab of a user (and every beat of each) would otherwise write the
 * same rows again. A mark lasts well beyond `everyMs`, so the user stays marked throughout.
 */
export class PresenceMarks {
  private readonly recent = new Map<string, Promise<void>>();

  constructor(
    private readonly markUser: (userId: string) => Promise<void>,
    private readonly everyMs: number,
  ) {}

  /** Marks `userId` unless that was done in the last `everyMs`; settles when the mark is written. */
  mark(userId: string): Promise<void> {
    const recent = this.recent.get(userId);
    if (recent) return recent;
    const written = this.markUser(userId);
    this.recent.set(userId, written);
    const forget = () => {
      if (this.recent.get(userId) === written) this.recent.delete(userId);
    };
    // A failed mark is tried again at the next beat; a written one holds for `everyMs`.
    written.then(() => setTimeout(forget, this.everyMs).unref(), forget);
    return written;
  }
}
