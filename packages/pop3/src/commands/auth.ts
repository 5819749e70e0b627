import type { SaslMechanism } from '../auth/sasl-mechanism';
import type { Pop3Connection } from '../connection';
import { Pop3Error } from '../errors';
import { errorFromNegativeResponse } from '../protocol/response-code';
import type { StatusLine } from '../protocol/status-line';
import { sendForLine } from './exchange';

/** RFC 2449: a command line, CRLF included, is at most 255 octets. */
const MAX_COMMAND_OCTETS = 255;
/** More rounds than any supported mechanism needs means the server is looping. */
const MAX_ROUNDS = 8;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * AUTH (RFC 5034). The initial response rides on the AUTH line when it fits in a command
 * line ("=" stands for an empty one); otherwise it answers the server's first, empty
 * challenge. Every line after AUTH is secret and logged as "***".
 */
export async function auth(connection: Pop3Connection, mechanism: SaslMechanism): Promise<void> {
  const command = `AUTH ${mechanism.name}`;
  const initial = mechanism.initialResponse();
  let deferredInitial: string | null = null;
  let line = command;
  if (initial !== null) {
    const encoded = initial.length === 0 ? '=' : initial.toString('base64');
    if (command.length + 1 + encoded.length + 2 <= MAX_COMMAND_OCTETS)
      line = `${command} ${encoded}`;
    else deferredInitial = encoded;
  }
  const secret = { allowContinuation: true, logAs: line === command ? command : `${command} ***` };
  let status: StatusLine = await sendForLine(connection, line, secret);

  for (let round = 1; status.kind === 'continue'; round++) {
    if (round > MAX_ROUNDS || !BASE64.test(status.text.trim())) {
      // "*" cancels the exchange (RFC 5034); the server answers -ERR.
      await sendForLine(connection, '*', { allowContinuation: true });
      throw new Pop3Error('PROTOCOL', `${command}: the server sent an unusable challenge`, {
        command,
      });
    }
    let reply: string;
    if (deferredInitial !== null) {
      reply = deferredInitial;
      deferredInitial = null;
    } else {
      reply = mechanism.respond(Buffer.from(status.text.trim(), 'base64')).toString('base64');
    }
    status = await sendForLine(connection, reply, { allowContinuation: true, logAs: '***' });
  }

  if (status.kind === 'err') {
    const error = errorFromNegativeResponse(status.text, command, 'AUTH_FAILED');
    if (!mechanism.serverError) throw error;
    throw new Pop3Error(error.code, `${error.message} (${JSON.stringify(mechanism.serverError)})`, {
      ...(error.responseCode === undefined ? {} : { responseCode: error.responseCode }),
      ...(error.serverText === undefined ? {} : { serverText: error.serverText }),
      command,
      oauthError: mechanism.serverError,
    });
  }
}
