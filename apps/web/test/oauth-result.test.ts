import type { AccountOut } from '@popgate/contracts';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Component } from 'vue';
import { createMemoryHistory, createRouter } from 'vue-router';
import { api } from '../src/api/client';
import AccountCard from '../src/components/accounts/AccountCard.vue';
import { accountFix } from '../src/lib/account-status';
import { readOAuthResult, withoutOAuthResult } from '../src/lib/oauth';
import AccountEditView from '../src/views/AccountEditView.vue';
import AccountsView from '../src/views/AccountsView.vue';
import AdminAccountsView from '../src/views/admin/AdminAccountsView.vue';
import { useAuthStore } from '../src/stores/auth';
import { adminAccount } from './support/admin-factories';
import { account } from './support/factories';
import { fakeApi } from './support/fake-api';

const ID = '00000000-0000-7000-8000-0000000000a1';
const GOOGLE = { name: 'google', label: 'Google', scopes: ['https://mail.google.com/'] };
const grant = (overrides: Partial<NonNullable<AccountOut['oauth']>> = {}) => ({
  provider: 'google',
  subject: 'ada@gmail.com',
  status: 'active' as const,
  lastRefreshedAt: new Date(Date.now() - 3 * 60_000).toISOString(),
  accessExpiresAt: null,
  refreshCount: 2,
  ...overrides,
});
const linked = account({
  id: ID,
  label: 'Gmail',
  host: 'pop.gmail.com',
  username: 'ada@gmail.com',
  auth: 'xoauth2',
  status: 'new',
  oauth: grant(),
});
const withdrawn = account({
  ...linked,
  status: 'auth_failed',
  lastErrorCode: 'OAUTH_REAUTH',
  lastError: 'Google refused the refresh token (invalid_grant)',
  oauth: grant({ status: 'reauth_required' }),
});

