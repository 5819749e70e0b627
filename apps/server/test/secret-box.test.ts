import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring, SecretUnavailableError } from '../src/crypto/secret-box';
import { secretKeyId } from '../src/secret-key';

const newKey = () => {
  const key = randomBytes(32);
  return { id: secretKeyId(key), key };
};

describe('sealed POP3 secrets', () => {
  it('open to the same password, and never contain it in clear', () => {
    const keyring = new Keyring(newKey());
    const sealed = keyring.seal('correct horse battery staple');
    expect(sealed.ciphertext.includes(Buffer.from('correct horse'))).toBe(false);
    expect(keyring.open(sealed)).toBe('correct horse battery staple');
  });

  it('differ each time the same password is sealed', () => {
    const keyring = new Keyring(newKey());
    expect(keyring.seal('pw').ciphertext.equals(keyring.seal('pw').ciphertext)).toBe(false);
  });

  it('keep unicode passwords intact', () => {
    const keyring = new Keyring(newKey());
    expect(keyring.open(keyring.seal('pässwörd-密码-🔑'))).toBe('pässwörd-密码-🔑');
  });

  it('open with an older key after the key rotated, and say they need resealing', () => {
    const old = newKey();
    const sealed = new Keyring(old).seal('secret');
    const rotated = new Keyring(newKey(), [old]);
    expect(rotated.open(sealed)).toBe('secret');
    expect(rotated.needsRotation(sealed)).toBe(true);
    expect(rotated.needsRotation(rotated.seal('secret'))).toBe(false);
  });

  it('refuse clearly when the key they name is not configured', () => {
    const sealed = new Keyring(newKey()).seal('secret');
    expect(() => new Keyring(newKey()).open(sealed)).toThrow(SecretUnavailableError);
    expect(() => new Keyring(newKey()).open(sealed)).toThrow(/not configured/);
  });

  it('refuse altered ciphertext', () => {
    const keyring = new Keyring(newKey());
    const sealed = keyring.seal('secret');
    sealed.ciphertext[sealed.ciphertext.length - 1]! ^= 1;
    expect(() => keyring.open(sealed)).toThrow(/integrity check/);
  });

  it('refuse a ciphertext relabelled with another key id', () => {
    const a = newKey();
    const b = { id: 'b'.repeat(16), key: a.key };
    const keyring = new Keyring(a, [b]);
    const sealed = keyring.seal('secret');
    expect(() => keyring.open({ ciphertext: sealed.ciphertext, keyId: b.id })).toThrow(
      /integrity check/,
    );
  });
});
