import { Pop3Error } from '../errors';

/**
 * One server line that starts a response: "+OK ...", "-ERR ..." or, during SASL,
 * a continuation "+ <base64>".
 */
export type StatusLine =
  { kind: 'ok'; text: string } | { kind: 'err'; text: string } | { kind: 'continue'; text: string };

const PLUS = 0x2b;
const MINUS = 0x2d;
const SPACE = 0x20;
const CR = 0x0d;

/** Strips one trailing CR: the line splitter already removed the LF. */
function withoutCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, -1) : line;
}

function startsWithIgnoringCase(line: Buffer, word: string): boolean {
  if (line.length < word.length) return false;
  for (let i = 0; i < word.length; i++) {
    const byte = line[i]!;
    const lower = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
    if (lower !== word.charCodeAt(i)) return false;
  }
  return true;
}

function restAfter(line: Buffer, length: number): string {
  if (line.length === length) return '';
  // Status text may be UTF-8 after the UTF8 command; it is short, so decoding it is cheap.
  return line.toString('utf8', line[length] === SPACE ? length + 1 : length);
}

/**
 * Parses a status line (LF already removed). Indicators are matched without regard to
 * case because some servers send "+ok". Anything else is not POP3.
 */
export function parseStatusLine(rawLine: Buffer): StatusLine {
  const line = withoutCarriageReturn(rawLine);
  const first = line[0];
  if (first === PLUS) {
    if (startsWithIgnoringCase(line, '+ok') && (line.length === 3 || line[3] === SPACE)) {
      return { kind: 'ok', text: restAfter(line, 3) };
    }
    if (line.length === 1 || line[1] === SPACE)
      return { kind: 'continue', text: restAfter(line, 1) };
  } else if (first === MINUS) {
    if (startsWithIgnoringCase(line, '-err') && (line.length === 4 || line[4] === SPACE)) {
      return { kind: 'err', text: restAfter(line, 4) };
    }
  }
  throw new Pop3Error(
    'PROTOCOL',
    `The server sent a line that is not a POP3 response: ${describeLine(line)}`,
  );
}

/** A short, printable rendering of a line for error messages. */
export function describeLine(line: Buffer): string {
  const shown = line
    .subarray(0, 80)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(line.length > 80 ? `${shown}...` : shown);
}
