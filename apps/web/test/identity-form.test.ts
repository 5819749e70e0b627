import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import IdentityForm from '../src/components/identities/IdentityForm.vue';
import {
  formFromIdentity,
  newIdentityForm,
  toIdentityPatch,
  toIdentityTestIn,
  validateIdentityForm,
} from '../src/lib/identity-form';
import { account } from './support/factories';
import { fakeApi } from './support/fake-api';
import { identity } from './support/sending-factories';

const work = account({ username: 'ada@work.example', host: 'pop.work.example' });

describe('the sending settings of an account', () => {
  it('propose smtp.<domain> on 587 with STARTTLS and the receiving password', () => {
    const form = newIdentityForm(work);
    expect(form).toMatchObject({
      address: 'ada@work.example',
      host: 'smtp.work.example',
      port: 587,
      security: 'starttls',
      username: 'ada@work.example',
      passwordMode: 'account',
    });
    expect(validateIdentityForm(form, null)).toEqual({});
  });

  it('say what is wrong, field by field', () => {
    const form = {
      ...newIdentityForm(work),
      name: 'Ada\nBcc: x@y',
      address: 'ada',
      replyTo: 'not an address',
      host: 'smtp example.com',
      port: 70_000,
      username: ' ',
      passwordMode: 'own' as const,
    };
    expect(validateIdentityForm(form, null)).toEqual({
      name: 'A name is one line.',
      address: '“ada” is not an email address.',
      replyTo: '“not an address” is not an email address.',
      host: 'A server name has no spaces, slashes or @.',
      port: 'A port is a number from 1 to 65535.',
      username: 'Enter the user name (often your email address).',
      password: 'Enter the password for sending.',
    });
  });

  it('ask for a sending password again when its server changes', () => {
    const saved = identity({ smtp: { ...identity().smtp, passwordSource: 'own' } });
    const form = { ...formFromIdentity(saved), host: 'smtp.elsewhere.example' };
    expect(validateIdentityForm(form, saved).password).toMatch(/^Enter the password again/);
    expect(validateIdentityForm({ ...form, password: 'secret' }, saved)).toEqual({});
  });

  it('send only what changed, going back to the receiving password when asked', () => {
    const saved = identity({ smtp: { ...identity().smtp, passwordSource: 'own' } });
    const form = {
      ...formFromIdentity(saved),
      signatureText: 'Ada, now elsewhere',
      passwordMode: 'account' as const,
    };
    expect(toIdentityPatch(form, saved)).toEqual({
      signature: { format: 'text', content: 'Ada, now elsewhere' },
      smtp: { useAccountPassword: true },
    });
  });

  it('test with the typed password, else the saved identity’s, else the account’s', () => {
    const form = newIdentityForm(work);
    expect(toIdentityTestIn(form, { accountId: work.id, identity: null })).toMatchObject({
      accountId: work.id,
    });
    const own = { ...form, passwordMode: 'own' as const, password: 'pw' };
    expect(toIdentityTestIn(own, { accountId: work.id, identity: null })).toMatchObject({
      password: 'pw',
    });
    const saved = identity();
    expect(
      toIdentityTestIn({ ...own, password: '' }, { accountId: work.id, identity: saved }),
    ).toMatchObject({ identityId: saved.id });
  });
});

