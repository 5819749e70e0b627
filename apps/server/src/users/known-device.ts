import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The cookie a browser keeps once a user has signed in from it. */
export const KNOWN_DEVICE_COOKIE = 'popgate_device';
export const KNOWN_DEVICE_DAYS = 365;

/**
 * Marks a browser as one a user has signed in from: an HMAC of the user's address and a random
 * nonce. The sign-in limits do not slow such a browser down for its user, so guesses made from
 * elsewhere cannot keep the owner out.
 */
export class KnownDevices {
  constructor(private readonly key: Buffer) {}

  private sign(email: string, nonce: string): string {
    return createHmac('sha256', this.key)
      .update(`${email.toLowerCase()}\n${nonce}`)
      .digest('base64url');
  }

  mark(email: string): string {
    const nonce = randomBytes(16).toString('base64url');
    return `${nonce}.${this.sign(email, nonce)}`;
  }

  recognises(cookie: string | undefined, email: string): boolean {
    const [nonce, signature, extra] = cookie?.split('.') ?? [];
    if (!nonce || !signature || extra !== undefined) return false;
    const expected = Buffer.from(this.sign(email, nonce));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
