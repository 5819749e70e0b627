/**
 * What went wrong, in the domain's own words. Domain code (accounts, messages, sync, users…)
 * throws these and knows nothing of HTTP; plugins/errors.ts alone turns each kind into a status.
 */
export type DomainErrorKind =
  /** No such thing, or not the caller's: the same answer for both. */
  | 'not_found'
  /** The input is malformed or incomplete. */
  | 'invalid'
  /** The admin policy (or a rule of the house) does not allow it. */
  | 'refused'
  /** It clashes with what is there (already taken, the last admin…). */
  | 'conflict'
  /** Asked too often: try again after `retryAfterSeconds`. */
  | 'rate_limited'
  /** Understood, but it cannot be done to this thing (a message too large to download…). */
  | 'unprocessable'
  /** Larger than the limit allows (an upload above the admin's size limit). */
  | 'too_large';

/** One thing wrong with the input, named by its field; a DomainError may carry several. */
export interface Problem {
  field: string;
  value?: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable, for clients: NOT_FOUND, PORT_NOT_ALLOWED, PASSWORD_REQUIRED… */
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
    /** Every problem found, when there are several to report at once. */
    readonly problems?: Problem[],
    /** Where in the input it went wrong (1-based), for text a user typed (a search). */
    readonly position?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what = 'Not found') => new DomainError('not_found', 'NOT_FOUND', what);
export const invalid = (code: string, message: string) => new DomainError('invalid', code, message);
export const refused = (code: string, message: string) => new DomainError('refused', code, message);
export const conflict = (code: string, message: string) =>
  new DomainError('conflict', code, message);
export const unprocessable = (code: string, message: string, problems?: Problem[]) =>
  new DomainError('unprocessable', code, message, undefined, problems);
export const tooLarge = (code: string, message: string) =>
  new DomainError('too_large', code, message);
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new DomainError(
    'rate_limited',
    'RATE_LIMITED',
    `${message}; try again in ${retryAfterSeconds} s`,
    retryAfterSeconds,
  );
