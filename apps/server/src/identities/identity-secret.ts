import type { Keyring } from '../crypto/secret-box';
import type { Identity } from '../generated/prisma/client';

/**
 * An identity's own SMTP password is sealed like an account's, but bound to a purpose of its own
 * as well as to the identity's id: an identity's ciphertext never opens as an account secret (nor
 * as another identity's), even if copied into another row.
 */
const owner = (identityId: string) => `identity-smtp:${identityId}`;

export function sealIdentitySecret(
  keyring: Keyring,
  identityId: string,
  secret: string,
): Pick<Identity, 'smtpSecretCiphertext' | 'smtpSecretKeyId'> {
  const sealed = keyring.seal(secret, owner(identityId));
  return { smtpSecretCiphertext: new Uint8Array(sealed.ciphertext), smtpSecretKeyId: sealed.keyId };
}

/** The identity's own password, unsealed for one use; null when it uses its account's. */
export function openIdentitySecret(
  keyring: Keyring,
  identity: Pick<Identity, 'id' | 'smtpSecretCiphertext' | 'smtpSecretKeyId'>,
): string | null {
  if (!identity.smtpSecretCiphertext || !identity.smtpSecretKeyId) return null;
  return keyring.open(
    { ciphertext: Buffer.from(identity.smtpSecretCiphertext), keyId: identity.smtpSecretKeyId },
    owner(identity.id),
  );
}

/** The columns that forget an identity's own password (its account's is used from then on). */
export const NO_IDENTITY_SECRET = { smtpSecretCiphertext: null, smtpSecretKeyId: null } as const;
