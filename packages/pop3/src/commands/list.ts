import type { Pop3Connection } from '../connection';
import { Pop3Error } from '../errors';
import { textLines } from '../protocol/text-lines';
import { messageNumber, sendExpectingBody, sendExpectingOk } from './exchange';

export interface MessageSize {
  number: number;
  /** Size in octets as the server reports it: advisory, the real bytes may differ. */
  size: number;
}

function parseScanListing(text: string): MessageSize {
  const match = /^\s*(\d+)\s+(\d+)/.exec(text);
  if (!match) throw new Pop3Error('PROTOCOL', `Unreadable LIST line: ${JSON.stringify(text)}`);
  return { number: Number(match[1]), size: Number(match[2]) };
}

export async function listAll(connection: Pop3Connection): Promise<MessageSize[]> {
  const body = await sendExpectingBody(connection, 'LIST');
  return textLines(body)
    .filter((line) => line.trim() !== '')
    .map(parseScanListing);
}

export async function listOne(connection: Pop3Connection, number: number): Promise<MessageSize> {
  return parseScanListing(await sendExpectingOk(connection, `LIST ${messageNumber(number)}`));
}
