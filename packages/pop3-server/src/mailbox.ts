import { deliveredBytes } from './message-encoding';
import type { ServerMessage } from './options';

/** A committed message. Sessions hold references, so UPDATE removes exactly what they saw. */
export interface StoredMessage {
  readonly body: Buffer;
  readonly uidl: string;
  /** What the client receives (body, plus CRLF when it does not end with one). */
  readonly delivered: Buffer;
}

/** Every user's committed messages, and which users have a session in TRANSACTION. */
export class MailboxStore {
  private readonly boxes = new Map<string, StoredMessage[]>();
  private readonly locked = new Set<string>();
  private nextUidl = 1;

  private store(message: ServerMessage): StoredMessage {
    return {
      body: message.body,
      uidl: message.uidl ?? `msg-${String(this.nextUidl++).padStart(6, '0')}`,
      delivered: deliveredBytes(message.body),
    };
  }

  messages(username: string): StoredMessage[] {
    return this.boxes.get(username) ?? [];
  }

  set(username: string, messages: ServerMessage[]): void {
    this.boxes.set(
      username,
      messages.map((message) => this.store(message)),
    );
  }

  add(username: string, message: ServerMessage): void {
    this.boxes.set(username, [...this.messages(username), this.store(message)]);
  }

  /** UPDATE state: drops the given messages; anything added meanwhile stays. */
  remove(username: string, gone: Set<StoredMessage>): void {
    this.boxes.set(
      username,
      this.messages(username).filter((message) => !gone.has(message)),
    );
  }

  /** The maildrop lock real servers take at login; false when another session holds it. */
  lock(username: string): boolean {
    if (this.locked.has(username)) return false;
    this.locked.add(username);
    return true;
  }

  unlock(username: string): void {
    this.locked.delete(username);
  }
}

/** One session's view: numbers fixed at login, DELE marks kept until QUIT or RSET. */
export class SessionMailbox {
  private readonly deleted = new Set<number>();

  constructor(
    readonly messages: readonly StoredMessage[],
    private readonly reportedSizes: Map<number, number>,
  ) {}

  /** The message for a 1-based number, or why there is none. */
  lookup(number: number): StoredMessage | 'no such message' | 'deleted' {
    const message = this.messages[number - 1];
    if (!Number.isInteger(number) || number < 1 || !message) return 'no such message';
    if (this.deleted.has(number)) return 'deleted';
    return message;
  }

  size(number: number): number {
    return this.reportedSizes.get(number) ?? this.messages[number - 1]?.delivered.length ?? 0;
  }

  /** Numbers of messages not marked deleted, ascending. */
  live(): number[] {
    return this.messages.map((_, i) => i + 1).filter((number) => !this.deleted.has(number));
  }

  totalSize(): number {
    return this.live().reduce((sum, number) => sum + this.size(number), 0);
  }

  markDeleted(number: number): void {
    this.deleted.add(number);
  }

  unmarkAll(): void {
    this.deleted.clear();
  }

  markedMessages(): Set<StoredMessage> {
    return new Set([...this.deleted].map((number) => this.messages[number - 1] as StoredMessage));
  }
}
