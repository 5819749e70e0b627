import { Pop3Error } from '../errors';
import type { ResponseHandler } from './response-handler';
import type { StatusLine } from './status-line';

export interface CollectedBody {
  status: StatusLine;
  /** The unstuffed body, or null when the server answered -ERR (no body follows). */
  body: Buffer | null;
}

/** Awaits a multi-line response and gathers its body into one Buffer. */
export class CollectedResponse implements ResponseHandler {
  readonly promise: Promise<CollectedBody>;
  private resolve!: (value: CollectedBody) => void;
  private reject!: (error: Pop3Error) => void;
  private pieces: Buffer[] = [];
  private bytes = 0;
  private statusLine: StatusLine | undefined;

  constructor() {
    this.promise = new Promise<CollectedBody>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  status(line: StatusLine): boolean {
    if (line.kind === 'continue') {
      throw new Pop3Error('PROTOCOL', 'The server sent a SASL continuation outside authentication');
    }
    if (line.kind === 'err') {
      this.resolve({ status: line, body: null });
      return false;
    }
    this.statusLine = line;
    return true;
  }

  data(piece: Buffer): void {
    this.pieces.push(piece);
    this.bytes += piece.length;
  }

  end(): void {
    // Always a copy: the pieces are views of socket chunks that also hold other responses.
    const body = Buffer.concat(this.pieces, this.bytes);
    this.pieces = [];
    this.resolve({ status: this.statusLine!, body });
  }

  fail(error: Pop3Error): void {
    this.pieces = [];
    this.reject(error);
  }
}
