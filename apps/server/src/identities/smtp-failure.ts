import type { IdentityTestError, SmtpTestErrorCode } from '@popgate/contracts';
import { SecretUnavailableError } from '../crypto/secret-box';
import { DomainError } from '../domain-errors';

/**
 * What can go wrong between Popgate and an SMTP server, in the words the user reads. A
 * connection test answers with the first group (the codes of the POP3 test); sending a message
 * adds what the server may say about the message itself.
 */
export type SmtpFailureCode =
  | SmtpTestErrorCode
  /** The server refused the sender, every recipient or the message with a 5xx reply. */
  | 'SMTP_REJECTED'
  /** The server deferred it with a 4xx reply (greylisting, a full queue…): try again later. */
  | 'SMTP_TEMPORARY'
  /** The connection broke, or went silent, before the message was handed over: not sent. */
  | 'NETWORK'
  /** The connection broke after the message's data began: the server may or may not have it. */
  | 'OUTCOME_UNKNOWN'
  /** The stored password cannot be opened any more (another key, altered): enter it again. */
  | 'SECRET_UNAVAILABLE'
  /** The admin policy does not allow this server (port, TLS, host list) as it stands now. */
  | 'NOT_ALLOWED'
  /** The account's OAuth2 grant is gone (invalid_grant): only signing in again helps. */
  | 'OAUTH_REAUTH';

export interface SmtpFailure {
  code: SmtpFailureCode;
  /** What happened and what to do, for a person. */
  message: string;
  /** Trying the same again will fail the same way (5xx, untrusted certificate, wrong password…). */
  permanent: boolean;
  /** The server's reply that decided it, as received ("553 5.7.1 Sender address rejected…"). */
  reply?: string;
  /** Set with OUTCOME_UNKNOWN only: the message may have been delivered. */
  outcomeUnknown: boolean;
  /** With TLS_UNTRUSTED: the certificate's SHA-256 fingerprint, to pin it. */
  fingerprint256?: string;
}

/** An SMTP session failed; `failure` says how, already in the user's words. */
export class SmtpError extends Error {
  constructor(readonly failure: SmtpFailure) {
    super(failure.message);
    this.name = 'SmtpError';
  }
}

/** What a connection test answers for a failure (the codes DESIGN.md promises). */
export function toTestError(failure: SmtpFailure): IdentityTestError {
  const code: SmtpTestErrorCode =
    failure.code === 'SMTP_REJECTED' || failure.code === 'SMTP_TEMPORARY'
      ? 'PROTOCOL'
      : failure.code === 'NETWORK' || failure.code === 'OUTCOME_UNKNOWN'
        ? 'REFUSED'
        : failure.code === 'SECRET_UNAVAILABLE' || failure.code === 'OAUTH_REAUTH'
          ? 'AUTH_FAILED'
          : failure.code === 'NOT_ALLOWED'
            ? 'BLOCKED_HOST'
            : failure.code;
  return {
    code,
    message: failure.message,
    ...(failure.fingerprint256 ? { fingerprint256: failure.fingerprint256 } : {}),
  };
}

/**
 * Describes any error that connecting or sending threw, for the outbox sender and the test alike:
 * an SmtpError as it is; the admin policy's refusals (a host, port or TLS rule, possibly changed
 * since the identity was saved) and an unreadable stored password as permanent failures; anything
 * else as a temporary one (the sender retries with backoff).
 */
export function describeSmtpFailure(error: unknown): SmtpFailure {
  if (error instanceof SmtpError) return error.failure;
  if (error instanceof SecretUnavailableError) {
    return {
      code: 'SECRET_UNAVAILABLE',
      message: `The saved password cannot be read any more (${error.message}); enter the SMTP password again in the identity's settings.`,
      permanent: true,
      outcomeUnknown: false,
    };
  }
  if (error instanceof DomainError) {
    const code: SmtpFailureCode =
      error.code === 'DNS' ? 'DNS' : error.code === 'BLOCKED_HOST' ? 'BLOCKED_HOST' : 'NOT_ALLOWED';
    const message = `${error.message}.`;
    // A name that cannot be found today may be found tomorrow; a policy stands until it changes.
    return { code, message, permanent: code !== 'DNS', outcomeUnknown: false };
  }
  const reason = error instanceof Error ? error.message : String(error);
  return {
    code: 'NETWORK',
    message: `Sending failed on Popgate's side (${reason}); it will be tried again.`,
    permanent: false,
    outcomeUnknown: false,
  };
}
