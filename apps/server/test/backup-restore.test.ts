import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openAccountSecret } from '../src/accounts/account-secret';
import { linkAccount } from '../src/accounts/link-account';
import { Keyring } from '../src/crypto/secret-box';
import { parseMessage } from '../src/mail/parse-message';
import { storeMessages } from '../src/messages/store';
import { secretKeyId } from '../src/secret-key';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createDatabase, createMigratedDatabase, dropDatabase } from './support/databases';

const run = promisify(execFile);

/** What docs/operations.md tells an operator to run, run here as written there. */
const dump = (url: string, file: string) =>
  run('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, url]);
const restore = (url: string, file: string) =>
  run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${url}`, file]);

const databases: string[] = [];
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-backup-'));
afterAll(async () => {
  for (const name of databases) await dropDatabase(name);
  fs.rmSync(folder, { recursive: true, force: true });
});

describe('backup and restore (docs/operations.md)', () => {
  it('pg_dump, pg_restore into a new database, and the same secret key: a message and a sealed password come back', async () => {
    const key = randomBytes(32);
    const env = { POPGATE_SECRET_KEY: key.toString('base64') };
    const original = await createMigratedDatabase('popgate_test_backup');
    databases.push(original.name);
    const before = await testApp({ databaseUrl: original.url, env });
    const browser = new ApiClient(before.app);
    const me = await browser.signUp('backed-up@example.test');
    const keyring = new Keyring({ id: secretKeyId(key), key });
    const account = await linkAccount(before.db.prisma, keyring, me.id, {
      label: 'Kept',
      host: 'pop.example.test',
      port: 995,
      security: 'tls',
      username: 'kept',
      password: 'the POP3 password',
      auth: 'auto',
    });
    const raw = Buffer.from(
      'From: Ada <ada@example.test>\r\nSubject: Worth keeping\r\n\r\nBody \xe9.\r\n',
      'latin1',
    );
    const [stored] = await storeMessages(before.db.prisma, [
      {
        message: {
          accountId: account.id,
          userId: me.id,
          uidl: 'kept-1',
          listedSize: raw.length,
          raw,
          headersOnly: false,
          receivedAt: new Date(),
        },
        parsed: await parseMessage(raw),
      },
    ]);
    await before.close();

    const file = path.join(folder, 'popgate.dump');
    await dump(original.url, file);
    const restored = await createDatabase('popgate_test_restored');
    databases.push(restored.name);
    await restore(restored.url, file);

    const after = await testApp({ databaseUrl: restored.url, env });
    try {
      const again = new ApiClient(after.app);
      const login = await again.post('/api/auth/login', {
        email: 'backed-up@example.test',
        password: 'correct horse battery',
      });
      expect(login.statusCode).toBe(200);
      const read = await again.get(`/api/messages/${stored!.id}/raw`);
      expect(read.statusCode).toBe(200);
      expect(read.rawPayload.equals(raw)).toBe(true);
      const sealed = await after.db.prisma.pop3Account.findUniqueOrThrow({
        where: { id: account.id },
      });
      expect(openAccountSecret(keyring, sealed)).toBe('the POP3 password');
      // Without the key the sealed passwords are lost: another key cannot open them.
      const otherKey = randomBytes(32);
      expect(() =>
        openAccountSecret(new Keyring({ id: secretKeyId(otherKey), key: otherKey }), sealed),
      ).toThrow();
    } finally {
      await after.close();
    }
  });
});
