import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretKey } from '../secret-key';

/**
 * AES-256-GCM for POP3 passwords and tokens at rest. A sealed secret is
 * version (1 byte) | nonce (12) | tag (16) | ciphertext; the key id is stored beside it so that
 * keys can rotate: new secrets use the current key, old ones open with the key they name.
 *
 * Version 2 binds a secret to what it belongs to (an account's id): the version, the key id and
 * that id are its associated data, so a ciphertext copied to another account's row does not open
 * there. Version 1 (the key id only) is read solely to seal such secrets again (see
 * accounts/bind-sealed-secrets.ts, run at start-up).
 */
const UNBOUND = 1;
const BOUND = 2;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES + TAG_BYTES;

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

function associatedData(version: number, keyId: string, owner?: string): Buffer {
  if (version === UNBOUND) return Buffer.from(keyId);
  if (!owner) throw new TypeError('a bound secret needs the id of what it belongs to');
  return Buffer.concat([Buffer.from([version]), Buffer.from(`${keyId}\0${owner}`)]);
}

export class Keyring {
  private readonly byId: Map<string, Buffer>;

  constructor(
    readonly current: SecretKey,
    previous: SecretKey[] = [],
  ) {
    this.byId = new Map([...previous, current].map((k) => [k.id, k.key]));
  }

  /** Ids of every key this keyring can open secrets with. */
  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  /** Seals `plaintext` for `owner` (an account's id): it opens for that owner only. */
  seal(plaintext: string, owner: string): Sealed {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce);
    // The key id is authenticated too: a ciphertext cannot be passed off under another key.
    cipher.setAAD(associatedData(BOUND, this.current.id, owner));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      ciphertext: Buffer.concat([Buffer.from([BOUND]), nonce, cipher.getAuthTag(), body]),
      keyId: this.current.id,
    };
  }

  /** Opens a secret sealed for `owner`; a secret of anyone else, or altered, does not open. */
  open(sealed: Sealed, owner: string): string {
    if (this.isUnbound(sealed)) {
      throw new SecretUnavailableError(
        'The stored secret is in an older format that Popgate seals again when it starts; restart Popgate or enter the password again',
      );
    }
    return this.decrypt(sealed, BOUND, owner);
  }

  /** True for a secret sealed the old way, bound to no owner. */
  isUnbound(sealed: Sealed): boolean {
    return sealed.ciphertext.length > 0 && sealed.ciphertext[0] === UNBOUND;
  }

  /** Opens a secret sealed the old way, to seal it again for its owner; nothing else. */
  openUnbound(sealed: Sealed): string {
    return this.decrypt(sealed, UNBOUND);
  }

  /** True when the secret should be sealed again under the current key. */
  needsRotation(sealed: Sealed): boolean {
    return sealed.keyId !== this.current.id;
  }

  private decrypt(sealed: Sealed, version: number, owner?: string): string {
    const key = this.byId.get(sealed.keyId);
    if (!key) {
      throw new SecretUnavailableError(
        `This secret was sealed with key ${sealed.keyId}, which is not configured; restore that key or ask the user to enter the password again`,
      );
    }
    const data = Buffer.from(sealed.ciphertext);
    if (data.length < HEADER_BYTES || data[0] !== version) {
      throw new SecretUnavailableError(
        'The stored secret is not in a format this version can read',
      );
    }
    const nonce = data.subarray(1, 1 + NONCE_BYTES);
    const tag = data.subarray(1 + NONCE_BYTES, HEADER_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(associatedData(version, sealed.keyId, owner));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([
        decipher.update(data.subarray(HEADER_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretUnavailableError(
        'The stored secret failed its integrity check (wrong key, altered data, or a secret of another account)',
      );
    }
  }
}
