import { Pop3Error } from '../errors';
import { MultilineDecoder, type MultilineLimits } from './multiline-decoder';
import type { ResponseHandler } from './response-handler';
import { parseStatusLine, type StatusLine } from './status-line';

const LF = 0x0a;

/** Tells the reader whose response is arriving, and learns when it is complete. */
export interface ResponseSequence {
  /** The handler of the oldest response not yet complete, or undefined if none is awaited. */
  current(): ResponseHandler | undefined;
  /** The current response is complete; the next one belongs to the next handler. */
  completed(): void;
  /** Observes every status line (for logging). */
  observe?(line: StatusLine): void;
}

/**
 * Splits the byte stream from the server into responses: status lines, and the
 * dot-terminated bodies that follow some of them. Throws a Pop3Error when the server
 * breaks the protocol or a limit; the stream cannot be trusted after that.
 */
export class ResponseReader {
  private readonly decoder: MultilineDecoder;
  private readonly maxLineBytes: number;
  private partialLine: Buffer[] = [];
  private partialBytes = 0;
  private bodyHandler: ResponseHandler | undefined;
  private discarding = false;
  private readonly emitToBody = (piece: Buffer): void => this.bodyHandler!.data(piece);

  constructor(
    limits: MultilineLimits,
    private readonly sequence: ResponseSequence,
  ) {
    this.decoder = new MultilineDecoder(limits);
    this.maxLineBytes = limits.maxLineBytes;
  }

  /**
   * Ignores everything received from now on until `restart`. Used after STLS: bytes that
   * arrive in clear text before the handshake could have been injected by anyone on the path.
   */
  discardUntilRestart(): void {
    this.discarding = true;
    this.partialLine = [];
    this.partialBytes = 0;
  }

  restart(): void {
    this.discarding = false;
    this.partialLine = [];
    this.partialBytes = 0;
    this.bodyHandler = undefined;
    this.decoder.reset();
  }

  feed(chunk: Buffer): void {
    let position = 0;
    const length = chunk.length;
    while (position < length && !this.discarding) {
      const bodyHandler = this.bodyHandler;
      if (bodyHandler) {
        const after = this.decoder.push(chunk, position, this.emitToBody);
        if (after === -1) return;
        position = after;
        this.bodyHandler = undefined;
        this.sequence.completed();
        bodyHandler.end();
        continue;
      }
      const lineBreak = chunk.indexOf(LF, position);
      if (lineBreak === -1) {
        this.holdPartialLine(chunk.subarray(position));
        return;
      }
      const line = this.completeLine(chunk.subarray(position, lineBreak));
      position = lineBreak + 1;
      this.dispatchStatus(line);
    }
  }

  private dispatchStatus(line: Buffer): void {
    const handler = this.sequence.current();
    if (!handler) {
      const status = safeParse(line);
      throw new Pop3Error(
        'PROTOCOL',
        `The server sent a line nobody asked for: ${status ? JSON.stringify(status.text.slice(0, 80)) : 'unreadable'}`,
      );
    }
    const status = parseStatusLine(line);
    this.sequence.observe?.(status);
    if (handler.status(status)) {
      this.bodyHandler = handler;
      this.decoder.reset();
    } else {
      this.sequence.completed();
    }
  }

  private holdPartialLine(piece: Buffer): void {
    this.partialBytes += piece.length;
    if (this.partialBytes > this.maxLineBytes) throw lineTooLong(this.maxLineBytes);
    this.partialLine.push(piece);
  }

  private completeLine(tail: Buffer): Buffer {
    if (this.partialLine.length === 0) {
      if (tail.length > this.maxLineBytes) throw lineTooLong(this.maxLineBytes);
      return tail;
    }
    const total = this.partialBytes + tail.length;
    if (total > this.maxLineBytes) throw lineTooLong(this.maxLineBytes);
    this.partialLine.push(tail);
    const line = Buffer.concat(this.partialLine, total);
    this.partialLine = [];
    this.partialBytes = 0;
    return line;
  }
}

function safeParse(line: Buffer): StatusLine | undefined {
  try {
    return parseStatusLine(line);
  } catch {
    return undefined;
  }
}

function lineTooLong(limit: number): Pop3Error {
  return new Pop3Error(
    'LIMIT_EXCEEDED',
    `The server sent a line longer than ${limit} bytes (limits.maxLineBytes)`,
    { limit: 'maxLineBytes' },
  );
}
