import type { Dovecot, MaildirMessageFile } from '@popgate/dovecot-harness';
import type { SinkMaildir } from './sink';

export interface DeliveredMessage extends MaildirMessageFile {
  /** The Dovecot user whose maildir holds it; undefined for the sink. */
  username?: string;
}

/** A Dovecot username, or a test over every delivered message (users' and the sink's). */
export type DeliveryMatch = string | ((message: DeliveredMessage) => boolean);

/**
 * Polls the maildirs for a delivery. Each message is handed out once, so waiting twice for
 * `'user'` waits for two messages, also when the first arrived before the first call.
 */
export class DeliveryWatcher {
  private readonly seen = new Set<string>();

  constructor(
    private readonly dovecot: Dovecot,
    private readonly sink: SinkMaildir,
    private readonly tail: () => Promise<string>,
  ) {}

  private async candidates(match: DeliveryMatch): Promise<DeliveredMessage[]> {
    if (typeof match === 'string') {
      return (await this.dovecot.messageFiles(match)).map((file) => ({ ...file, username: match }));
    }
    const all: DeliveredMessage[] = [];
    for (const { username } of this.dovecot.users) {
      for (const file of await this.dovecot.messageFiles(username)) all.push({ ...file, username });
    }
    all.push(...(await this.sink.list()));
    return all.filter(match);
  }

  async wait(match: DeliveryMatch, timeoutMs: number): Promise<DeliveredMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.candidates(match)).find(
        (message) => !this.seen.has(`${message.username ?? ''}/${message.uidl}`),
      );
      if (found) {
        this.seen.add(`${found.username ?? ''}/${found.uidl}`);
        return found;
      }
      if (Date.now() >= deadline) {
        const what = typeof match === 'string' ? `for ${match}` : 'matching the test';
        throw new Error(
          `no message ${what} was delivered within ${timeoutMs} ms; Postfix's log ends:\n${await this.tail()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
