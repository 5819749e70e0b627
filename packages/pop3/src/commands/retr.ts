import type { Pop3Connection } from '../connection';
import { messageNumber, sendExpectingBody } from './exchange';

export function retrCommand(number: number): string {
  return `RETR ${messageNumber(number)}`;
}

/** RETR: the whole message, exactly as stored (dot-unstuffed). */
export function retr(connection: Pop3Connection, number: number): Promise<Buffer> {
  return sendExpectingBody(connection, retrCommand(number));
}
