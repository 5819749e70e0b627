import type { SmtpFailure } from './smtp-failure';

/** The fields nodemailer's SMTPConnection puts on its errors. */
export interface NodemailerSmtpError extends Error {
  code?: string;
  originalCode?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  timeoutType?: string;
}

/** Where a session was when it failed: the words and the codes differ. */
export type SmtpPhase = 'connect' | 'auth' | 'send';

export interface FailureContext {
  host: string;
  port: number;
  phase: SmtpPhase;
  /** The server had greeted (a silent server after connecting is often a TLS port). */
  greeted?: boolean;
  /** The server had answered DATA with 354: the message was on its way when the session broke. */
  dataStarted?: boolean;
}

const PORT_HINT =
  'sending servers usually take STARTTLS on port 587, or TLS from the start on port 465';

const said = (reply: string | undefined) => (reply ? ` The server said: "${reply}".` : '');

/** The reply text on one line, bounded (a hostile server could send a long one). */
export const replyText = (response: string | undefined): string | undefined =>
  response ? response.replace(/\s*\r?\n\s*/g, ' ').slice(0, 1000) : undefined;

const isTlsLibraryError = (error: NodemailerSmtpError) =>
  /^ERR_(SSL|TLS)_/.test(error.originalCode ?? '') ||
  /\b(SSL|TLS|certificate|wrong version number|handshake)\b/i.test(error.message);

/**
 * Turns an error of nodemailer's SMTPConnection into what the user reads: one of the codes, the
 * server's words when it said any, and whether trying again can help (5xx replies and problems
 * the user must fix are permanent; 4xx replies and the network are temporary).
 */
export function classifySmtpError(
  error: NodemailerSmtpError,
  context: FailureContext,
): SmtpFailure {
  const where = `${context.host} port ${context.port}`;
  const reply = replyText(error.response);
  const status = error.responseCode ?? 0;
  const temporary = status >= 400 && status < 500;
  const base = { outcomeUnknown: false, ...(reply ? { reply } : {}) };

  switch (error.code) {
    case 'EDNS':
      return {
        ...base,
        code: 'DNS',
        message: `The server name ${context.host} could not be found. Check its spelling.`,
        permanent: false,
      };
    case 'ETIMEDOUT':
      if (context.phase === 'send') return lostDuringSend(error, context, reply, true);
      return {
        ...base,
        code: 'TIMEOUT',
        message:
          error.timeoutType !== 'CONNECT_TIMEOUT' && !context.greeted
            ? `${where} accepted the connection but did not greet in time. If this port expects TLS from the start (usually 465), choose TLS; otherwise the server may be overloaded, so try again later.`
            : `${where} did not answer in time. The server may be down or a firewall may be dropping the connection; check the server name and port (${PORT_HINT}).`,
        permanent: false,
      };
    case 'ETLS':
      if (error.command === 'STARTTLS' && status > 0) {
        return {
          ...base,
          code: 'STLS_UNAVAILABLE',
          message: `${where} does not offer STARTTLS, so the connection cannot be encrypted there.${said(reply)} Choose TLS instead (usually on port 465).`,
          permanent: true,
        };
      }
      return tlsFailed(base, where, error);
    case 'EPROTOCOL':
      if (
        error.command === 'CONN' &&
        /^[45]\d\d[ -]/.test(reply ?? '') &&
        context.phase === 'connect'
      ) {
        return {
          ...base,
          code: 'REFUSED',
          message: `${where} refused to open a session.${said(reply)} ${temporary ? 'Try again later.' : 'Check the server name and port, or ask your mail provider.'}`,
          permanent: !temporary,
        };
      }
      return {
        ...base,
        code: 'PROTOCOL',
        message: `${where} did not answer like an SMTP server (${reply ?? error.message}). Check the port: ${PORT_HINT}.`,
        permanent: true,
      };
    case 'EAUTH':
      return {
        ...base,
        code: 'AUTH_FAILED',
        message: temporary
          ? `The server could not check the user name and password just now.${said(reply)} Try again in a few minutes.`
          : `The server rejected the user name or password. Check both and try again.${said(reply)}`,
        permanent: !temporary,
      };
    case 'EENVELOPE':
    case 'EMESSAGE':
      return refusedByServer(error, base, reply, status);
  }
  // Socket-level: ESOCKET, ECONNECTION and the rest.
  if (isTlsLibraryError(error) && context.phase === 'connect') return tlsFailed(base, where, error);
  if (context.phase === 'send') {
    if (status >= 400) return refusedByServer(error, base, reply, status);
    return lostDuringSend(error, context, reply, false);
  }
  if (error.originalCode === 'ECONNREFUSED') {
    return {
      ...base,
      code: 'REFUSED',
      message: `${where} refused the connection: no SMTP server is listening there. Check the server name and port (${PORT_HINT}).`,
      permanent: false,
    };
  }
  if (status >= 400) {
    return {
      ...base,
      code: 'REFUSED',
      message: `${where} closed the connection.${said(reply)} ${temporary ? 'Try again later.' : 'Check the server name and port, or ask your mail provider.'}`,
      permanent: !temporary,
    };
  }
  return {
    ...base,
    code: 'REFUSED',
    message: `${where} closed the connection before the session was set up (${error.message}). Check that the security setting matches the port (${PORT_HINT}); the server may also be limiting connections, so try again later.`,
    permanent: false,
  };
}

