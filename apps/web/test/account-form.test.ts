import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import AccountForm from '../src/components/accounts/AccountForm.vue';
import {
  formFromAccount,
  passwordNeededFor,
  passwordNeededReason,
  validateForm,
} from '../src/lib/account-form';
import { account } from './support/factories';
import { fakeApi } from './support/fake-api';

const PIN = 'AB:'.repeat(31) + 'AB';
const linked = account({ tls: { caPem: null, pinSha256: PIN } });

describe('the saved password of a linked account', () => {
  it('is needed again when the server, port, security, user name or trusted certificate changes', () => {
    const form = formFromAccount(linked);
    expect(passwordNeededFor(form, linked)).toEqual([]);
    expect(passwordNeededFor({ ...form, host: 'pop.elsewhere.com' }, linked)).toEqual(['server']);
    expect(passwordNeededFor({ ...form, port: 1995 }, linked)).toEqual(['port']);
    expect(passwordNeededFor({ ...form, security: 'none' }, linked)).toEqual([
      'connection security',
    ]);
    expect(passwordNeededFor({ ...form, username: 'other' }, linked)).toEqual(['user name']);
    expect(passwordNeededFor({ ...form, pinSha256: 'cd'.repeat(32) }, linked)).toEqual([
      'trusted certificate',
    ]);
    expect(passwordNeededFor({ ...form, caPem: '-----BEGIN CERTIFICATE-----\nx' }, linked)).toEqual(
      ['trusted certificate'],
    );
    expect(passwordNeededReason({ ...form, host: 'pop.elsewhere.com', port: 110 }, linked)).toBe(
      'Enter the password again: Popgate sends the saved password only to the server it was saved for, and you changed the server and port.',
    );
  });

  it('is not needed for the same server as typed, a new name, login method or policy, or a dropped pin', () => {
    const form = formFromAccount(linked);
    for (const edited of [
      { ...form, host: ' POP.Example.com. ' },
      { ...form, username: ' me@example.com ' },
      { ...form, pinSha256: 'ab'.repeat(32) },
      { ...form, pinSha256: '' },
      { ...form, label: 'Renamed', auth: 'plain' as const, pollMinutes: 30 },
    ]) {
      expect(passwordNeededFor(edited, linked), JSON.stringify(edited)).toEqual([]);
    }
  });

  it('makes the password field required, saying why', () => {
    const form = { ...formFromAccount(linked), host: 'pop.elsewhere.com' };
    expect(validateForm(form, false, linked).password).toMatch(/^Enter the password again/);
    expect(validateForm({ ...form, password: 'typed' }, false, linked)).toEqual({});
    expect(validateForm(formFromAccount(linked), false, linked)).toEqual({});
  });
});

describe('the account form', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
    setActivePinia(createPinia());
    api.resetCsrf();
  });

  function mountForm(routes: Parameters<typeof fakeApi>[0]) {
    const server = fakeApi(routes);
    vi.stubGlobal('fetch', server.fetcher);
    const wrapper = mount(AccountForm, {
      props: { account: linked },
      attachTo: document.body,
    });
    return { wrapper, server };
  }

  it('labels the server and user name fields and ties their errors to them', async () => {
    const { wrapper } = mountForm({});
    const host = wrapper.get<HTMLInputElement>('#account-host');
    expect(host.element.closest('.field')!.classList).toContain('account-form__grow');
    expect(wrapper.get('label[for="account-host"]').text()).toBe('Server (incoming, POP3)');
    expect(host.attributes()).toMatchObject({
      type: 'text',
      inputmode: 'url',
      spellcheck: 'false',
      'aria-invalid': 'false',
    });
    expect(host.element.value).toBe(linked.host);
    await host.setValue('');
    await wrapper.get('#account-username').setValue('');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    for (const name of ['host', 'username']) {
      const input = wrapper.get(`#account-${name}`);
      expect(input.attributes('aria-invalid')).toBe('true');
      expect(input.attributes('aria-describedby')).toBe(`account-${name}-error`);
      expect(wrapper.get(`#account-${name}-error`).classes()).toContain('error-text');
    }
  });

  it('asks for the password again when the server changes, and sends nothing until it is typed', async () => {
    const { wrapper, server } = mountForm({
      'POST /api/accounts/test': { body: { ok: true, serverInfo: {} } },
      [`PATCH /api/accounts/${linked.id}`]: (call) => ({
        body: { ...linked, ...(call.body as object) },
      }),
    });
    const password = wrapper.find('#account-password');
    expect(password.attributes('required')).toBeUndefined();
    expect(password.attributes('placeholder')).toBe('Unchanged');

    await wrapper.find('#account-host').setValue('pop.elsewhere.com');
    expect(password.attributes('required')).toBeDefined();
    expect(password.attributes('placeholder')).toBe('Required again');
    expect(wrapper.find('[data-testid="password-hint"]').text()).toContain(
      'only to the server it was saved for, and you changed the server',
    );

    // Neither a test nor a save goes out with the saved password.
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Test connection')!
      .trigger('click');
    await flushPromises();
    expect(server.apiCalls()).toEqual([]);
    expect(wrapper.find('.error-text').text()).toMatch(/^Enter the password again/);
    expect(document.activeElement?.id).toBe('account-password');

    await password.setValue('the new password');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    const [test, patch] = server.apiCalls();
    expect(test!.body).toMatchObject({ host: 'pop.elsewhere.com', password: 'the new password' });
    expect(test!.body).not.toHaveProperty('accountId');
    expect(patch!.method).toBe('PATCH');
    expect(patch!.body).toEqual({ host: 'pop.elsewhere.com', password: 'the new password' });
    expect(wrapper.emitted('saved')).toHaveLength(1);
  });

  it('shows the server’s PASSWORD_REQUIRED at the password field', async () => {
    const message =
      'Enter the POP3 password again: the saved password is only ever sent to the server it was saved for, and this changes the trusted certificate';
    const { wrapper } = mountForm({
      'POST /api/accounts/test': {
        status: 400,
        body: { error: { code: 'PASSWORD_REQUIRED', message } },
      },
    });
    // A change the form does not know moves the password (here: the test answers so anyway).
    await wrapper.find('#account-label').setValue('Renamed');
    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Test connection')!
      .trigger('click');
    await flushPromises();
    expect(wrapper.find('.error-text').text()).toBe(message);
    expect(wrapper.text()).not.toContain('could not be tested');
  });
});
