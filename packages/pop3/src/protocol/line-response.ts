import { Pop3Error } from '../errors';
import type { ResponseHandler } from './response-handler';
import type { StatusLine } from './status-line';

/**
 * Awaits a single-line response. A "+" continuation is only acceptable inside a SASL
 * exchange; anywhere else it means the server is out of step.
 */
export class LineResponse implements ResponseHandler {
  readonly promise: Promise<StatusLine>;
  private resolve!: (line: StatusLine) => void;
  private reject!: (error: Pop3Error) => void;

  constructor(private readonly allowContinuation = false) {
    this.promise = new Promise<StatusLine>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  status(line: StatusLine): boolean {
    if (line.kind === 'continue' && !this.allowContinuation) {
      throw new Pop3Error('PROTOCOL', 'The server sent a SASL continuation outside authentication');
    }
    this.resolve(line);
    return false;
  }

  data(): void {}

  end(): void {}

  fail(error: Pop3Error): void {
    this.reject(error);
  }
}
