import { createHash } from 'node:crypto';

/** How the load server's mailboxes fill: a few messages at the start, then one more now and then. */
export interface MailboxClock {
  /** When the server started (ms since the epoch): every mailbox holds `initial` messages then. */
  startedAt: number;
  initial: number;
  /** One new message per mailbox every this many ms, each mailbox at its own phase. */
  everyMs: number;
}

export const DEFAULT_MAILBOX_CLOCK: Omit<MailboxClock, 'startedAt'> = {
  initial: 3,
  everyMs: 3_600_000,
};

export interface LoadMessage {
  uidl: string;
  /** As delivered: CRLF line ends, the last line ended, no line starting with a dot. */
  bytes: Buffer;
}

/** A number from 0 to 1 fixed for a name: mailboxes get their new mail at different moments. */
function phaseOf(user: string): number {
  return createHash('sha1').update(user).digest().readUInt32BE(0) / 0x1_0000_0000;
}

/** How many messages `user` has received by `now` (none are ever removed from this count). */
export function messageCount(clock: MailboxClock, user: string, now: number): number {
  const elapsed = Math.max(0, now - clock.startedAt) + phaseOf(user) * clock.everyMs;
  return clock.initial + Math.floor(elapsed / clock.everyMs);
}

/** The `index`th message (from 1) of `user`: small, plain text, the same bytes every time. */
export function messageOf(user: string, index: number): LoadMessage {
  const text = [
    `From: Sender ${index} <sender${index}@load.example>`,
    `To: ${user}@load.example`,
    `Subject: Load message ${index} for ${user}`,
    `Date: ${new Date(Date.UTC(2026, 0, 1, 0, index)).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${user}.${index}@load.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Hello ${user}, this is message ${index}.`,
    'A few words so that it is a small message like most notifications.',
    '',
  ].join('\r\n');
  return { uidl: `${user}-${index}`, bytes: Buffer.from(text) };
}
