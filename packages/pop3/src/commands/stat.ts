import type { Pop3Connection } from '../connection';
import { Pop3Error } from '../errors';
import { sendExpectingOk } from './exchange';

export interface MaildropStat {
  /** Number of messages (not counting those marked deleted). */
  count: number;
  /** Total size in octets, as the server counts them. */
  size: number;
}

export async function stat(connection: Pop3Connection): Promise<MaildropStat> {
  const text = await sendExpectingOk(connection, 'STAT');
  const match = /^(\d+)\s+(\d+)/.exec(text);
  if (!match) throw new Pop3Error('PROTOCOL', `Unreadable STAT answer: ${JSON.stringify(text)}`);
  return { count: Number(match[1]), size: Number(match[2]) };
}
