import type { AutoconfigReply } from '@popgate/contracts';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import AccountForm from '../src/components/accounts/AccountForm.vue';
import { describeSource, fillForm } from '../src/lib/autoconfig';
import { emptyForm } from '../src/lib/account-form';
import { signInChoices, type OAuthProvider } from '../src/lib/oauth';
import { useOAuthStore } from '../src/stores/oauth';
import { account } from './support/factories';
import { fakeApi } from './support/fake-api';

function reply(overrides: Partial<AutoconfigReply> = {}): AutoconfigReply {
  return {
    source: 'preset',
    provider: 'Gmail',
    popAvailable: true,
    pop3: { host: 'pop.gmail.com', port: 995, security: 'tls' },
    smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
    oauth: 'google',
    signIn: 'oauth',
    username: 'ada@gmail.com',
    notes: [
      'Turn POP on first: Gmail settings, “Forwarding and POP/IMAP”, “Enable POP for all mail”.',
      'Gmail’s “recent mode”: use the user name recent:ada@gmail.com to download the last 30 days.',
    ],
    probed: null,
    ...overrides,
  };
}

const GOOGLE = { name: 'google' as const, label: 'Google', scopes: ['https://mail.google.com/'] };
const GENERIC = { name: 'generic' as const, label: 'id.example.org', scopes: ['openid'] };

describe('filling in the settings from the address', () => {
  it('fills server, port, security and user name from the suggestion', () => {
    const form = emptyForm();
    fillForm(form, reply(), { overwrite: false });
    expect(form).toMatchObject({
      host: 'pop.gmail.com',
      port: 995,
      security: 'tls',
      username: 'ada@gmail.com',
    });
  });

  it('keeps what the user typed when the address field is left again, but not on "Fill in"', () => {
    const form = { ...emptyForm(), host: 'pop.mine.example', username: 'me' };
    const suggestion = reply({ source: 'mx' });
    fillForm(form, suggestion, { overwrite: false });
    expect(form).toMatchObject({ host: 'pop.mine.example', username: 'me' });
    fillForm(form, suggestion, { overwrite: true });
    expect(form).toMatchObject({ host: 'pop.gmail.com', username: 'ada@gmail.com' });
  });

  it('changes fields the last suggestion filled in when another address is looked up', () => {
    const form = emptyForm();
    const first = fillForm(form, reply(), { overwrite: false });
    const other = reply({
      provider: 'GMX',
      pop3: { host: 'pop.gmx.net', port: 995, security: 'tls' },
      username: 'ada@gmx.net',
    });
    fillForm(form, other, { overwrite: false, previous: first });
    expect(form).toMatchObject({ host: 'pop.gmx.net', username: 'ada@gmx.net' });
  });

  it('fills nothing for a provider without POP3, and says so', () => {
    const form = emptyForm();
    const icloud = reply({
      provider: 'iCloud Mail',
      popAvailable: false,
      pop3: null,
      oauth: null,
      signIn: 'app-password',
    });
    expect(fillForm(form, icloud, { overwrite: true })).toBeNull();
    expect(form.host).toBe('');
    expect(describeSource(icloud, 'ada@icloud.com')).toBe(
      'iCloud Mail does not offer POP3, so Popgate cannot download this mailbox.',
    );
  });

  it('says where the settings came from', () => {
    const email = 'ada@example.org';
    expect(describeSource(reply(), email)).toMatch(/Gmail, from Popgate’s list of known providers/);
    expect(describeSource(reply({ source: 'autoconfig', provider: null }), email)).toBe(
      'Settings from example.org’s own configuration document.',
    );
    expect(describeSource(reply({ source: 'mx', provider: null }), email)).toMatch(
      /where example\.org receives its mail \(its MX records\)/,
    );
    const guess = reply({
      source: 'guess',
      provider: null,
      pop3: { host: 'pop.example.org', port: 995, security: 'tls' },
    });
    expect(describeSource({ ...guess, probed: true }, email)).toBe(
      'A guess from the usual server names: a POP3 server answered at pop.example.org.',
    );
    expect(describeSource({ ...guess, probed: false }, email)).toMatch(
      /^Only a guess: nothing answered at pop\.example\.org/,
    );
  });
});

describe('choosing how to sign in', () => {
  it('puts the provider’s button in the password’s place when this Popgate has it', () => {
    expect(signInChoices('google', [GOOGLE, GENERIC])).toEqual({
      main: GOOGLE,
      others: [GENERIC],
    });
  });

  it('offers no provider button this Popgate is not configured for', () => {
    expect(signInChoices('microsoft', [GOOGLE])).toEqual({ main: null, others: [] });
    expect(signInChoices(null, [GENERIC])).toEqual({ main: null, others: [GENERIC] });
  });
});

