import type { Pop3Connection, RequestOptions } from '../connection';
import type { Pop3ErrorCode } from '../errors';
import { CollectedResponse, type CollectedBody } from '../protocol/collected-response';
import { LineResponse } from '../protocol/line-response';
import { errorFromNegativeResponse } from '../protocol/response-code';
import type { StatusLine } from '../protocol/status-line';

/**
 * Sends a command that is answered by one line, and returns that line whatever it says.
 * A null line sends nothing: the greeting is the answer to connecting.
 */
export function sendForLine(
  connection: Pop3Connection,
  line: string | null,
  options: RequestOptions & { allowContinuation?: boolean } = {},
): Promise<StatusLine> {
  const response = new LineResponse(options.allowContinuation ?? false);
  connection.request(line, response, options);
  return response.promise;
}

/** Sends a command answered by +OK and a multi-line body, or by -ERR alone. */
export function sendForBody(
  connection: Pop3Connection,
  line: string,
  options: RequestOptions = {},
): Promise<CollectedBody> {
  const response = new CollectedResponse();
  connection.request(line, response, options);
  return response.promise;
}

/** Throws the typed error for a -ERR; returns the text of a +OK. */
export function expectOk(
  status: StatusLine,
  command: string,
  fallback: Pop3ErrorCode = 'COMMAND_FAILED',
): string {
  if (status.kind === 'err') throw errorFromNegativeResponse(status.text, command, fallback);
  return status.text;
}

/** Sends a single-line command and requires +OK. */
export async function sendExpectingOk(
  connection: Pop3Connection,
  line: string,
  options: RequestOptions & { fallback?: Pop3ErrorCode } = {},
): Promise<string> {
  const status = await sendForLine(connection, line, options);
  return expectOk(status, options.logAs ?? line, options.fallback);
}

/** Sends a multi-line command and requires +OK; returns the body. */
export async function sendExpectingBody(connection: Pop3Connection, line: string): Promise<Buffer> {
  const { status, body } = await sendForBody(connection, line);
  expectOk(status, line);
  return body!;
}

/** Validates a message number before it goes on the wire. */
export function messageNumber(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`A message number is a positive integer, not ${String(value)}`);
  }
  return value;
}

/** Refuses values that would end the command line early and smuggle in another command. */
export function singleLineArgument(value: string, what: string): string {
  if (/[\r\n\0]/.test(value)) throw new RangeError(`${what} must not contain line breaks or NUL`);
  return value;
}
