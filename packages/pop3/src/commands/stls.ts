import type { Pop3Connection } from '../connection';
import { Pop3Error } from '../errors';
import { LineResponse } from '../protocol/line-response';
import { splitResponseCode } from '../protocol/response-code';
import type { StatusLine } from '../protocol/status-line';

/**
 * STLS (RFC 2595). On +OK the connection starts throwing away whatever else arrives in
 * clear text, in the same tick, so nothing injected before the handshake is ever read.
 */
export async function stls(connection: Pop3Connection): Promise<void> {
  const response = new (class extends LineResponse {
    override status(line: StatusLine): boolean {
      if (line.kind === 'ok') connection.discardIncoming();
      return super.status(line);
    }
  })();
  connection.request('STLS', response);
  const status = await response.promise;
  if (status.kind !== 'ok') {
    const { responseCode, text } = splitResponseCode(status.text);
    throw new Pop3Error('STLS_UNAVAILABLE', `The server refused STLS: -ERR ${status.text}`, {
      ...(responseCode === undefined ? {} : { responseCode }),
      serverText: text,
      command: 'STLS',
    });
  }
}
