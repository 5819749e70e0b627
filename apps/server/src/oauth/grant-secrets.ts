import type { Keyring } from '../crypto/secret-box';

/**
 * OAuth2 tokens are sealed like passwords, bound to their account and to their purpose: a sealed
 * refresh token does not open as another account's, nor as a password or an access token.
 */
export type TokenPurpose = 'oauth-refresh' | 'oauth-access' | 'oauth-pkce';

export function sealToken(keyring: Keyring, purpose: TokenPurpose, owner: string, token: string) {
  const sealed = keyring.seal(token, `${purpose}:${owner}`);
  return { ciphertext: new Uint8Array(sealed.ciphertext), keyId: sealed.keyId };
}

export function openToken(
  keyring: Keyring,
  purpose: TokenPurpose,
  owner: string,
  sealed: { ciphertext: Uint8Array; keyId: string },
): string {
  return keyring.open(
    { ciphertext: Buffer.from(sealed.ciphertext), keyId: sealed.keyId },
    `${purpose}:${owner}`,
  );
}
