import { Pop3Error } from '../errors';

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED']);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Maps an error from establishing the TCP connection. */
export function connectError(error: unknown, where: string): Pop3Error {
  if (error instanceof Pop3Error) return error;
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  if (code && DNS_CODES.has(code)) {
    return new Pop3Error('DNS', `Could not resolve ${where}: ${reason}`, { cause: error });
  }
  if (code === 'ECONNREFUSED') {
    return new Pop3Error('REFUSED', `Connection to ${where} refused`, { cause: error });
  }
  if (code === 'ETIMEDOUT') {
    return new Pop3Error('TIMEOUT', `Connecting to ${where} timed out`, { cause: error });
  }
  return new Pop3Error('NETWORK', `Could not connect to ${where}: ${reason}`, { cause: error });
}

/** Maps an error raised during the TLS handshake, once TCP is up. */
export function handshakeError(error: unknown, where: string): Pop3Error {
  if (error instanceof Pop3Error) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new Pop3Error('TLS_FAILED', `TLS handshake with ${where} failed: ${reason}`, {
    cause: error,
  });
}

/** Maps an error on an established connection. */
export function sessionSocketError(error: unknown): Pop3Error {
  if (error instanceof Pop3Error) return error;
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  if (code && CLOSED_CODES.has(code)) {
    return new Pop3Error('CONNECTION_CLOSED', `The connection was lost: ${reason}`, {
      cause: error,
    });
  }
  if (code === 'ETIMEDOUT') {
    return new Pop3Error('TIMEOUT', `The connection timed out: ${reason}`, { cause: error });
  }
  return new Pop3Error('NETWORK', `The connection failed: ${reason}`, { cause: error });
}
