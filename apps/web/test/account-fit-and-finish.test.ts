import type { AccountOut, ServerInfo } from '@popgate/contracts';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Component } from 'vue';
import { createMemoryHistory, createRouter } from 'vue-router';
import { api } from '../src/api/client';
import AccountCard from '../src/components/accounts/AccountCard.vue';
import AccountForm from '../src/components/accounts/AccountForm.vue';
import { useGetMail } from '../src/composables/useGetMail';
import {
  accountFix,
  describeSchedule,
  explainTestError,
  nextCheckText,
} from '../src/lib/account-status';
import { relativeTime } from '../src/lib/format';
import { useAccountsStore } from '../src/stores/accounts';
import { useAuthStore } from '../src/stores/auth';
import AdminPolicyView from '../src/views/admin/AdminPolicyView.vue';
import { adminPolicy } from './support/admin-factories';
import { account } from './support/factories';
import { fakeApi } from './support/fake-api';

const ID = '00000000-0000-7000-8000-0000000000c1';
const OTHER = '00000000-0000-7000-8000-0000000000c2';

/** Mounts a component on a memory router with the account and admin routes, as `role`. */
async function mountWith(
  component: Component,
  props: Record<string, unknown>,
  routes: Parameters<typeof fakeApi>[0],
  role: 'admin' | 'user' = 'admin',
) {
  const pinia = createPinia();
  setActivePinia(pinia);
  api.resetCsrf();
  const server = fakeApi({ 'GET /api/identities': { body: [] }, ...routes });
  vi.stubGlobal('fetch', server.fetcher);
  useAuthStore().me = { id: 'u1', email: 'ada@example.com', role };
  const Blank = { render: () => null };
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/accounts', name: 'accounts', component: Blank },
      { path: '/accounts/:accountId', name: 'account-edit', component: Blank },
      { path: '/mail/account/:accountId', name: 'mail-account', component: Blank },
      { path: '/admin/policy', name: 'admin-policy', component: Blank },
    ],
  });
  await router.push('/accounts');
  const wrapper = mount(component, {
    props,
    global: { plugins: [pinia, router] },
    attachTo: document.body,
  });
  await flushPromises();
  return { wrapper, server };
}

