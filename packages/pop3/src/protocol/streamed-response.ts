import { Readable } from 'node:stream';
import type { Pop3Connection } from '../connection';
import { Pop3Error } from '../errors';
import type { ResponseHandler } from './response-handler';
import { errorFromNegativeResponse } from './response-code';
import type { StatusLine } from './status-line';

/**
 * Hands a multi-line body to a Readable as it arrives. A slow reader pauses the socket
 * (memory stays bounded by the stream's high-water mark plus one chunk). If the reader
 * destroys the stream early, the rest of the body is still consumed and dropped so the
 * connection stays in step.
 */
export class StreamedResponse implements ResponseHandler {
  readonly stream: Readable;
  /** Settles when the response is over, whether the reader kept up or not. */
  readonly done: Promise<void>;
  private markDone!: () => void;
  private finished = false;

  constructor(
    private readonly connection: Pop3Connection,
    private readonly command: string,
    private readonly onError: (error: Pop3Error) => void,
  ) {
    this.done = new Promise<void>((resolve) => (this.markDone = resolve));
    this.stream = new Readable({
      read: () => this.connection.resumeReading(),
      destroy: (error, callback) => {
        // Abandoned mid-body: keep reading so the rest can be skipped.
        if (!this.finished) this.connection.resumeReading();
        callback(error);
      },
    });
  }

  status(line: StatusLine): boolean {
    if (line.kind === 'ok') return true;
    if (line.kind === 'continue') {
      throw new Pop3Error('PROTOCOL', 'The server sent a SASL continuation outside authentication');
    }
    this.finishWith(errorFromNegativeResponse(line.text, this.command));
    return false;
  }

  data(piece: Buffer): void {
    if (this.stream.destroyed) return;
    if (!this.stream.push(piece)) this.connection.pauseReading();
  }

  end(): void {
    this.finished = true;
    this.markDone();
    if (!this.stream.destroyed) this.stream.push(null);
  }

  fail(error: Pop3Error): void {
    this.finishWith(error);
  }

  private finishWith(error: Pop3Error): void {
    this.finished = true;
    this.markDone();
    this.onError(error);
    if (!this.stream.destroyed) this.stream.destroy(error);
  }
}
