import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretKey } from '../secret-key';

/**
 * AES-256-GCM for POP3 passwords and tokens at rest. A sealed secret is
 * version (1 byte) | nonce (12) | tag (16) | ciphertext; the key id is stored beside it so that
 * keys can rotate: new secrets use the current key, old ones open with the key they name.
 */
const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealed {
  ciphertext: Buffer;
  keyId: string;
}

export class SecretUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretUnavailableError';
  }
}

export class Keyring {
  private readonly byId: Map<string, Buffer>;

  constructor(
    readonly current: SecretKey,
    previous: SecretKey[] = [],
  ) {
    this.byId = new Map([...previous, current].map((k) => [k.id, k.key]));
  }

  seal(plaintext: string): Sealed {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce);
    // The key id is authenticated too: a ciphertext cannot be passed off under another key.
    cipher.setAAD(Buffer.from(this.current.id));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      ciphertext: Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]),
      keyId: this.current.id,
    };
  }

  open(sealed: Sealed): string {
    const key = this.byId.get(sealed.keyId);
    if (!key) {
      throw new SecretUnavailableError(
        `This secret was sealed with key ${sealed.keyId}, which is not configured; restore that key or ask the user to enter the password again`,
      );
    }
    const data = Buffer.from(sealed.ciphertext);
    if (data.length < 1 + NONCE_BYTES + TAG_BYTES || data[0] !== VERSION) {
      throw new SecretUnavailableError(
        'The stored secret is not in a format this version can read',
      );
    }
    const nonce = data.subarray(1, 1 + NONCE_BYTES);
    const tag = data.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.from(sealed.keyId));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([
        decipher.update(data.subarray(1 + NONCE_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretUnavailableError(
        'The stored secret failed its integrity check (wrong key or altered data)',
      );
    }
  }

  /** True when the secret should be sealed again under the current key. */
  needsRotation(sealed: Sealed): boolean {
    return sealed.keyId !== this.current.id;
  }
}