async function mountPage(view: Component, path: string, routes: Parameters<typeof fakeApi>[0]) {
  const pinia = createPinia();
  setActivePinia(pinia);
  api.resetCsrf();
  const server = fakeApi({
    'GET /api/oauth/providers': { body: { items: [GOOGLE] } },
    'GET /api/identities': { body: [] },
    ...routes,
  });
  vi.stubGlobal('fetch', server.fetcher);
  useAuthStore().me = { id: 'u1', email: 'ada@example.com', role: 'admin' };
  const Blank = { render: () => null };
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/accounts', name: 'accounts', component: Blank },
      { path: '/accounts/new', name: 'account-new', component: Blank },
      { path: '/accounts/:accountId', name: 'account-edit', component: Blank },
      { path: '/mail/account/:accountId', name: 'mail-account', component: Blank },
      { path: '/admin/accounts', name: 'admin-accounts', component: Blank },
    ],
  });
  await router.push(path);
  const wrapper = mount(view, { global: { plugins: [pinia, router] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, server, router };
}

describe('the result of a sign-in at the provider', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('reads linked and error results from the address, and nothing else', () => {
    expect(readOAuthResult({ oauth: 'linked', provider: 'google' })).toEqual({
      ok: true,
      provider: 'google',
    });
    expect(
      readOAuthResult({ oauth: 'error', code: 'OAUTH_DENIED', message: 'You said no.' }),
    ).toEqual({ ok: false, code: 'OAUTH_DENIED', message: 'You said no.' });
    expect(readOAuthResult({ oauth: 'error' })).toMatchObject({ ok: false, message: /again/ });
    expect(readOAuthResult({ oauth: ['linked'] })).toBeNull();
    expect(readOAuthResult({ setup: 'sending' })).toBeNull();
    expect(
      withoutOAuthResult({ oauth: 'error', code: 'X', message: 'm', provider: 'p', setup: 's' }),
    ).toEqual({ setup: 's' });
  });

  it('says the account is signed in, checks it at once, and leaves the address clean', async () => {
    const { wrapper, server, router } = await mountPage(
      AccountEditView,
      `/accounts/${ID}?oauth=linked&provider=google`,
      {
        'GET /api/accounts': { body: [linked] },
        [`POST /api/accounts/${ID}/sync`]: { body: { accountId: ID, requested: true } },
      },
    );
    const notice = wrapper.get('[data-testid="oauth-result"]');
    expect(notice.attributes('role')).toBe('status');
    expect(notice.text()).toContain('Signed in with Google.');
    expect(notice.text()).toContain('checking it for mail now');
    expect(server.apiCalls().some((call) => call.url === `/api/accounts/${ID}/sync`)).toBe(true);
    expect(router.currentRoute.value.query).toEqual({});
    expect(router.currentRoute.value.params.accountId).toBe(ID);
    wrapper.unmount();
  });

  it('shows the provider’s refusal in plain words, and changes nothing', async () => {
    const message = 'Google said: access_denied (you declined to give Popgate access)';
    const { wrapper, server } = await mountPage(
      AccountEditView,
      `/accounts/${ID}?oauth=error&code=OAUTH_PROVIDER_ERROR&message=${encodeURIComponent(message)}`,
      { 'GET /api/accounts': { body: [linked] } },
    );
    const notice = wrapper.get('[data-testid="oauth-result"]');
    expect(notice.attributes('role')).toBe('alert');
    expect(wrapper.get('[data-testid="oauth-error-message"]').text()).toBe(message);
    expect(server.apiCalls().some((call) => call.method === 'POST')).toBe(false);
    await notice.get('button').trigger('click');
    expect(wrapper.find('[data-testid="oauth-result"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('shows an error that could not name its account on the accounts page', async () => {
    const { wrapper } = await mountPage(
      AccountsView,
      '/accounts?oauth=error&code=OAUTH_STATE_MISMATCH&message=This%20sign-in%20was%20not%20started%20here',
      { 'GET /api/accounts': { body: [] } },
    );
    expect(wrapper.get('[data-testid="oauth-error-message"]').text()).toBe(
      'This sign-in was not started here',
    );
    wrapper.unmount();
  });
});

describe('an account whose provider withdrew the sign-in', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('says to sign in to the provider again rather than to change a password', () => {
    const fix = accountFix(withdrawn, (name) => (name === 'google' ? 'Google' : name));
    expect(fix).toMatchObject({
      action: 'oauth',
      actionLabel: 'Sign in to Google again',
      provider: 'google',
    });
    expect(fix!.text).toMatch(/^Google no longer lets Popgate into this mailbox/);
    expect(accountFix({ ...withdrawn, lastErrorCode: 'AUTH' })).toMatchObject({
      action: 'password',
    });
  });

  it('has a button on its card that starts the sign-in for this account', async () => {
    const { wrapper } = await mountPage(
      {
        components: { AccountCard },
        template: '<AccountCard :account="a" :now="now" />',
        data: () => ({ a: withdrawn, now: Date.now() }),
      },
      '/accounts',
      {},
    );
    await useOAuthStoreLoaded();
    const button = wrapper.get('[data-testid="sign-in-again"]');
    expect(button.text()).toBe('Sign in to Google again');
    expect(button.attributes('href')).toBe(
      `/api/oauth/google/start?accountId=${ID}&loginHint=ada%40gmail.com`,
    );
    expect(wrapper.get('[data-testid="account-status"]').text()).toBe('Sign-in needed');
    expect(wrapper.text()).not.toContain('Update the password');
    wrapper.unmount();
  });
});

describe('the admin accounts list', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('shows which accounts sign in with OAuth2 and when each token was last refreshed', async () => {
    const { wrapper } = await mountPage(AdminAccountsView, '/admin/accounts', {
      'GET /api/admin/accounts': {
        body: {
          items: [
            adminAccount({ id: 'a1', label: 'Gmail', auth: 'xoauth2', oauth: grant() }),
            adminAccount({ id: 'a2', label: 'Home' }),
          ],
        },
      },
    });
    const signIns = wrapper
      .findAll('[data-testid="admin-account-sign-in"]')
      .map((cell) => cell.text().replace(/\s+/g, ' '));
    expect(signIns).toEqual(['OAuth2 (Google) — last refreshed 3 minutes ago', 'Password']);
    await wrapper.get('button[aria-label="Details of Gmail (bob@example.com)"]').trigger('click');
    await flushPromises();
    expect(document.querySelector('[data-testid="detail-oauth-refreshed"]')!.textContent).toMatch(
      /3 minutes ago\s*\(2 refreshes since the sign-in\)/,
    );
    expect(document.body.textContent).not.toMatch(/token(?! last)/i);
    wrapper.unmount();
  });
});

/** The providers' names arrive with GET /api/oauth/providers. */
async function useOAuthStoreLoaded() {
  const { useOAuthStore } = await import('../src/stores/oauth');
  await useOAuthStore().ensureLoaded();
  await flushPromises();
}
