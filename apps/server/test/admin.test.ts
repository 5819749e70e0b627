import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueAccounts } from '../src/sync/claim';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';
import { userWithAccount } from './support/fixtures';

let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;
let admin: ApiClient;
let user: ApiClient;
let userId: string;

// The first user to sign up becomes admin: this file gets a database of its own.
beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_admin');
  subject = await testApp({ databaseUrl: database.url });
  admin = new ApiClient(subject.app);
  await admin.signUp('root@example.test');
  user = new ApiClient(subject.app);
  userId = (await user.signUp('member@example.test')).id;
});
afterAll(async () => {
  await subject?.close();
  if (database) await dropDatabase(database.name);
});

const ADMIN_ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/api/admin/users'],
  ['POST', '/api/admin/users', { email: 'x@example.test' }],
  ['PATCH', '/api/admin/users/00000000-0000-7000-8000-000000000000', { disabled: true }],
  ['POST', '/api/admin/users/00000000-0000-7000-8000-000000000000/sign-out'],
  ['GET', '/api/admin/accounts'],
  ['PATCH', '/api/admin/accounts/00000000-0000-7000-8000-000000000000', { disabled: true }],
  ['POST', '/api/admin/accounts/00000000-0000-7000-8000-000000000000/sync'],
  ['GET', '/api/admin/accounts/00000000-0000-7000-8000-000000000000/sync-runs'],
  ['GET', '/api/admin/accounts/00000000-0000-7000-8000-000000000000/diagnostics'],
  ['GET', '/api/admin/sync-runs'],
  ['GET', '/api/admin/policy'],
  ['PATCH', '/api/admin/policy', { requireTls: true }],
  ['GET', '/api/admin/audit'],
  ['GET', '/api/admin/overview'],
];

