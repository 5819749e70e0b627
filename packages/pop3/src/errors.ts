/**
 * Every failure the library reports is a Pop3Error with a stable `code`, so callers can
 * switch on what went wrong instead of parsing messages.
 */
export type Pop3ErrorCode =
  /** The host name did not resolve. */
  | 'DNS'
  /** Nothing listens on that address and port. */
  | 'REFUSED'
  /** The host or network could not be reached, or the connection failed some other way. */
  | 'NETWORK'
  /** Connect, greeting, a command or the idle period took longer than allowed. */
  | 'TIMEOUT'
  /** The certificate is not trusted (chain, name or pin); `fingerprint256` tells which one. */
  | 'TLS_UNTRUSTED'
  /** The TLS handshake itself failed. */
  | 'TLS_FAILED'
  /** The port expects TLS from the first byte (implicit TLS) where a plain greeting was awaited. */
  | 'TLS_EXPECTED'
  /** STLS was required but the server does not offer it or refused it. */
  | 'STLS_UNAVAILABLE'
  /** The server rejected the credentials. */
  | 'AUTH_FAILED'
  /** [IN-USE]: another session holds the maildrop. */
  | 'IN_USE'
  /** [LOGIN-DELAY]: logged in too recently. */
  | 'LOGIN_DELAY'
  /** [SYS/TEMP]: a temporary server-side problem. */
  | 'SYS_TEMP'
  /** [SYS/PERM]: a permanent server-side problem. */
  | 'SYS_PERM'
  /** The server said something that is not POP3. */
  | 'PROTOCOL'
  /** A line or a message was larger than the configured limits. */
  | 'LIMIT_EXCEEDED'
  /** The connection ended before the answer was complete. */
  | 'CONNECTION_CLOSED'
  /** The caller's AbortSignal fired. */
  | 'ABORTED'
  /** Sending the password would expose it on a connection without TLS. */
  | 'PLAINTEXT_REFUSED'
  /** No authentication mechanism is both offered by the server and usable with these credentials. */
  | 'NO_MECHANISM'
  /** The server answered -ERR without a response code that says more. */
  | 'COMMAND_FAILED'
  /** The session cannot accept this call in its current state (closed, or waiting for RSET). */
  | 'INVALID_STATE';

/** Codes after which the connection is gone: the only thing left to do is to let it go. */
const FATAL_CODES: ReadonlySet<Pop3ErrorCode> = new Set<Pop3ErrorCode>([
  'DNS',
  'REFUSED',
  'NETWORK',
  'TIMEOUT',
  'TLS_UNTRUSTED',
  'TLS_FAILED',
  'TLS_EXPECTED',
  'PROTOCOL',
  'LIMIT_EXCEEDED',
  'CONNECTION_CLOSED',
  'ABORTED',
]);

export interface Pop3ErrorDetails {
  /** The extended response code the server sent, e.g. "SYS/TEMP" (RFC 2449, 3206). */
  responseCode?: string;
  /** The server's human-readable text, without status indicator and response code. */
  serverText?: string;
  /** The certificate's SHA-256 fingerprint (colon-separated hex), when TLS verification failed. */
  fingerprint256?: string;
  /** The command that failed, with secrets removed (e.g. "PASS", "AUTH PLAIN"). */
  command?: string;
  /** The decoded error an OAuth 2.0 server sent during XOAUTH2 or OAUTHBEARER. */
  oauthError?: Record<string, unknown>;
  /** With LIMIT_EXCEEDED: which limit, a line's length or an answer's size. */
  limit?: Pop3Limit;
  cause?: unknown;
}

/** The limits of Pop3Limits, as named in LIMIT_EXCEEDED errors. */
export type Pop3Limit = 'maxLineBytes' | 'maxMessageBytes';

export class Pop3Error extends Error {
  override readonly name = 'Pop3Error';
  readonly code: Pop3ErrorCode;
  declare readonly responseCode?: string;
  declare readonly serverText?: string;
  declare readonly fingerprint256?: string;
  declare readonly command?: string;
  declare readonly oauthError?: Record<string, unknown>;
  declare readonly limit?: Pop3Limit;

  constructor(code: Pop3ErrorCode, message: string, details: Pop3ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if (details.responseCode !== undefined) this.responseCode = details.responseCode;
    if (details.serverText !== undefined) this.serverText = details.serverText;
    if (details.fingerprint256 !== undefined) this.fingerprint256 = details.fingerprint256;
    if (details.command !== undefined) this.command = details.command;
    if (details.oauthError !== undefined) this.oauthError = details.oauthError;
    if (details.limit !== undefined) this.limit = details.limit;
  }

  /** True when the connection cannot be used any more after this error. */
  get connectionLost(): boolean {
    return FATAL_CODES.has(this.code);
  }
}

export function isPop3Error(value: unknown): value is Pop3Error {
  return value instanceof Pop3Error;
}
