import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../src/api/client';
import { useAdminAccountsStore } from '../src/stores/admin-accounts';
import { useAdminAuditStore } from '../src/stores/admin-audit';
import { useAdminPolicyStore } from '../src/stores/admin-policy';
import { useAdminUsersStore } from '../src/stores/admin-users';
import { adminAccount, adminPolicy, adminUser } from './support/admin-factories';
import { fakeApi } from './support/fake-api';

const ADA = adminUser();
const BOB = adminUser({
  id: '00000000-0000-7000-8000-000000000002',
  email: 'bob@example.com',
  role: 'user',
});

describe('the admin stores', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    api.resetCsrf();
  });

  it('searches users, and adds a created one in order with its sign-in link', async () => {
    const server = fakeApi({
      'GET /api/admin/users': { body: { items: [ADA, BOB] } },
      'POST /api/admin/users': (call) => ({
        status: 201,
        body: {
          user: adminUser({
            id: 'new',
            email: (call.body as { email: string }).email,
            role: 'user',
          }),
          signInLink: '/sign-in/link#token',
        },
      }),
    });
    vi.stubGlobal('fetch', server.fetcher);
    const users = useAdminUsersStore();
    await users.load('  bo ');
    expect(server.apiCalls()[0]!.url).toBe('/api/admin/users?q=bo');
    const created = await users.create({ email: 'amy@example.com' });
    expect(created.signInLink).toBe('/sign-in/link#token');
    expect(users.users.map((user) => user.email)).toEqual([
      'ada@example.com',
      'amy@example.com',
      'bob@example.com',
    ]);
  });

  it('keeps a user as they were when the server refuses the change, with its words', async () => {
    vi.stubGlobal(
      'fetch',
      fakeApi({
        'GET /api/admin/users': { body: { items: [ADA] } },
        [`PATCH /api/admin/users/${ADA.id}`]: {
          status: 409,
          body: {
            error: {
              code: 'LAST_ADMIN',
              message: 'This is the last admin: promote someone else first',
            },
          },
        },
      }).fetcher,
    );
    const users = useAdminUsersStore();
    await users.load();
    const refused = await users.setRole(ADA.id, 'user').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe('LAST_ADMIN');
    expect((refused as ApiError).message).toBe(
      'This is the last admin: promote someone else first',
    );
    expect(users.users[0]!.role).toBe('admin');
  });

  it('asks for accounts by status and sort, and turns the order round on the same column', async () => {
    const server = fakeApi({
      'GET /api/admin/accounts': { body: { items: [adminAccount()] } },
    });
    vi.stubGlobal('fetch', server.fetcher);
    const accounts = useAdminAccountsStore();
    accounts.filters.status = 'auth_failed';
    await accounts.load();
    expect(server.apiCalls().at(-1)!.url).toBe(
      '/api/admin/accounts?status=auth_failed&sort=host&order=asc',
    );
    await accounts.sortBy('host');
    expect(server.apiCalls().at(-1)!.url).toContain('sort=host&order=desc');
    await accounts.sortBy('lastSyncAt');
    expect(server.apiCalls().at(-1)!.url).toContain('sort=lastSyncAt&order=desc');
  });

  it('keeps the answer for the latest filters when an older one arrives late', async () => {
    let releaseSlow: () => void = () => {};
    const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
    vi.stubGlobal(
      'fetch',
      fakeApi({
        'GET /api/admin/accounts': async (call) => {
          if (call.url.includes('status=ok')) {
            await slow;
            return { body: { items: [adminAccount({ label: 'Old answer' })] } };
          }
          return { body: { items: [adminAccount({ label: 'New answer' })] } };
        },
      }).fetcher,
    );
    const accounts = useAdminAccountsStore();
    accounts.filters.status = 'ok';
    const first = accounts.load();
    accounts.filters.status = '';
    await accounts.load();
    releaseSlow();
    await first;
    expect(accounts.accounts.map((account) => account.label)).toEqual(['New answer']);
  });

  it('disables an account and loads its history and diagnostics', async () => {
    const id = adminAccount().id;
    const server = fakeApi({
      'GET /api/admin/accounts': { body: { items: [adminAccount()] } },
      [`PATCH /api/admin/accounts/${id}`]: {
        body: adminAccount({ disabled: true, status: 'disabled' }),
      },
      [`GET /api/admin/accounts/${id}/sync-runs`]: { body: { items: [] } },
      [`GET /api/admin/accounts/${id}/diagnostics`]: {
        body: {
          checkedAt: null,
          status: 'ok',
          serverInfo: null,
          certificate: null,
          warnings: ['W'],
        },
      },
    });
    vi.stubGlobal('fetch', server.fetcher);
    const accounts = useAdminAccountsStore();
    await accounts.load();
    await accounts.setDisabled(id, true);
    expect(server.apiCalls().at(-1)!.body).toEqual({ disabled: true });
    expect(accounts.accounts[0]!.status).toBe('disabled');
    await accounts.loadDetail(id);
    expect(accounts.details[id]).toEqual({
      runs: [],
      diagnostics: expect.objectContaining({ warnings: ['W'] }),
      error: null,
    });
  });

  it('saves the policy and exports the audit log with the filters shown', async () => {
    const server = fakeApi({
      'PATCH /api/admin/policy': (call) => ({ body: adminPolicy(call.body as object) }),
    });
    vi.stubGlobal('fetch', server.fetcher);
    const policy = useAdminPolicyStore();
    await policy.save({ refusedHosts: ['pop.bad.example'] });
    expect(policy.policy?.refusedHosts).toEqual(['pop.bad.example']);

    const audit = useAdminAuditStore();
    audit.filters.action = 'admin.';
    audit.filters.actor = ' ada ';
    expect(audit.csvUrl).toBe('/api/admin/audit?action=admin.&actor=ada&limit=10000&format=csv');
    audit.filters.since = '2026-03-01';
    expect(new URL(audit.csvUrl, 'http://x').searchParams.get('since')).toBe(
      new Date('2026-03-01T00:00:00').toISOString(),
    );
  });
});
