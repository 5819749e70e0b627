import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens bound to the browser and to its session: the token is an HMAC of a random nonce
 * (kept in an httpOnly cookie) and the session cookie's value. A token learned before sign-in,
 * or in another session, does not match after it; the nonce is renewed at every sign-in and
 * sign-out as well.
 */
export class CsrfTokens {
  constructor(private readonly key: Buffer) {}

  newNonce(): string {
    return randomBytes(24).toString('base64url');
  }

  token(nonce: string, sessionToken: string | undefined): string {
    return createHmac('sha256', this.key)
      .update(`${nonce}\n${sessionToken ?? ''}`)
      .digest('base64url');
  }

  matches(
    header: string | undefined,
    nonce: string | undefined,
    sessionToken: string | undefined,
  ): boolean {
    if (!header || !nonce) return false;
    const expected = Buffer.from(this.token(nonce, sessionToken));
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