describe('the "Sending (SMTP)" form', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
    setActivePinia(createPinia());
    api.resetCsrf();
  });

  async function mountOffer(testReply: unknown) {
    const fake = fakeApi({
      'GET /api/identities/defaults': {
        body: {
          name: 'Ada Lovelace',
          address: 'ada@work.example',
          smtp: {
            host: 'mail.work.example',
            port: 465,
            security: 'tls',
            username: 'ada@work.example',
          },
        },
      },
      'POST /api/identities/test':
        typeof testReply === 'function'
          ? (testReply as (call: { body: unknown }) => { body: unknown })
          : { body: testReply },
      'POST /api/identities': (call) => ({ status: 201, body: identity(call.body as object) }),
    });
    vi.stubGlobal('fetch', fake.fetcher);
    const wrapper = mount(IdentityForm, {
      props: { account: work, identity: null, offer: true },
      attachTo: document.body,
    });
    await flushPromises();
    return { wrapper, fake };
  }

  it('keeps what the user typed while the proposal was on its way', async () => {
    let answer: (reply: { body: unknown }) => void = () => {};
    const fake = fakeApi({
      'GET /api/identities/defaults': () => new Promise((resolve) => (answer = resolve)),
    });
    vi.stubGlobal('fetch', fake.fetcher);
    const wrapper = mount(IdentityForm, {
      props: { account: work, identity: null, offer: true },
      attachTo: document.body,
    });
    await flushPromises();
    await wrapper.get('#identity-host').setValue('127.0.0.1');
    answer({
      body: {
        name: 'Ada Lovelace',
        address: 'ada@work.example',
        smtp: { host: 'mail.work.example', port: 465, security: 'tls', username: 'ada' },
      },
    });
    await flushPromises();
    expect((wrapper.get('#identity-host').element as HTMLInputElement).value).toBe('127.0.0.1');
    expect((wrapper.get('#identity-name').element as HTMLInputElement).value).toBe('Ada Lovelace');
    wrapper.unmount();
  });

  it('starts from the server’s proposal after an account is added', async () => {
    const { wrapper, fake } = await mountOffer({ ok: true });
    expect(wrapper.find('[data-testid="identity-offer"]').exists()).toBe(true);
    expect(
      fake.calls.some((call) => call.url === `/api/identities/defaults?accountId=${work.id}`),
    ).toBe(true);
    expect((wrapper.get('#identity-host').element as HTMLInputElement).value).toBe(
      'mail.work.example',
    );
    expect((wrapper.get('#identity-port').element as HTMLInputElement).value).toBe('465');
    expect((wrapper.get('#identity-name').element as HTMLInputElement).value).toBe('Ada Lovelace');
    wrapper.unmount();
  });

  it('explains a failed test like the POP3 test does, with the field to fix', async () => {
    const { wrapper, fake } = await mountOffer({
      ok: false,
      error: { code: 'AUTH_FAILED', message: '535 5.7.8 Authentication failed' },
    });
    await wrapper.get('button.button:not([type="submit"])').trigger('click');
    await flushPromises();
    const request = fake.calls.find((call) => call.url === '/api/identities/test')!;
    expect(request.body).toEqual({
      host: 'mail.work.example',
      port: 465,
      security: 'tls',
      username: 'ada@work.example',
      auth: 'auto',
      accountId: work.id,
    });
    const result = wrapper.get('[data-testid="smtp-test-result"]');
    expect(result.text()).toContain('The sending server rejected the user name or password.');
    expect(result.text()).toContain('(535 5.7.8 Authentication failed)');
    expect(result.get('button').text()).toBe('Check the password');
    wrapper.unmount();
  });

  it('shows what the server said about itself when the test works', async () => {
    const { wrapper } = await mountOffer({
      ok: true,
      serverInfo: {
        host: 'mail.work.example',
        port: 465,
        address: '192.0.2.25',
        security: 'tls',
        greeting: '220 mail.work.example ESMTP Postfix',
        extensions: ['PIPELINING', 'AUTH PLAIN LOGIN'],
        authMechanisms: ['PLAIN', 'LOGIN'],
        authenticatedWith: 'PLAIN',
        maxMessageBytes: 10_240_000,
        pipelining: true,
        tls: {
          protocol: 'TLSv1.3',
          cipher: 'TLS_AES_256_GCM_SHA384',
          fingerprint256: 'AB:CD',
          trustedBy: 'chain',
        },
      },
    });
    await wrapper.get('button.button:not([type="submit"])').trigger('click');
    await flushPromises();
    const result = wrapper.get('[data-testid="smtp-test-result"]');
    expect(result.text()).toContain('Connected and signed in.');
    expect(result.text()).toContain('220 mail.work.example ESMTP Postfix');
    expect(result.text()).toContain('TLSv1.3');
    wrapper.unmount();
  });

  it('trusts a certificate the test did not: pinned, tested again, saved with the identity', async () => {
    const fingerprint = Array.from({ length: 32 }, () => 'AB').join(':');
    const { wrapper, fake } = await mountOffer((call: { body: unknown }) =>
      (call.body as { tls?: unknown }).tls
        ? {
            body: {
              ok: true,
              serverInfo: {
                host: 'mail.work.example',
                port: 465,
                address: '192.0.2.25',
                security: 'tls',
                greeting: '220 mail.work.example ESMTP',
                extensions: [],
                authMechanisms: ['PLAIN'],
                authenticatedWith: 'PLAIN',
                maxMessageBytes: null,
                pipelining: false,
                tls: {
                  protocol: 'TLSv1.3',
                  cipher: 'X',
                  fingerprint256: fingerprint,
                  trustedBy: 'pin',
                },
              },
            },
          }
        : {
            body: {
              ok: false,
              error: {
                code: 'TLS_UNTRUSTED',
                message: 'self-signed certificate',
                fingerprint256: fingerprint,
              },
            },
          },
    );
    await wrapper.get('button.button:not([type="submit"])').trigger('click');
    await flushPromises();
    const result = wrapper.get('[data-testid="smtp-test-result"]');
    expect(result.text()).toContain('The sending server’s certificate is not trusted.');
    expect(wrapper.get('[data-testid="smtp-fingerprint"]').text()).toBe(fingerprint);
    const trust = result
      .findAll('button')
      .find((button) => button.text() === 'Trust this certificate');
    await trust!.trigger('click');
    await flushPromises();
    const tests = fake.calls.filter((call) => call.url === '/api/identities/test');
    expect(tests).toHaveLength(2);
    expect(tests[1]!.body).toMatchObject({ tls: { pinSha256: fingerprint } });
    expect(wrapper.get('[data-testid="smtp-test-result"]').text()).toContain(
      'Connected and signed in.',
    );
    expect(wrapper.get('[data-testid="smtp-pinned"]').text()).toContain(fingerprint);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    const created = fake.calls.find(
      (call) => call.method === 'POST' && call.url === '/api/identities',
    )!;
    expect(created.body).toMatchObject({ smtp: { tls: { pinSha256: fingerprint } } });
    wrapper.unmount();
  });

  it('asks for the receiving password again when the trusted certificate changes', () => {
    const saved = identity();
    const form = { ...formFromIdentity(saved), pinSha256: 'ab'.repeat(32) };
    expect(toIdentityPatch(form, saved)).toEqual({
      smtp: {
        tls: { pinSha256: Array.from({ length: 32 }, () => 'AB').join(':') },
        useAccountPassword: true,
      },
    });
  });

  it('does not save an invalid form, and saves a valid one', async () => {
    const { wrapper, fake } = await mountOffer({ ok: true });
    await wrapper.get('#identity-address').setValue('ada');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.text()).toContain('“ada” is not an email address.');
    expect(
      fake.calls.some((call) => call.method === 'POST' && call.url === '/api/identities'),
    ).toBe(false);
    await wrapper.get('#identity-address').setValue('ada@work.example');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    const created = fake.calls.find(
      (call) => call.method === 'POST' && call.url === '/api/identities',
    )!;
    expect(created.body).toMatchObject({
      accountId: work.id,
      address: 'ada@work.example',
      smtp: { host: 'mail.work.example', port: 465, security: 'tls' },
    });
    expect(created.body).not.toHaveProperty('smtp.password');
    expect(wrapper.text()).toContain('Sending is set up.');
    wrapper.unmount();
  });
});
