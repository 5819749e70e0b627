import { Pop3Error } from '../errors';

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const LINE_START_DOT = Buffer.from('\n.', 'latin1');
const HELD_DOT = Buffer.from('.', 'latin1');
const HELD_DOT_CR = Buffer.from('.\r', 'latin1');

// Where the previous chunk left off.
const MID_LINE = 0;
const LINE_START = 1;
const AFTER_DOT = 2; // a line began with "." and the chunk ended
const AFTER_DOT_CR = 3; // a line began with ".\r" and the chunk ended

export interface MultilineLimits {
  maxLineBytes: number;
  maxBodyBytes: number;
}

/**
 * Decodes one multi-line POP3 body from the chunks the socket delivers, without
 * copying: it hands out views of the chunks, minus the stuffing dots.
 *
 * Rules (RFC 1939 section 3, read byte-exactly): a line ends at LF, so a bare LF sent
 * by the server stays a line break and stays in the data; a line that is exactly
 * ".CRLF" ends the body; a line that starts with ".." loses its first dot; every other
 * byte, including the CRLF before the terminator, belongs to the message. Lines that
 * start with a single dot followed by something else are kept as sent: a server that
 * forgot to stuff meant the dot to be there.
 */
export class MultilineDecoder {
  private state = LINE_START;
  private lineBytes = 0;
  private bodyBytes = 0;

  constructor(private readonly limits: MultilineLimits) {}

  /** Prepares for the next body. */
  reset(): void {
    this.state = LINE_START;
    this.lineBytes = 0;
    this.bodyBytes = 0;
  }

  /**
   * Consumes `chunk` from `start`, calling `emit` with each piece of unstuffed data (mostly
   * views into `chunk`). Returns the offset just past the
   * terminating line, or -1 when every byte was consumed and the body goes on.
   * Throws LIMIT_EXCEEDED when a line or the body grows past the limits.
   */
  push(chunk: Buffer, start: number, emit: (piece: Buffer) => void): number {
    const end = chunk.length;
    if (start >= end) return -1;

    let segmentStart = start;
    let searchFrom = start;
    let lineStart = -1;

    switch (this.state) {
      case LINE_START:
        lineStart = start;
        break;
      case AFTER_DOT: {
        const next = chunk[start];
        if (next === DOT) {
          // "..": the held dot was stuffing.
          segmentStart = start;
          searchFrom = start + 1;
        } else if (next === CR) {
          if (start + 1 >= end) {
            this.state = AFTER_DOT_CR;
            this.account(chunk, start, end);
            return -1;
          }
          if (chunk[start + 1] === LF) return this.finish(chunk, start, start + 2);
          emit(Buffer.from(HELD_DOT));
        } else {
          emit(Buffer.from(HELD_DOT));
          if (next === LF) lineStart = start + 1;
        }
        break;
      }
      case AFTER_DOT_CR:
        if (chunk[start] === LF) return this.finish(chunk, start, start + 1);
        emit(Buffer.from(HELD_DOT_CR));
        break;
    }
    this.state = MID_LINE;

    for (;;) {
      if (lineStart === -1) {
        const found = chunk.indexOf(LINE_START_DOT, searchFrom);
        if (found === -1) {
          if (segmentStart < end) emit(chunk.subarray(segmentStart, end));
          this.state = chunk[end - 1] === LF ? LINE_START : MID_LINE;
          this.account(chunk, start, end);
          return -1;
        }
        lineStart = found + 1;
      }
      const at = lineStart;
      lineStart = -1;
      if (at >= end) {
        if (segmentStart < end) emit(chunk.subarray(segmentStart, end));
        this.state = LINE_START;
        this.account(chunk, start, end);
        return -1;
      }
      if (chunk[at] !== DOT) {
        searchFrom = at;
        continue;
      }
      if (at > segmentStart) emit(chunk.subarray(segmentStart, at));
      if (at + 1 >= end) {
        this.state = AFTER_DOT;
        this.account(chunk, start, end);
        return -1;
      }
      const second = chunk[at + 1];
      if (second === DOT) {
        segmentStart = at + 1;
        searchFrom = at + 2;
        continue;
      }
      if (second === CR) {
        if (at + 2 >= end) {
          this.state = AFTER_DOT_CR;
          this.account(chunk, start, end);
          return -1;
        }
        if (chunk[at + 2] === LF) return this.finish(chunk, start, at + 3);
        segmentStart = at;
        searchFrom = at + 2;
        continue;
      }
      segmentStart = at;
      if (second === LF) lineStart = at + 2;
      else searchFrom = at + 1;
    }
  }

  private finish(chunk: Buffer, start: number, after: number): number {
    this.account(chunk, start, after);
    this.reset();
    return after;
  }

  /** Enforces the limits on the wire bytes chunk[start, end) just consumed. */
  private account(chunk: Buffer, start: number, end: number): void {
    const length = end - start;
    this.bodyBytes += length;
    if (this.bodyBytes > this.limits.maxBodyBytes) {
      throw new Pop3Error(
        'LIMIT_EXCEEDED',
        `The server sent more than ${this.limits.maxBodyBytes} bytes in one answer (limits.maxMessageBytes)`,
        { limit: 'maxMessageBytes' },
      );
    }
    // Fast path: no line in this range can be over the limit, so only the tail matters.
    if (this.lineBytes + length <= this.limits.maxLineBytes) {
      const lastBreak = chunk.lastIndexOf(LF, end - 1);
      this.lineBytes = lastBreak < start ? this.lineBytes + length : end - lastBreak - 1;
      return;
    }
    let lineFrom = start;
    for (;;) {
      const lineBreak = chunk.indexOf(LF, lineFrom);
      const lineEnd = lineBreak === -1 || lineBreak >= end ? end : lineBreak;
      this.lineBytes += lineEnd - lineFrom;
      if (this.lineBytes > this.limits.maxLineBytes) {
        throw new Pop3Error(
          'LIMIT_EXCEEDED',
          `The server sent a line longer than ${this.limits.maxLineBytes} bytes (limits.maxLineBytes)`,
          { limit: 'maxLineBytes' },
        );
      }
      if (lineEnd === end) return;
      this.lineBytes = 0;
      lineFrom = lineEnd + 1;
    }
  }
}
