import { Pop3Server } from '@popgate/pop3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { syncAccount } from '../src/sync/account-sync';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';
import { statementsDuring } from './support/statements';
import { testSyncContext } from './support/sync-context';

let database: { name: string; url: string };
let prisma: Db;
let harness: Awaited<ReturnType<typeof testSyncContext>>;
const never = new AbortController().signal;

beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_unchanged_poll');
  await allowAnyPort(database.url);
  prisma = createPrismaClient(database.url, 4);
  harness = await testSyncContext(prisma);
});
afterAll(async () => {
  await harness?.close();
  await prisma?.$disconnect();
  if (database) await dropDatabase(database.name);
});

describe('a check of a mailbox that has not changed', () => {
  it('does not write the server capabilities again when they are as stored', async () => {
    const server = await Pop3Server.start({
      users: [{ username: 'user', password: 'secret' }],
      mailboxes: { user: [{ body: Buffer.from('Subject: one\r\n\r\nbody\r\n'), uidl: 'one' }] },
    });
    try {
      const user = await prisma.user.create({ data: { email: 'unchanged@example.test' } });
      const account = await linkAccount(prisma, harness.keyring, user.id, {
        label: 'unchanged',
        host: '127.0.0.1',
        port: server.port,
        security: 'none',
        username: 'user',
        password: 'secret',
        auth: 'auto',
      });
      expect((await syncAccount(harness.ctx, account.id, never)).newMessages).toBe(1);
      const statements = await statementsDuring(async () => {
        const result = await syncAccount(harness.ctx, account.id, never);
        expect(result).toMatchObject({ ok: true, newMessages: 0 });
      });
      expect(statements.filter((sql) => /UPDATE[\s\S]*"capabilities" = /.test(sql))).toEqual([]);
      if (process.env.POPGATE_TEST_VERBOSE)
        console.log(`statements of an unchanged poll: ${statements.length}`, statements);
    } finally {
      await server.close();
    }
  });
});
