import { randomBytes } from 'node:crypto';
import { ServerInfo, type AccountDiagnostics, type AccountOut } from '@popgate/contracts';
import { Pop3Server } from '@popgate/pop3-server';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import { syncAccount } from '../src/sync/account-sync';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { localAccount } from './support/fixtures';

let subject: Awaited<ReturnType<typeof testApp>>;
let pop3: Pop3Server;
beforeAll(async () => {
  // The POP3 server of these tests listens on 127.0.0.1.
  subject = await testApp({ env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' } });
  pop3 = await Pop3Server.start({
    users: [{ username: 'user', password: 'secret' }],
    mailboxes: { user: [{ body: Buffer.from('Subject: hi\r\n\r\nhello\r\n') }] },
  });
});
afterAll(async () => {
  await pop3?.close();
  await subject?.close();
});

describe("what a server said about itself at an account's last check", () => {
  it('is shown whole, in the shape the contract declares, to the owner and in the diagnostics', async () => {
    const prisma = subject.db.prisma;
    const tag = randomBytes(4).toString('hex');
    const owner = new ApiClient(subject.app);
    const me = await owner.signUp(`info-${tag}@example.test`);
    const admin = new ApiClient(subject.app);
    const adminUser = await admin.signUp(`info-admin-${tag}@example.test`);
    await prisma.user.update({ where: { id: adminUser.id }, data: { role: 'admin' } });
    const account = await linkAccount(prisma, subject.app.keyring, me.id, localAccount(pop3.port));
    expect((await owner.get(`/api/accounts/${account.id}`)).json<AccountOut>().serverInfo).toBe(
      null,
    );

    await syncAccount(subject.app.syncContext, account.id, new AbortController().signal);
    const stored = (await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } }))
      .serverInfo;
    const shown = (await owner.get(`/api/accounts/${account.id}`)).json<AccountOut>().serverInfo;
    expect(Value.Check(ServerInfo, shown)).toBe(true);
    expect(shown).toEqual(stored);
    expect(shown).toMatchObject({ host: '127.0.0.1', port: pop3.port, security: 'none' });

    const diagnostics = (
      await admin.get(`/api/admin/accounts/${account.id}/diagnostics`)
    ).json<AccountDiagnostics>();
    expect(diagnostics.serverInfo).toEqual(stored);
  });
});
