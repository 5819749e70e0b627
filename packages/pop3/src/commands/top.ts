import type { Pop3Connection } from '../connection';
import { messageNumber, sendExpectingBody } from './exchange';

export function topCommand(number: number, lines: number): string {
  if (!Number.isSafeInteger(lines) || lines < 0) {
    throw new RangeError(`TOP takes a line count of zero or more, not ${String(lines)}`);
  }
  return `TOP ${messageNumber(number)} ${lines}`;
}

/** TOP: the header, a blank line, and the first `lines` lines of the body. */
export function top(connection: Pop3Connection, number: number, lines: number): Promise<Buffer> {
  return sendExpectingBody(connection, topCommand(number, lines));
}