const linked = (overrides: Partial<AccountOut> = {}) =>
  account({ id: ID, host: 'pop.example.com', username: 'ada', ...overrides });

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('a refusal by the policy', () => {
  const portRefused = {
    status: 403,
    body: {
      error: {
        code: 'PORT_NOT_ALLOWED',
        message:
          'This Popgate connects to POP3 servers on port 110, 995 only, not 1100; ask an admin if you need it',
      },
    },
  };
  async function testOnPort(role: 'admin' | 'user') {
    const { wrapper } = await mountWith(
      AccountForm,
      { account: null },
      { 'POST /api/accounts/test': portRefused },
      role,
    );
    await wrapper.get('#account-host').setValue('pop.example.com');
    await wrapper.get('#account-port').setValue('1100');
    await wrapper.get('#account-username').setValue('ada');
    await wrapper.get('#account-password').setValue('secret');
    const button = wrapper.findAll('button').find((b) => b.text() === 'Test connection')!;
    await button.trigger('click');
    await flushPromises();
    return wrapper;
  }

  it('tells the admin where to change it, with a link to the Policy page', async () => {
    const wrapper = await testOnPort('admin');
    const alert = wrapper.get('.account-form__test-error');
    expect(alert.text()).not.toContain('ask an admin');
    expect(alert.text()).toContain('You are this Popgate’s admin');
    expect(alert.get('[data-testid="policy-link"]').attributes('href')).toBe('/admin/policy');
    wrapper.unmount();
  });

  it('tells a user to ask an admin, with no link they could not open', async () => {
    const wrapper = await testOnPort('user');
    const alert = wrapper.get('.account-form__test-error');
    expect(alert.text()).toContain('ask an admin');
    expect(alert.find('[data-testid="policy-link"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('links a refused private address to the allowed networks, for the admin', async () => {
    const { wrapper } = await mountWith(
      AccountForm,
      { account: null },
      {
        'POST /api/accounts/test': {
          body: {
            ok: false,
            error: {
              code: 'BLOCKED_HOST',
              message: 'Connections to 127.0.0.1 are not allowed on this Popgate',
            },
          },
        },
      },
    );
    await wrapper.get('#account-host').setValue('127.0.0.1');
    await wrapper.get('#account-username').setValue('ada');
    await wrapper.get('#account-password').setValue('secret');
    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Test connection')!
      .trigger('click');
    await flushPromises();
    const result = wrapper.get('[data-testid="test-result"]');
    expect(result.text()).toContain('“Allowed networks” on the Policy page');
    expect(result.get('[data-testid="policy-link"]').attributes('href')).toBe('/admin/policy');
    wrapper.unmount();
  });
});

describe('an account the policy refuses since it was linked', () => {
  const refused = linked({
    status: 'perm_error',
    lastErrorCode: 'PORT_NOT_ALLOWED',
    lastError:
      'This Popgate connects to POP3 servers on port 995 only, not 1100; ask an admin if you need it',
  });

  it('tells the admin on its card where to change it', async () => {
    const { wrapper } = await mountWith(AccountCard, { account: refused, now: Date.now() }, {});
    const notice = wrapper.get('.notice');
    expect(notice.text()).toContain('not 1100. Popgate stopped checking');
    expect(notice.text()).toContain('You are this Popgate’s admin');
    expect(notice.text()).not.toContain('your provider');
    expect(notice.get('[data-testid="policy-link"]').attributes('href')).toBe('/admin/policy');
    wrapper.unmount();
  });

  it('tells a user to ask an admin', async () => {
    const { wrapper } = await mountWith(
      AccountCard,
      { account: refused, now: Date.now() },
      {},
      'user',
    );
    expect(wrapper.get('.notice').text()).toContain('ask an admin if you need it');
    expect(wrapper.find('[data-testid="policy-link"]').exists()).toBe(false);
    wrapper.unmount();
  });
});

describe('the policy page', () => {
  it('says what each network list allows, and that allowed networks open private ones', async () => {
    const { wrapper } = await mountWith(
      AdminPolicyView,
      {},
      { 'GET /api/admin/policy': { body: adminPolicy() } },
    );
    expect(wrapper.get('[data-testid="private-networks-note"]').text()).toMatch(
      /list its network under Allowed networks/,
    );
    expect(wrapper.get('#policy-allowedNetworks-hint').text()).toContain('127.0.0.0/8');
    expect(wrapper.get('#policy-allowedHosts-hint').text()).toContain('may link these servers');
    wrapper.unmount();
  });
});

describe('a rejected password, in words', () => {
  const rejected = linked({
    status: 'auth_failed',
    lastErrorCode: 'AUTH_FAILED',
    lastError:
      'The server rejected the user name or password. The server said: “Authentication failed”.',
    lastSyncAt: new Date(Date.now() - 60_000).toISOString(),
    nextSyncAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
  });

  it('quotes the server once, never the message inside itself', () => {
    const text = accountFix(rejected)!.text;
    expect(text.match(/The server rejected/g)).toHaveLength(1);
    expect(text.match(/The server said/g)).toHaveLength(1);
    expect(text).toContain('update the password');
  });

  it('says the form’s version once too, with the server’s own words apart', () => {
    const explained = explainTestError(
      {
        code: 'AUTH_FAILED',
        message: 'The server rejected the user name or password. The server said: "[AUTH] x".',
        serverText: '[AUTH] Authentication failed.',
      },
      { host: 'pop.example.com', port: 995, security: 'tls' },
    );
    expect(explained.detail).toBe(
      'Check both. The server said: “[AUTH] Authentication failed.” Some providers need an app password or POP3 access switched on in their settings.',
    );
  });

  it('never says a past check is in the future, nor shows a placeholder as the next check', () => {
    const now = Date.now();
    expect(relativeTime(new Date(now).toISOString(), now, { past: true })).toBe('just now');
    expect(relativeTime(new Date(now + 5_000).toISOString(), now, { past: true })).toBe('just now');
    expect(nextCheckText(rejected, now)).toBe('once you update the password');
    expect(nextCheckText(linked({ nextSyncAt: rejected.nextSyncAt }), now)).toBe('not planned');
    expect(nextCheckText(linked({ nextSyncAt: new Date(now + 120_000).toISOString() }), now)).toBe(
      null,
    );
  });

  it('shows on the card: one statement, checked in the past, no "in 365 days"', async () => {
    const { wrapper } = await mountWith(AccountCard, { account: rejected, now: Date.now() }, {});
    const text = wrapper.text();
    expect(text).not.toContain('“The server rejected');
    expect(text).not.toMatch(/in 365 days|in \d+ (days|months|year)/);
    expect(wrapper.get('[data-testid="account-next-check"]').text()).toBe(
      'once you update the password',
    );
    wrapper.unmount();
  });
});

describe('the schedule the card shows', () => {
  it('is what really happens: the own interval, and every minute while Popgate is open', () => {
    expect(describeSchedule(300)).toBe(
      'checked every 5 min; every minute while you have Popgate open',
    );
  });

  it('keeps an interval slower than the default, also while Popgate is open', () => {
    expect(describeSchedule(1800)).toBe('checked every 30 min, also while you have Popgate open');
  });

  it('reads on the card', async () => {
    const { wrapper } = await mountWith(AccountCard, { account: linked(), now: Date.now() }, {});
    expect(wrapper.get('[data-testid="account-policy"]').text()).toContain(
      'every 5 min; every minute while you have Popgate open',
    );
    wrapper.unmount();
  });
});

describe('the list’s refresh button', () => {
  it('asks the servers to check now for the accounts in view, then reloads', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    api.resetCsrf();
    const server = fakeApi({
      [`POST /api/accounts/${ID}/sync`]: { body: { accountId: ID, requested: true } },
      [`POST /api/accounts/${OTHER}/sync`]: { body: { accountId: OTHER, requested: true } },
    });
    vi.stubGlobal('fetch', server.fetcher);
    const accounts = useAccountsStore();
    accounts.accounts = [
      linked(),
      linked({ id: OTHER, label: 'Paused' }),
      linked({ id: 'paused', disabled: true }),
    ];
    const reload = vi.fn(async () => {});
    const { getMail } = useGetMail(reload);

    await getMail({ mailbox: { kind: 'account', accountId: OTHER }, q: '', unread: false });
    expect(server.apiCalls().map((call) => call.url)).toEqual([`/api/accounts/${OTHER}/sync`]);
    expect(reload).toHaveBeenCalledTimes(1);

    server.calls.length = 0;
    accounts.accounts = [linked(), linked({ id: 'paused', disabled: true })];
    await getMail({ mailbox: { kind: 'inbox' }, q: '', unread: false });
    // The paused account is left alone.
    expect(server.apiCalls().map((call) => call.url)).toEqual([`/api/accounts/${ID}/sync`]);
  });
});

describe('a port that expects SSL/TLS', () => {
  it('says so and points at the security setting', () => {
    const explained = explainTestError(
      { code: 'TLS_EXPECTED', message: 'pop.example.com port 995 expects SSL/TLS from the start' },
      { host: 'pop.example.com', port: 995, security: 'starttls' },
    );
    expect(explained.title).toBe('pop.example.com:995 expects SSL/TLS from the start.');
    expect(explained.field).toBe('security');
  });
});

describe('unticking "Leave messages on the server"', () => {
  const maildrop = (count: number) =>
    ({
      host: 'pop.example.com',
      port: 995,
      maildrop: { count, size: count * 2000 },
    }) as unknown as ServerInfo;

  async function editForm() {
    return mountWith(
      AccountForm,
      { account: linked() },
      {
        'POST /api/accounts/test': { body: { ok: true, serverInfo: maildrop(79) } },
        [`PATCH /api/accounts/${ID}`]: (call) => ({
          body: linked({
            policy: { ...linked().policy, ...(call.body as { policy?: object }).policy },
          }),
        }),
      },
    );
  }

  it('asks first, with the count of messages the server holds', async () => {
    const { wrapper, server } = await editForm();
    const box = wrapper.get<HTMLInputElement>('[data-testid="leave-on-server"]');
    box.element.checked = false;
    await box.trigger('change');
    await flushPromises();
    expect(wrapper.get('[data-testid="leave-on-server-question"]').text()).toBe(
      'This will delete 79 messages from pop.example.com after they are safely stored here.',
    );
    // Still ticked until confirmed; the count came from a test with the stored password.
    expect(box.element.checked).toBe(true);
    expect(server.apiCalls()[0]).toMatchObject({ method: 'POST', url: '/api/accounts/test' });
    expect((server.apiCalls()[0]!.body as { accountId: string }).accountId).toBe(ID);

    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Keep them on the server')!
      .trigger('click');
    await flushPromises();
    expect(box.element.checked).toBe(true);
    wrapper.unmount();
  });

  it('unticks once confirmed, and saves it', async () => {
    const { wrapper, server } = await editForm();
    const box = wrapper.get<HTMLInputElement>('[data-testid="leave-on-server"]');
    box.element.checked = false;
    await box.trigger('change');
    await flushPromises();
    await wrapper.get('[data-testid="confirm-delete-from-server"]').trigger('click');
    await flushPromises();
    expect(box.element.checked).toBe(false);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    const patch = server.apiCalls().find((call) => call.method === 'PATCH');
    expect(patch?.body).toMatchObject({ policy: { leaveOnServer: false } });
    wrapper.unmount();
  });
});

describe('the first sync on the card', () => {
  it('shows one count while downloading, then offers the inbox', async () => {
    const fresh = linked({ status: 'syncing', messageCount: 29 });
    const { wrapper } = await mountWith(AccountCard, { account: fresh, now: Date.now() }, {});
    const accounts = useAccountsStore();
    accounts.accounts = [fresh];
    accounts.applyProgress({ accountId: ID, done: 34, total: 76, bytes: 100_000 } as never);
    await flushPromises();
    expect(wrapper.get('[data-testid="sync-progress"]').text()).toContain('34 of 76 messages');
    expect(wrapper.get('[data-testid="account-message-count"]').text()).toBe('being downloaded');
    expect(wrapper.find('[data-testid="go-to-inbox"]').exists()).toBe(false);

    accounts.applyProgress({ accountId: ID, done: 76, total: 76, bytes: 200_000 } as never);
    await wrapper.setProps({ account: { ...fresh, status: 'ok', messageCount: 76 } });
    await flushPromises();
    expect(wrapper.get('[data-testid="account-message-count"]').text()).toContain('76');
    expect(wrapper.get('[data-testid="go-to-inbox"]').attributes('href')).toBe(
      `/mail/account/${ID}`,
    );
    wrapper.unmount();
  });
});
