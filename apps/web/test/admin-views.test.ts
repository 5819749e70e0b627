import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Component } from 'vue';
import { createMemoryHistory, createRouter } from 'vue-router';
import { api } from '../src/api/client';
import { createAppRouter } from '../src/router';
import { useAuthStore } from '../src/stores/auth';
import AdminAccountsView from '../src/views/admin/AdminAccountsView.vue';
import AdminPolicyView from '../src/views/admin/AdminPolicyView.vue';
import AdminUsersView from '../src/views/admin/AdminUsersView.vue';
import { adminAccount, adminPolicy, adminUser } from './support/admin-factories';
import { fakeApi } from './support/fake-api';

const ADA = adminUser();

/** Mounts an admin page on a memory router, the API answered by `routes`. */
async function mountPage(page: Component, path: string, routes: Parameters<typeof fakeApi>[0]) {
  const pinia = createPinia();
  setActivePinia(pinia);
  api.resetCsrf();
  const server = fakeApi(routes);
  vi.stubGlobal('fetch', server.fetcher);
  useAuthStore().me = { id: ADA.id, email: ADA.email, role: 'admin' };
  const Blank = { render: () => null };
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/admin/users', name: 'admin-users', component: Blank },
      { path: '/admin/accounts', name: 'admin-accounts', component: Blank },
      { path: '/admin/policy', name: 'admin-policy', component: Blank },
    ],
  });
  await router.push(path);
  const wrapper = mount(page, { global: { plugins: [pinia, router] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, server, router };
}

describe('the admin pages', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('asks before demoting, and shows the server’s refusal to demote the last admin', async () => {
    const { wrapper, server } = await mountPage(AdminUsersView, '/admin/users', {
      'GET /api/admin/users': { body: { items: [ADA] } },
      'GET /api/admin/policy': { body: adminPolicy() },
      [`PATCH /api/admin/users/${ADA.id}`]: {
        status: 409,
        body: {
          error: {
            code: 'LAST_ADMIN',
            message: 'This is the last admin: promote someone else first',
          },
        },
      },
    });
    await wrapper.find(`button[aria-label="Remove admin: ${ADA.email}"]`).trigger('click');
    await flushPromises();
    expect(document.body.textContent).toContain(`Remove ${ADA.email} as admin?`);
    expect(server.apiCalls().some((call) => call.method === 'PATCH')).toBe(false);
    await wrapper.find('[data-testid="confirm"]').trigger('click');
    await flushPromises();
    const alert = wrapper.find('[role="alert"]');
    expect(alert.text()).toBe('This is the last admin: promote someone else first');
    expect(wrapper.find('[data-testid="users-table"]').text()).toContain('Admin');
    wrapper.unmount();
  });

  it('filters the accounts by status, from the address and from the list', async () => {
    const failing = adminAccount({ id: 'a2', label: 'Broken', status: 'auth_failed' });
    const { wrapper, server, router } = await mountPage(
      AdminAccountsView,
      '/admin/accounts?status=auth_failed',
      {
        'GET /api/admin/accounts': (call) => ({
          body: {
            items: call.url.includes('status=auth_failed') ? [failing] : [adminAccount(), failing],
          },
        }),
      },
    );
    expect(server.apiCalls()[0]!.url).toContain('status=auth_failed');
    const rows = () => wrapper.findAll('tbody tr[data-account]');
    expect(rows().map((row) => row.attributes('data-account'))).toEqual(['Broken']);
    expect(rows()[0]!.text()).toContain('Password rejected');
    expect(wrapper.find('caption').text()).toContain('with the status “Password rejected”');

    await wrapper.find('select#account-status').setValue('');
    await flushPromises();
    expect(server.apiCalls().at(-1)!.url).not.toContain('status=');
    expect(rows()).toHaveLength(2);
    expect(router.currentRoute.value.query.status).toBeUndefined();
    expect(wrapper.text()).not.toMatch(/subject|snippet/i);
    wrapper.unmount();
  });

  it('names the bad network of a policy list and sends nothing until it is fixed', async () => {
    const { wrapper, server } = await mountPage(AdminPolicyView, '/admin/policy', {
      'GET /api/admin/policy': { body: adminPolicy() },
      'PATCH /api/admin/policy': (call) => ({ body: adminPolicy(call.body as object) }),
    });
    const networks = wrapper.find('textarea#policy-refusedNetworks');
    await networks.setValue('192.0.2.0/24\n10.0.0.0/33');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('#policy-refusedNetworks-hint').text()).toBe(
      '“10.0.0.0/33” is not a network like 10.0.0.0/8 or 2001:db8::/32.',
    );
    expect(networks.attributes('aria-invalid')).toBe('true');
    expect(document.activeElement?.id).toBe('policy-refusedNetworks');
    expect(wrapper.find('[data-testid="policy-errors"]').text()).toContain('Nothing was saved');
    expect(server.apiCalls().some((call) => call.method === 'PATCH')).toBe(false);

    await networks.setValue('192.0.2.0/24');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    const patch = server.apiCalls().find((call) => call.method === 'PATCH');
    expect(patch?.body).toMatchObject({
      refusedNetworks: ['192.0.2.0/24'],
      allowedPorts: [110, 995],
    });
    expect(wrapper.find('[data-testid="action-result"]').text()).toContain('Policy saved');
    wrapper.unmount();
  });

  it('sends a user who is not an admin away from the console', async () => {
    setActivePinia(createPinia());
    api.resetCsrf();
    vi.stubGlobal(
      'fetch',
      fakeApi({
        'GET /api/auth/me': { body: { id: 'u', email: 'bob@example.com', role: 'user' } },
      }).fetcher,
    );
    const router = createAppRouter();
    await router.push('/admin/users');
    expect(router.currentRoute.value.name).toBe('mail');
    expect(router.currentRoute.value.params.box).toBe('inbox');
    // The mail view is loaded on the way (a lazy route): compiling it takes seconds on a busy machine.
  }, 30_000);
});
