import { createCipheriv, randomBytes } from 'node:crypto';
import type { Sealed } from '../../src/crypto/secret-box';
import type { SecretKey } from '../../src/secret-key';

/**
 * A secret sealed the way Popgate sealed them before they were bound to an account: version 1,
 * only the key id as associated data.
 */
export function sealUnbound(key: SecretKey, plaintext: string): Sealed {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, nonce);
  cipher.setAAD(Buffer.from(key.id));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    ciphertext: Buffer.concat([Buffer.from([1]), nonce, cipher.getAuthTag(), body]),
    keyId: key.id,
  };
}