describe('the new account form', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
    setActivePinia(createPinia());
    api.resetCsrf();
  });

  async function mountNew(
    routes: Parameters<typeof fakeApi>[0],
    providers: OAuthProvider[] = [GOOGLE],
  ) {
    const server = fakeApi(routes);
    vi.stubGlobal('fetch', server.fetcher);
    useOAuthStore().providers = providers;
    const wrapper = mount(AccountForm, { props: { account: null }, attachTo: document.body });
    await wrapper.get('#account-email').setValue('ada@gmail.com');
    return { wrapper, server };
  }
  const fillIn = async (wrapper: Awaited<ReturnType<typeof mountNew>>['wrapper']) => {
    await wrapper.get('[data-testid="autoconfig-fill"]').trigger('click');
    await flushPromises();
  };

  it('looks the address up, fills in the settings and shows the provider’s notes', async () => {
    const { wrapper, server } = await mountNew({ 'GET /api/autoconfig': { body: reply() } }, []);
    await fillIn(wrapper);
    expect(server.apiCalls()[0]!.url).toBe('/api/autoconfig?email=ada%40gmail.com&probe=1');
    expect(wrapper.get<HTMLInputElement>('#account-host').element.value).toBe('pop.gmail.com');
    expect(wrapper.get<HTMLInputElement>('#account-username').element.value).toBe('ada@gmail.com');
    const notes = wrapper.findAll('[data-testid="autoconfig-notes"] li').map((li) => li.text());
    expect(notes).toEqual(reply().notes);
    expect(wrapper.get('[data-testid="autoconfig-source"]').text()).toContain(
      'from Popgate’s list of known providers',
    );
    // Google is not configured here: the password stays, and the note says what to do.
    expect(wrapper.find('#account-password').exists()).toBe(true);
    expect(wrapper.get('[data-testid="oauth-missing"]').text()).toContain('app password');
  });

  it('looks up once the address field is left, after a pause', async () => {
    vi.useFakeTimers();
    try {
      const { wrapper, server } = await mountNew({ 'GET /api/autoconfig': { body: reply() } });
      await wrapper.get('#account-email').trigger('blur');
      expect(server.apiCalls()).toEqual([]);
      await vi.advanceTimersByTimeAsync(500);
      await flushPromises();
      expect(server.apiCalls()).toHaveLength(1);
      expect(wrapper.get<HTMLInputElement>('#account-host').element.value).toBe('pop.gmail.com');
    } finally {
      vi.useRealTimers();
    }
  });

  it('says plainly when the provider has no POP3', async () => {
    const { wrapper } = await mountNew({
      'GET /api/autoconfig': {
        body: reply({
          provider: 'iCloud Mail',
          popAvailable: false,
          pop3: null,
          oauth: null,
          notes: ['iCloud Mail offers IMAP only.'],
        }),
      },
    });
    await fillIn(wrapper);
    const box = wrapper.get('[data-testid="autoconfig-result"]');
    expect(box.text()).toContain('No POP3 for this address.');
    expect(box.text()).toContain('iCloud Mail offers IMAP only.');
    expect(wrapper.get<HTMLInputElement>('#account-host').element.value).toBe('');
  });

  it('shows "Sign in with Google" instead of the password, with a way back to a password', async () => {
    const { wrapper, server } = await mountNew({ 'GET /api/autoconfig': { body: reply() } });
    await wrapper.get('#account-label').setValue('Gmail');
    await fillIn(wrapper);
    expect(wrapper.find('#account-password').exists()).toBe(false);
    const button = wrapper.get('[data-testid="oauth-sign-in-button"]');
    expect(button.text()).toBe('Sign in with Google');
    expect(button.attributes('href')).toBe(
      '/api/oauth/google/start?email=ada%40gmail.com&label=Gmail',
    );
    // The account is added by signing in: no "Add account" that would need a password.
    expect(wrapper.findAll('button').some((b) => b.text() === 'Add account')).toBe(false);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(server.apiCalls().filter((call) => call.method !== 'GET')).toEqual([]);

    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Use a password instead')!
      .trigger('click');
    expect(wrapper.find('#account-password').exists()).toBe(true);
    expect(wrapper.findAll('button').some((b) => b.text() === 'Add account')).toBe(true);
  });

  it('offers the operator’s own provider beside the password', async () => {
    const { wrapper } = await mountNew(
      { 'GET /api/autoconfig': { body: reply({ oauth: null, signIn: 'password' }) } },
      [GENERIC],
    );
    await fillIn(wrapper);
    expect(wrapper.find('#account-password').exists()).toBe(true);
    const other = wrapper.get('[data-testid="oauth-other-sign-in"]');
    expect(other.text()).toBe('Sign in with id.example.org instead');
    expect(other.attributes('href')).toBe('/api/oauth/generic/start?email=ada%40gmail.com');
  });
});

