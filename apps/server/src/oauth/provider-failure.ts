import * as client from 'openid-client';
import { DomainError } from '../domain-errors';

/**
 * The provider no longer honours the grant (`invalid_grant`: revoked, expired, or a rotated refresh
 * token used twice): only the user signing in again helps. Polling stops as for a wrong password.
 */
export class OAuthReauthRequiredError extends Error {
  constructor(
    readonly providerLabel: string,
    readonly detail: string,
  ) {
    super(`Sign in to ${providerLabel} again: ${detail}`);
    this.name = 'OAuthReauthRequiredError';
  }
}

const isTimeout = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'TimeoutError' || (error.cause !== undefined && isTimeout(error.cause)));

/** openid-client wraps oauth4webapi's finding ("unexpected "iss" (issuer)…") as its cause. */
const mentionsIssuer = (error: unknown): boolean =>
  error instanceof Error &&
  (/"iss" \(issuer\)/.test(error.message) ||
    (error.cause !== undefined && mentionsIssuer(error.cause)));

/** Whether the provider said the grant (or code) is no good: `invalid_grant`. */
export const isInvalidGrant = (error: unknown): boolean =>
  error instanceof client.ResponseBodyError && error.error === 'invalid_grant';

/**
 * What went wrong talking to a provider, in words for the user, as a DomainError: the provider's
 * own error (with its description), no answer in time, or an answer that is not OAuth2 at all
 * (an HTML page, a proxy's error).
 */
export function providerFailure(error: unknown, label: string, timeoutMs: number): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    const description = error.error_description ? ` (${error.error_description})` : '';
    return new DomainError(
      'refused',
      'OAUTH_PROVIDER_ERROR',
      `${label} refused the sign-in: ${error.error}${description}`,
    );
  }
  if (error instanceof client.ResponseBodyError) {
    const description = error.error_description ? ` (${error.error_description})` : '';
    return new DomainError(
      'refused',
      error.error === 'invalid_grant' ? 'OAUTH_INVALID_GRANT' : 'OAUTH_PROVIDER_ERROR',
      `${label} refused: ${error.error}${description}`,
    );
  }
  // RFC 9207: the answer names another issuer than the provider this sign-in went to (a mix-up
  // attack, or a provider misconfigured), or omits it where the provider promised to send it.
  if (mentionsIssuer(error)) {
    return new DomainError(
      'refused',
      'OAUTH_ISSUER_MISMATCH',
      `The answer did not come from ${label} (its "iss" names another issuer, or none); sign in again from Popgate`,
    );
  }
  if (isTimeout(error)) {
    return new DomainError(
      'unprocessable',
      'OAUTH_TIMEOUT',
      `${label} did not answer within ${Math.round(timeoutMs / 1000)} s; try again later`,
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new DomainError(
    'unprocessable',
    'OAUTH_BAD_RESPONSE',
    `${label} did not answer as an OAuth2 provider does (${reason}); try again later or ask the operator`,
  );
}
