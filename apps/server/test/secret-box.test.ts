import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring, SecretUnavailableError } from '../src/crypto/secret-box';
import { secretKeyId } from '../src/secret-key';
import { sealUnbound } from './support/unbound-secret';

const newKey = () => {
  const key = randomBytes(32);
  return { id: secretKeyId(key), key };
};

describe('sealed POP3 secrets', () => {
  const owner = randomUUID();

  it('open to the same password, and never contain it in clear', () => {
    const keyring = new Keyring(newKey());
    const sealed = keyring.seal('correct horse battery staple', owner);
    expect(sealed.ciphertext.includes(Buffer.from('correct horse'))).toBe(false);
    expect(keyring.open(sealed, owner)).toBe('correct horse battery staple');
  });

  it('differ each time the same password is sealed', () => {
    const keyring = new Keyring(newKey());
    expect(keyring.seal('pw', owner).ciphertext.equals(keyring.seal('pw', owner).ciphertext)).toBe(
      false,
    );
  });

  it('keep unicode passwords intact', () => {
    const keyring = new Keyring(newKey());
    expect(keyring.open(keyring.seal('pässwörd-密码-🔑', owner), owner)).toBe('pässwörd-密码-🔑');
  });

  it('open with an older key after the key rotated, and say they need resealing', () => {
    const old = newKey();
    const sealed = new Keyring(old).seal('secret', owner);
    const rotated = new Keyring(newKey(), [old]);
    expect(rotated.open(sealed, owner)).toBe('secret');
    expect(rotated.needsRotation(sealed)).toBe(true);
    expect(rotated.needsRotation(rotated.seal('secret', owner))).toBe(false);
  });

  it('refuse clearly when the key they name is not configured', () => {
    const sealed = new Keyring(newKey()).seal('secret', owner);
    expect(() => new Keyring(newKey()).open(sealed, owner)).toThrow(SecretUnavailableError);
    expect(() => new Keyring(newKey()).open(sealed, owner)).toThrow(/not configured/);
  });

  it('refuse altered ciphertext', () => {
    const keyring = new Keyring(newKey());
    const sealed = keyring.seal('secret', owner);
    sealed.ciphertext[sealed.ciphertext.length - 1]! ^= 1;
    expect(() => keyring.open(sealed, owner)).toThrow(/integrity check/);
  });

  it('refuse a ciphertext relabelled with another key id', () => {
    const a = newKey();
    const b = { id: 'b'.repeat(16), key: a.key };
    const keyring = new Keyring(a, [b]);
    const sealed = keyring.seal('secret', owner);
    expect(() => keyring.open({ ciphertext: sealed.ciphertext, keyId: b.id }, owner)).toThrow(
      /integrity check/,
    );
  });

  it('a sealed password copied to another account does not open there', () => {
    const keyring = new Keyring(newKey());
    const sealed = keyring.seal('secret of account A', owner);
    expect(() => keyring.open(sealed, randomUUID())).toThrow(SecretUnavailableError);
    expect(() => keyring.open(sealed, randomUUID())).toThrow(/integrity check/);
    expect(keyring.open(sealed, owner)).toBe('secret of account A');
  });

  it('tell a secret sealed the old way (bound to no account) and open it only to seal it again', () => {
    const key = newKey();
    const keyring = new Keyring(key);
    const old = sealUnbound(key, 'an old password');
    expect(keyring.isUnbound(old)).toBe(true);
    expect(keyring.isUnbound(keyring.seal('new', owner))).toBe(false);
    // Not for use as it is: it would open for any account.
    expect(() => keyring.open(old, owner)).toThrow(/older format/);
    expect(keyring.openUnbound(old)).toBe('an old password');
    // Nor can a bound secret be passed off as an unbound one by changing its version byte.
    const bound = keyring.seal('bound', owner);
    bound.ciphertext[0] = 1;
    expect(() => keyring.openUnbound(bound)).toThrow(/integrity check/);
  });
});
