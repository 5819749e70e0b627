import type { Readable } from 'node:stream';
import type { ImportItem } from './import-item';

/*
 * Reads mbox (mboxo, mboxrd, Google Takeout's, Thunderbird's) from a stream of bytes: a message
 * starts at a "From " line at the start of the file or after an empty line; ">From " lines lose
 * one ">" (mboxrd's quoting; mboxo's ">From " becomes "From ", as every reader does); the empty
 * line before the next "From " ends the message and is not part of it. The From line itself may
 * be in any encoding: only its first five bytes are read. Memory holds one message at most:
 * past `maxMessageBytes` the rest of it is skipped and reported.
 */

const FROM_ = Buffer.from('From ');
const BLOCK = 256 * 1024;
const startsWithFrom = (line: Buffer) => line.length >= 5 && line.compare(FROM_, 0, 5, 0, 5) === 0;
/** ">…>From ": drop one ">". */
function unquote(line: Buffer): Buffer {
  let at = 0;
  while (at < line.length && line[at] === 0x3e) at++;
  return at > 0 && line.length - at >= 5 && line.compare(FROM_, 0, 5, at, at + 5) === 0
    ? line.subarray(1)
    : line;
}
const isEmptyLine = (line: Buffer) =>
  (line.length === 1 && line[0] === 0x0a) ||
  (line.length === 2 && line[0] === 0x0d && line[1] === 0x0a);

export async function* readMbox(
  input: Readable,
  maxMessageBytes: number,
): AsyncGenerator<ImportItem> {
  let parts: Buffer[] = [];
  let block: Buffer | null = null;
  let used = 0;
  let size = 0;
  let started = false;
  let tooLarge = false;
  let number = 0;
  let previousEmpty = true;
  /** An empty line kept back: it ends the message if a From line follows. */
  let heldEmpty: Buffer | null = null;

  const finish = (complete: boolean): ImportItem | null => {
    if (!started) return null;
    const where = `message ${number}`;
    if (block) parts.push(block.subarray(0, used));
    const raw = Buffer.concat(parts);
    parts = [];
    block = null;
    size = 0;
    if (tooLarge) {
      tooLarge = false;
      return {
        kind: 'unreadable',
        where,
        reason: `larger than the ${Math.round(maxMessageBytes / 1048576)} MB a message may have`,
      };
    }
    if (!complete)
      return {
        kind: 'unreadable',
        where,
        reason: 'the file ends inside this message (is it cut off?)',
      };
    return { kind: 'message', where, raw };
  };

  let reportedPreamble = false;
  const line = (bytes: Buffer): ImportItem | null => {
    let done: ImportItem | null = null;
    if (previousEmpty && startsWithFrom(bytes)) {
      heldEmpty = null;
      done = finish(true);
      started = true;
      number++;
    } else if (!started) {
      if (!isEmptyLine(bytes) && !reportedPreamble) {
        reportedPreamble = true;
        done = {
          kind: 'unreadable',
          where: 'start of the file',
          reason: 'text before the first "From " line (not an mbox there?) was skipped',
        };
      }
    } else {
      if (heldEmpty) append(heldEmpty);
      heldEmpty = isEmptyLine(bytes) ? bytes : null;
      if (!heldEmpty) append(unquote(bytes));
    }
    previousEmpty = isEmptyLine(bytes);
    return done;
  };
  const append = (bytes: Buffer) => {
    if (tooLarge) return;
    size += bytes.length;
    if (size > maxMessageBytes) {
      tooLarge = true;
      parts = [];
      block = null;
      return;
    }
    // Lines are copied into blocks: a Buffer per line costs more than the line for short ones.
    if (!block || block.length - used < bytes.length) {
      if (block) parts.push(block.subarray(0, used));
      block = Buffer.allocUnsafe(Math.max(BLOCK, bytes.length));
      used = 0;
    }
    bytes.copy(block, used);
    used += bytes.length;
  };

  /** The start of a line not ended yet (its pieces), and its length. */
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let longLine = false;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(0x0a, start);
      if (end < 0) {
        if (!longLine) {
          pending.push(Buffer.from(chunk.subarray(start)));
          pendingSize += chunk.length - start;
        }
        // A line longer than a message may be: its message is too large; the line is dropped.
        if (pendingSize > maxMessageBytes && !longLine) {
          longLine = true;
          if (started) {
            tooLarge = true;
            parts = [];
            block = null;
          }
          pending = [];
        }
        break;
      }
      const bytes =
        pending.length > 0
          ? Buffer.concat([...pending, chunk.subarray(start, end + 1)])
          : chunk.subarray(start, end + 1);
      pending = [];
      pendingSize = 0;
      if (longLine) {
        longLine = false;
        previousEmpty = false;
      } else {
        const item = line(bytes);
        if (item) yield item;
      }
      start = end + 1;
    }
  }
  if (pendingSize > 0 || longLine) {
    // The last line has no newline: a message cut off.
    if (started && !longLine) append(Buffer.concat(pending));
    const item = finish(false);
    if (item) yield item;
    return;
  }
  const item = finish(true);
  if (item) yield item;
}
