import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

/** argon2id with the library's defaults (64 MiB, 3 passes): slow for attackers, fine for sign-in. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/** A hash of a password nobody knows, made once: what a sign-in for no one is checked against. */
export function warmDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('base64url'));
  return dummyHash;
}

/**
 * Checks a password against a user's hash; without a hash (no such user, or none set yet) it
 * does the same work against a dummy hash and answers false, so the time taken does not tell
 * whether an address has an account.
 */
export async function verifyPasswordOrNothing(
  hash: string | null | undefined,
  password: string,
): Promise<boolean> {
  if (hash) return verifyPassword(hash, password);
  await verifyPassword(await warmDummyHash(), password);
  return false;
}
