import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The key that seals POP3 passwords at rest; its id lets sealed secrets name the key they need. */
export interface SecretKey {
  id: string;
  key: Buffer;
}

export const SECRET_KEY_FILE = 'secret.key';

export function secretKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * POPGATE_SECRET_KEY when set; otherwise the key file in the data folder, created on first run
 * readable by its owner only (0600).
 */
export function loadSecretKey(configured: Buffer | undefined, dataDir: string): SecretKey {
  if (configured) return { id: secretKeyId(configured), key: configured };
  const file = path.join(dataDir, SECRET_KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fs.existsSync(file)) {
    try {
      fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) {
    throw new Error(`${file} does not hold a 32-byte base64 key; restore it from a backup`);
  }
  return { id: secretKeyId(key), key };
}
