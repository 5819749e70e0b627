import type { Pop3Error } from '../errors';
import type { StatusLine } from './status-line';

/**
 * Receives one server response. The reader calls `status` once; if it returns true, a
 * multi-line body follows and arrives through `data` until `end`. `fail` is called
 * instead when the connection breaks before the response is complete.
 */
export interface ResponseHandler {
  status(line: StatusLine): boolean;
  data(piece: Buffer): void;
  end(): void;
  fail(error: Pop3Error): void;
}
