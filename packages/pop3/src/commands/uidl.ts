import type { Pop3Connection } from '../connection';
import { Pop3Error } from '../errors';
import { textLines } from '../protocol/text-lines';
import { messageNumber, sendExpectingBody, sendExpectingOk } from './exchange';

export interface MessageUid {
  number: number;
  /** The server's unique id for the message, stable across sessions (RFC 1939 section 7). */
  uid: string;
}

function parseUidListing(text: string): MessageUid {
  const match = /^\s*(\d+)\s+(\S+)/.exec(text);
  if (!match) throw new Pop3Error('PROTOCOL', `Unreadable UIDL line: ${JSON.stringify(text)}`);
  return { number: Number(match[1]), uid: match[2]! };
}

export async function uidlAll(connection: Pop3Connection): Promise<MessageUid[]> {
  const body = await sendExpectingBody(connection, 'UIDL');
  // One pass: a maildrop of ten thousand is read at every poll.
  const uids: MessageUid[] = [];
  for (const line of textLines(body)) if (line.trim() !== '') uids.push(parseUidListing(line));
  return uids;
}

export async function uidlOne(connection: Pop3Connection, number: number): Promise<MessageUid> {
  return parseUidListing(await sendExpectingOk(connection, `UIDL ${messageNumber(number)}`));
}
