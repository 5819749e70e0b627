import { randomBytes } from 'node:crypto';
import type { AccountInput } from '../../src/accounts/link-account';
import type { Db } from '../../src/db/prisma';

/** A user with one linked account, named uniquely so tests sharing a database never collide. */
export async function userWithAccount(prisma: Db, account: Record<string, unknown> = {}) {
  const tag = randomBytes(4).toString('hex');
  const user = await prisma.user.create({
    data: { email: `user-${tag}@example.test`, passwordHash: 'unused' },
  });
  const created = await prisma.pop3Account.create({
    data: {
      userId: user.id,
      label: `Account ${tag}`,
      host: 'pop.example.test',
      port: 995,
      username: `user-${tag}`,
      secretCiphertext: new Uint8Array([0]),
      secretKeyId: 'test',
      ...account,
    },
  });
  return { user, account: created };
}

/** An account on a test POP3 server on this machine (user "user", password "secret", no TLS). */
export const localAccount = (
  port: number,
  overrides: Partial<AccountInput> = {},
): AccountInput => ({
  label: 'local',
  host: '127.0.0.1',
  port,
  security: 'none',
  username: 'user',
  password: 'secret',
  auth: 'auto',
  ...overrides,
});