describe('signing in from a mere guess', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
    setActivePinia(createPinia());
    api.resetCsrf();
  });

  it('is not offered for a new account: the server would have no settings it relies on', async () => {
    const guess = reply({
      source: 'guess',
      provider: null,
      oauth: null,
      signIn: 'password',
      pop3: { host: 'pop.example.org', port: 995, security: 'tls' },
      probed: true,
    });
    vi.stubGlobal('fetch', fakeApi({ 'GET /api/autoconfig': { body: guess } }).fetcher);
    useOAuthStore().providers = [GENERIC];
    const wrapper = mount(AccountForm, { props: { account: null }, attachTo: document.body });
    await wrapper.get('#account-email').setValue('ada@example.org');
    await wrapper.get('[data-testid="autoconfig-fill"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-testid="oauth-other-sign-in"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('sign in from its page');
  });
});

describe('a linked account’s sign-in', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
    setActivePinia(createPinia());
    api.resetCsrf();
    vi.stubGlobal('fetch', fakeApi({}).fetcher);
  });

  const oauthAccount = account({
    id: '00000000-0000-7000-8000-0000000000a1',
    host: 'pop.gmail.com',
    username: 'ada@gmail.com',
    auth: 'xoauth2',
    oauth: {
      provider: 'google',
      subject: 'ada@gmail.com',
      status: 'active',
      lastRefreshedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
      accessExpiresAt: null,
      refreshCount: 3,
    },
  });

  it('says who is signed in and offers the OAuth2 login methods, OAUTHBEARER included', () => {
    useOAuthStore().providers = [GOOGLE];
    const wrapper = mount(AccountForm, { props: { account: oauthAccount } });
    expect(wrapper.get('[data-testid="oauth-linked"]').text()).toMatch(
      /^Signed in with Google as ada@gmail\.com; access last renewed 5 minutes ago\./,
    );
    const methods = wrapper.findAll('#account-auth option').map((option) => option.text());
    expect(methods).toEqual(['OAuth2 sign-in (XOAUTH2)', 'OAuth2 sign-in (OAUTHBEARER, RFC 7628)']);
    expect(wrapper.find('#account-password').exists()).toBe(false);
  });

  it('offers "Sign in to Google again" for an account whose grant was withdrawn', () => {
    useOAuthStore().providers = [GOOGLE];
    const wrapper = mount(AccountForm, {
      props: {
        account: {
          ...oauthAccount,
          status: 'auth_failed',
          lastErrorCode: 'OAUTH_REAUTH',
          oauth: { ...oauthAccount.oauth!, status: 'reauth_required' },
        },
      },
    });
    const button = wrapper.get('[data-testid="oauth-sign-in-button"]');
    expect(button.text()).toBe('Sign in to Google again');
    expect(button.attributes('href')).toBe(
      `/api/oauth/google/start?accountId=${oauthAccount.id}&loginHint=ada%40gmail.com`,
    );
  });
});

describe('saving a signed-in account', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
    setActivePinia(createPinia());
    api.resetCsrf();
  });

  it('shows the server’s refusal to move the sign-in elsewhere, with no password field to point at', async () => {
    const message =
      'This account signs in at Google for pop.gmail.com: sign in again for another server';
    const signedIn = account({
      id: '00000000-0000-7000-8000-0000000000b2',
      host: 'pop.gmail.com',
      username: 'ada@gmail.com',
      auth: 'xoauth2',
      oauth: {
        provider: 'google',
        subject: null,
        status: 'active',
        lastRefreshedAt: null,
        accessExpiresAt: null,
        refreshCount: 0,
      },
    });
    const server = fakeApi({
      [`PATCH /api/accounts/${signedIn.id}`]: {
        status: 400,
        body: { error: { code: 'PASSWORD_REQUIRED', message } },
      },
    });
    vi.stubGlobal('fetch', server.fetcher);
    useOAuthStore().providers = [GOOGLE];
    const wrapper = mount(AccountForm, { props: { account: signedIn }, attachTo: document.body });
    await wrapper.get('#account-host').setValue('pop.googlemail.com');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    // No connection test with a token the form does not have: the change goes to the server.
    expect(server.apiCalls().map((call) => call.method)).toEqual(['PATCH']);
    expect(wrapper.get('[role="alert"]').text()).toBe(message);
  });
});