function tlsFailed(
  base: Pick<SmtpFailure, 'outcomeUnknown' | 'reply'>,
  where: string,
  error: Error,
): SmtpFailure {
  return {
    ...base,
    code: 'TLS_FAILED',
    message: `The encrypted connection to ${where} could not be set up (${error.message.replace(/^Error initiating TLS - /, '')}). Check the security setting: ${PORT_HINT}.`,
    permanent: true,
  };
}

/**
 * The server answered the sender, the recipients or the message with a refusal (or nodemailer
 * refused it before sending: a message above the server's SIZE, an address it cannot send).
 */
function refusedByServer(
  error: NodemailerSmtpError,
  base: Pick<SmtpFailure, 'outcomeUnknown' | 'reply'>,
  reply: string | undefined,
  status: number,
): SmtpFailure {
  const temporary = status >= 400 && status < 500;
  const tooLarge = /larger than allowed/.test(error.message);
  const what = tooLarge
    ? `The message is larger than the server accepts (${error.message.replace(/^.*allowed /, '')} bytes).`
    : error.command === 'MAIL FROM'
      ? 'The server refused the sender address.'
      : error.command === 'RCPT TO'
        ? 'The server refused every recipient.'
        : status > 0
          ? 'The server refused the message.'
          : `The message could not be sent as it is (${error.message}).`;
  return {
    ...base,
    code: temporary ? 'SMTP_TEMPORARY' : 'SMTP_REJECTED',
    message: temporary
      ? `${what}${said(reply)} This is temporary (the server may be greylisting or busy); it will be tried again.`
      : `${what}${said(reply)}`,
    permanent: !temporary,
  };
}

/** The connection broke (or went silent) while a message was on its way. */
function lostDuringSend(
  error: NodemailerSmtpError,
  context: FailureContext,
  reply: string | undefined,
  timedOut: boolean,
): SmtpFailure {
  const where = `${context.host} port ${context.port}`;
  const how = timedOut ? 'stopped answering' : 'closed the connection';
  if (context.dataStarted) {
    return {
      code: 'OUTCOME_UNKNOWN',
      message: `${where} ${how} while the message was being handed over, so it may or may not have been sent. Check with a recipient, or look in the sending server's Sent copy, before sending it again.`,
      permanent: false,
      outcomeUnknown: true,
      ...(reply ? { reply } : {}),
    };
  }
  return {
    code: timedOut ? 'TIMEOUT' : 'NETWORK',
    message: `${where} ${how} before the message was handed over (${error.message}); it was not sent and will be tried again.`,
    permanent: false,
    outcomeUnknown: false,
    ...(reply ? { reply } : {}),
  };
}
