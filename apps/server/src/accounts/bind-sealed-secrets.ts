import { SecretUnavailableError, type Keyring } from '../crypto/secret-box';
import { poolOf, type Db } from '../db/prisma';

export interface BindResult {
  /** Secrets sealed again, now bound to their account. */
  bound: number;
  /** Old secrets this keyring cannot open (altered); left as they are. */
  unreadable: number;
}

/**
 * Seals every account password stored the old way (bound to no account) again, bound to its
 * account's id. Run at start-up, after the migrations: old rows are found by their format's
 * version byte, so running it again does nothing. Each row is replaced only if it still holds
 * the ciphertext that was read, so several Popgate processes starting at once, or a user changing
 * the password meanwhile, never overwrite a newer secret. Secrets of keys this keyring does not
 * hold are left for a process that holds them.
 */
export async function bindSealedSecrets(prisma: Db, keyring: Keyring): Promise<BindResult> {
  const pool = poolOf(prisma);
  const { rows } = await pool.query<{ id: string; ciphertext: Buffer; keyId: string }>(
    `SELECT id, "secretCiphertext" AS ciphertext, "secretKeyId" AS "keyId" FROM pop3_accounts
     WHERE substring("secretCiphertext" FROM 1 FOR 1) = '\\x01'::bytea AND "secretKeyId" = ANY($1)`,
    [keyring.keyIds],
  );
  const result: BindResult = { bound: 0, unreadable: 0 };
  for (const row of rows) {
    let plaintext: string;
    try {
      plaintext = keyring.openUnbound({ ciphertext: row.ciphertext, keyId: row.keyId });
    } catch (error) {
      if (!(error instanceof SecretUnavailableError)) throw error;
      result.unreadable += 1;
      continue;
    }
    const sealed = keyring.seal(plaintext, row.id);
    const updated = await pool.query(
      `UPDATE pop3_accounts SET "secretCiphertext" = $1, "secretKeyId" = $2
       WHERE id = $3 AND "secretCiphertext" = $4`,
      [sealed.ciphertext, sealed.keyId, row.id, row.ciphertext],
    );
    result.bound += updated.rowCount ?? 0;
  }
  return result;
}
