import type { Pop3Connection } from '../connection';
import { Pop3Error } from '../errors';
import { textLines } from '../protocol/text-lines';
import { messageNumber, sendExpectingBody, sendExpectingOk } from './exchange';

export interface MessageUid {
  number: number;
  /** The server's unique id for the message, stable across sessions (RFC 1939 section 7). */
  uid: string;
}

const ZERO = 0x30;
const NINE = 0x39;
const SPACE = 0x20;

/** "n uid" exactly as RFC 1939 writes it, read without a regular expression; null otherwise. */
function parsePlainListing(text: string): MessageUid | null {
  const space = text.indexOf(' ');
  if (space <= 0 || space === text.length - 1) return null;
  for (let i = 0; i < space; i++) {
    const code = text.charCodeAt(i);
    if (code < ZERO || code > NINE) return null;
  }
  for (let i = space + 1; i < text.length; i++) if (text.charCodeAt(i) <= SPACE) return null;
  return { number: Number(text.slice(0, space)), uid: text.slice(space + 1) };
}

export function parseUidListing(text: string): MessageUid {
  // A maildrop lists thousands of these at every poll: the plain form goes the short way.
  const plain = parsePlainListing(text);
  if (plain) return plain;
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