describe('admin routes', () => {
  it.each(ADMIN_ROUTES)(
    '%s %s refuses anonymous callers (401) and non-admins (403)',
    async (method, url, body) => {
      const anonymous = await new ApiClient(subject.app).request(method as never, url, body);
      expect(anonymous.statusCode).toBe(401);
      const member = await user.request(method as never, url, body);
      expect(member.statusCode).toBe(403);
      expect(member.json().error.code).toBe('FORBIDDEN');
    },
  );

  it('lists and searches users', async () => {
    const all = (await admin.get('/api/admin/users'))
      .json()
      .items.map((u: { email: string }) => u.email);
    expect(all).toEqual(expect.arrayContaining(['root@example.test', 'member@example.test']));
    const found = (await admin.get('/api/admin/users?q=MEMB')).json().items;
    expect(found.map((u: { email: string }) => u.email)).toEqual(['member@example.test']);
    // Signing up is a first sign-in.
    expect(Date.parse(found[0].lastLoginAt)).toBeGreaterThan(Date.now() - 600_000);
  });

  it('creates a user with an initial password who can then sign in', async () => {
    const created = await admin.post('/api/admin/users', {
      email: 'new@example.test',
      password: 'initial password',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      user: { email: 'new@example.test', role: 'user' },
      signInLink: null,
    });
    const login = await new ApiClient(subject.app).post('/api/auth/login', {
      email: 'new@example.test',
      password: 'initial password',
    });
    expect(login.statusCode).toBe(200);
  });

  it('creates a user with a one-time sign-in link, after which they choose a password', async () => {
    const created = (await admin.post('/api/admin/users', { email: 'linked@example.test' })).json();
    const token = created.signInLink.split('#')[1];
    const newcomer = new ApiClient(subject.app);
    expect((await newcomer.post('/api/auth/link', { token })).statusCode).toBe(200);
    expect(
      (await newcomer.post('/api/auth/password', { newPassword: 'my own password' })).statusCode,
    ).toBe(204);
    expect(
      (await new ApiClient(subject.app).post('/api/auth/link', { token })).json().error.code,
    ).toBe('BAD_LINK');
    expect(
      (
        await new ApiClient(subject.app).post('/api/auth/login', {
          email: 'linked@example.test',
          password: 'my own password',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('disables a user: their sessions end at once and their accounts stop being polled', async () => {
    const victim = new ApiClient(subject.app);
    const { id } = await victim.signUp('leaving@example.test');
    const account = await subject.db.prisma.pop3Account.create({
      data: {
        userId: id,
        label: 'x',
        host: 'pop.leaving.test',
        port: 995,
        username: 'x',
        secretCiphertext: new Uint8Array([0]),
        secretKeyId: 'k',
      },
    });
    const patched = await admin.patch(`/api/admin/users/${id}`, { disabled: true });
    expect(patched.json()).toMatchObject({ disabled: true });
    expect((await victim.get('/api/auth/me')).statusCode).toBe(401);
    const claimed = await claimDueAccounts(subject.db.prisma, 'admin-test', {
      limit: 100,
      perHost: 100,
      leaseSeconds: 1,
    });
    expect(claimed.map((c) => c.id)).not.toContain(account.id);
    const relogin = await new ApiClient(subject.app).post('/api/auth/login', {
      email: 'leaving@example.test',
      password: 'correct horse battery',
    });
    expect(relogin.statusCode).toBe(401);
  });

  it('signs a user out everywhere', async () => {
    const phone = new ApiClient(subject.app);
    await phone.post('/api/auth/login', {
      email: 'member@example.test',
      password: 'correct horse battery',
    });
    expect((await admin.post(`/api/admin/users/${userId}/sign-out`)).statusCode).toBe(204);
    expect((await phone.get('/api/auth/me')).statusCode).toBe(401);
    expect((await user.get('/api/auth/me')).statusCode).toBe(401);
    await user.post('/api/auth/login', {
      email: 'member@example.test',
      password: 'correct horse battery',
    });
  });

  it('promotes and demotes, but never the last admin', async () => {
    const root = (await admin.get('/api/auth/me')).json();
    const refused = await admin.patch(`/api/admin/users/${root.id}`, { role: 'user' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('LAST_ADMIN');
    expect((await admin.patch(`/api/admin/users/${userId}`, { role: 'admin' })).json().role).toBe(
      'admin',
    );
    expect((await admin.patch(`/api/admin/users/${userId}`, { role: 'user' })).json().role).toBe(
      'user',
    );
  });

  it('shows linked accounts of every user with volume and state, but no mail content', async () => {
    const { account } = await userWithAccount(subject.db.prisma, {
      host: 'pop.volume.test',
      status: 'auth_failed',
      lastErrorCode: 'AUTH_FAILED',
    });
    await subject.db.prisma.message.create({
      data: {
        accountId: account.id,
        userId: account.userId,
        uidl: 'u1',
        size: 1234,
        date: new Date(),
        subject: 'Secret salary review',
        fromAddress: 'boss@corp.test',
        textBody: 'confidential body',
      },
    });
    const response = await admin.get('/api/admin/accounts?status=auth_failed');
    const row = response.json().items.find((a: { id: string }) => a.id === account.id);
    expect(row).toMatchObject({
      host: 'pop.volume.test',
      status: 'auth_failed',
      messageCount: 1,
      bytes: 1234,
    });
    expect(response.body).not.toMatch(/Secret salary|boss@corp|confidential/);
    const runs = await admin.get(`/api/admin/accounts/${account.id}/sync-runs`);
    expect(runs.json()).toEqual({ items: [] });
  });

  it('disables an account so that it is no longer polled, and enables it again', async () => {
    const { account } = await userWithAccount(subject.db.prisma, { host: 'pop.toggle.test' });
    expect(
      (await admin.patch(`/api/admin/accounts/${account.id}`, { disabled: true })).json(),
    ).toMatchObject({ disabled: true, status: 'disabled' });
    const claimed = await claimDueAccounts(subject.db.prisma, 'admin-test', {
      limit: 100,
      perHost: 100,
      leaseSeconds: 1,
    });
    expect(claimed.map((c) => c.id)).not.toContain(account.id);
    expect(
      (await admin.patch(`/api/admin/accounts/${account.id}`, { disabled: false })).json(),
    ).toMatchObject({ disabled: false });
  });

  it('warns when the server expires mail sooner than the account means to leave it there', async () => {
    const { account } = await userWithAccount(subject.db.prisma, {
      serverInfo: {
        expire: 30,
        tls: { validTo: new Date(Date.now() + 5 * 86_400_000).toISOString() },
        capabilities: ['EXPIRE 30'],
      },
    });
    const diagnostics = (await admin.get(`/api/admin/accounts/${account.id}/diagnostics`)).json();
    expect(diagnostics.warnings.join(' ')).toMatch(/deletes mail after 30 days/);
    expect(diagnostics.warnings.join(' ')).toMatch(/certificate expires in [45] days/);
  });

  it('changes the policy, refuses a malformed network naming it, and records the change', async () => {
    const bad = await admin.patch('/api/admin/policy', {
      refusedNetworks: ['10.0.0.0/8', 'not-a-net'],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('not-a-net');
    const good = await admin.patch('/api/admin/policy', {
      refusedNetworks: ['10.0.0.0/8', '2001:db8::/32'],
      minPollSeconds: 120,
    });
    expect(good.json()).toMatchObject({
      refusedNetworks: ['10.0.0.0/8', '2001:db8::/32'],
      minPollSeconds: 120,
    });
    expect((await admin.get('/api/admin/policy')).json().minPollSeconds).toBe(120);
    const audit = (await admin.get('/api/admin/audit?action=admin.policy_changed')).json().items;
    expect(audit[0].details.minPollSeconds).toEqual({ from: 60, to: 120 });
  });

  it('records only the policy fields a save changed, and nothing for a save that changed none', async () => {
    const current = (await admin.get('/api/admin/policy')).json();
    const auditCount = async () =>
      (await admin.get('/api/admin/audit?action=admin.policy_changed')).json().items.length;
    const before = await auditCount();
    // The policy form sends every field back, changed or not.
    const same = await admin.patch('/api/admin/policy', current);
    expect(same.statusCode).toBe(200);
    expect(await auditCount()).toBe(before);
    const saved = await admin.patch('/api/admin/policy', {
      ...current,
      requireTls: !current.requireTls,
      allowedHosts: [...current.allowedHosts, 'pop.example.org'],
    });
    expect(saved.statusCode).toBe(200);
    const audit = (await admin.get('/api/admin/audit?action=admin.policy_changed')).json().items;
    expect(audit).toHaveLength(before + 1);
    expect(audit[0].details).toEqual({
      requireTls: { from: current.requireTls, to: !current.requireTls },
      allowedHosts: {
        from: current.allowedHosts,
        to: [...current.allowedHosts, 'pop.example.org'],
      },
    });
  });

  it('exports the audit log as CSV, safe to open in a spreadsheet', async () => {
    await subject.db.prisma.auditLog.create({
      data: { action: 'test.formula', actorEmail: '=HYPERLINK("x")' },
    });
    const csv = await admin.get('/api/admin/audit?format=csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('attachment');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('at,action,actorEmail,actorUserId,targetType,targetId,ip,details');
    expect(csv.body).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv.body).toContain('user.login');
  });

  it('gives overview numbers for the last 24 hours', async () => {
    const { account } = await userWithAccount(subject.db.prisma);
    await subject.db.prisma.syncRun.create({
      data: {
        accountId: account.id,
        instanceId: 't',
        outcome: 'failed',
        endedAt: new Date(),
        newMessages: 0,
      },
    });
    await subject.db.prisma.syncRun.create({
      data: {
        accountId: account.id,
        instanceId: 't',
        outcome: 'ok',
        endedAt: new Date(),
        newMessages: 7,
        bytes: 7000n,
      },
    });
    const overview = (await admin.get('/api/admin/overview')).json();
    expect(overview.last24h).toMatchObject({ syncs: 2, failedSyncs: 1, messages: 7, bytes: 7000 });
    expect(overview.last24h.hourly).toHaveLength(24);
    expect(overview.accountsByStatus.new).toBeGreaterThan(0);
  });

  describe('changes only the columns it manages', () => {
    it('refuses a password hash, an email or an id in a user change, and the user keeps theirs', async () => {
      const victim = new ApiClient(subject.app);
      const { id } = await victim.signUp('victim@example.test', 'the victims own password');
      const before = await subject.db.prisma.user.findUniqueOrThrow({ where: { id } });
      const auditBefore = await subject.db.prisma.auditLog.count();
      for (const body of [
        { passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$chosen$byadmin' },
        { email: 'admin-chose-this@example.test' },
        { id: '00000000-0000-7000-8000-000000000001' },
        { disabled: false, passwordHash: 'x' },
      ]) {
        const response = await admin.patch(`/api/admin/users/${id}`, body);
        expect(response.statusCode).toBe(400);
        expect(response.json().error.code).toBe('VALIDATION');
        expect(response.json().error.message).toMatch(/is not a known field/);
      }
      const after = await subject.db.prisma.user.findUniqueOrThrow({ where: { id } });
      expect(after).toEqual(before);
      // The victim still signs in with their own password; nothing was written to the audit log.
      const login = await new ApiClient(subject.app).post('/api/auth/login', {
        email: 'victim@example.test',
        password: 'the victims own password',
      });
      expect(login.statusCode).toBe(200);
      const entries = await subject.db.prisma.auditLog.findMany({
        where: { action: 'admin.user_changed', targetId: id },
      });
      expect(entries).toEqual([]);
      expect(await subject.db.prisma.auditLog.count()).toBeGreaterThan(auditBefore);
    });

    it('records in the audit log only the fields it changed', async () => {
      const other = new ApiClient(subject.app);
      const { id } = await other.signUp('audited@example.test');
      expect((await admin.patch(`/api/admin/users/${id}`, { disabled: true })).statusCode).toBe(
        200,
      );
      const [entry] = await subject.db.prisma.auditLog.findMany({
        where: { action: 'admin.user_changed', targetId: id },
      });
      expect(entry?.details).toEqual({ disabled: true });
    });

    it.each([[{ id: 2 }], [{ foo: 1 }], [{ signupOpen: true, updatedAt: '2020-01-01T00:00:00Z' }]])(
      'refuses %j in a policy change and keeps the policy working',
      async (body) => {
        const before = (await admin.get('/api/admin/policy')).json();
        const response = await admin.patch('/api/admin/policy', body);
        expect(response.statusCode).toBe(400);
        expect(response.json().error.message).toMatch(/is not a known field/);
        const after = await admin.get('/api/admin/policy');
        expect(after.statusCode).toBe(200);
        expect(after.json()).toEqual(before);
        expect((await admin.get('/api/accounts/defaults')).statusCode).toBe(200);
      },
    );
  });

  it.each([
    ['/api/admin/accounts?status=exploded', 'querystring/status'],
    ['/api/admin/sync-runs?outcome=exploded', 'querystring/outcome'],
  ])('answers %s with 400 naming the field', async (url, field) => {
    const response = await admin.get(url);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain(field);
  });
});
