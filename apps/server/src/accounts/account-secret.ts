import type { Keyring } from '../crypto/secret-box';
import type { Pop3Account } from '../generated/prisma/client';

/**
 * An account's password (or access token) as its columns store it: sealed with the keyring's
 * current key and bound to the account's id, so it opens for that account only.
 */
export function sealAccountSecret(
  keyring: Keyring,
  accountId: string,
  secret: string,
): Pick<Pop3Account, 'secretCiphertext' | 'secretKeyId'> {
  const sealed = keyring.seal(secret, accountId);
  return { secretCiphertext: new Uint8Array(sealed.ciphertext), secretKeyId: sealed.keyId };
}

/** The account's secret, unsealed for one use (SecretUnavailableError when it cannot be). */
export const openAccountSecret = (
  keyring: Keyring,
  account: Pick<Pop3Account, 'id' | 'secretCiphertext' | 'secretKeyId'>,
): string =>
  keyring.open(
    { ciphertext: Buffer.from(account.secretCiphertext), keyId: account.secretKeyId },
    account.id,
  );
