import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import type { Component } from 'vue';
import { api } from '../src/api/client';
import SignInLinkView from '../src/views/SignInLinkView.vue';
import SignInView from '../src/views/SignInView.vue';
import SignUpView from '../src/views/SignUpView.vue';
import { fakeApi } from './support/fake-api';

const OPEN = { body: { open: true, firstUser: false } };

async function open(view: Component, path: string, routes: Parameters<typeof fakeApi>[0]) {
  const pinia = createPinia();
  setActivePinia(pinia);
  api.resetCsrf();
  const server = fakeApi(routes);
  vi.stubGlobal('fetch', server.fetcher);
  const Blank = { render: () => null };
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/signin', name: 'signin', component: Blank },
      { path: '/signup', name: 'signup', component: Blank },
      { path: '/sign-in/link', component: Blank },
      { path: '/accounts', name: 'accounts', component: Blank },
      { path: '/mail/:box', name: 'mail', component: Blank },
    ],
  });
  await router.push(path);
  const wrapper = mount(view, { global: { plugins: [pinia, router] }, attachTo: document.body });
  await flushPromises();
  const send = async () => {
    await wrapper.find('form').trigger('submit');
    await flushPromises();
  };
  /** The message next to a field: what its aria-describedby points at. */
  const messageOf = (id: string) => {
    const input = wrapper.find(`#${id}`);
    expect(input.attributes('aria-invalid'), id).toBe('true');
    return wrapper.find(`#${input.attributes('aria-describedby')}`).text();
  };
  return { wrapper, server, router, send, messageOf };
}

describe('the sign-up form', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('says next to each empty field what it wants, and sends nothing', async () => {
    const { server, send, messageOf } = await open(SignUpView, '/signup', {
      'GET /api/auth/signup': OPEN,
    });
    await send();
    expect(messageOf('signup-email')).toBe('Enter your email address.');
    expect(messageOf('signup-password')).toBe('Choose a password.');
    expect(messageOf('signup-confirm')).toBe('Type the password again, to be sure of it.');
    expect(server.apiCalls().filter((call) => call.method === 'POST')).toEqual([]);
  });

  it('refuses an empty "Password again" and a malformed address in plain words', async () => {
    const { wrapper, server, send, messageOf } = await open(SignUpView, '/signup', {
      'GET /api/auth/signup': OPEN,
    });
    await wrapper.find('#signup-email').setValue('ada.example.com');
    await wrapper.find('#signup-password').setValue('a long enough password');
    await send();
    expect(messageOf('signup-email')).toBe(
      'This is not an email address: it looks like name@example.com.',
    );
    expect(messageOf('signup-confirm')).toBe('Type the password again, to be sure of it.');
    expect(wrapper.find('#signup-password').attributes('aria-invalid')).toBeUndefined();
    expect(server.apiCalls().filter((call) => call.method === 'POST')).toEqual([]);
  });

  it('puts the server’s refusal of the address next to the field, never its raw words', async () => {
    const { wrapper, send, messageOf } = await open(SignUpView, '/signup', {
      'GET /api/auth/signup': OPEN,
      'POST /api/auth/signup': {
        status: 400,
        body: { error: { code: 'VALIDATION', message: 'body/email must match format "email"' } },
      },
    });
    await wrapper.find('#signup-email').setValue('ada@localhost.x');
    await wrapper.find('#signup-password').setValue('a long enough password');
    await wrapper.find('#signup-confirm').setValue('a long enough password');
    await send();
    expect(messageOf('signup-email')).toBe(
      'This is not an email address: it looks like name@example.com.',
    );
    expect(wrapper.text()).not.toContain('must match format');
  });

  it('tells the first person they become the administrator', async () => {
    const { wrapper } = await open(SignUpView, '/signup', {
      'GET /api/auth/signup': { body: { open: true, firstUser: true } },
    });
    expect(wrapper.find('[data-testid="first-user"]').text()).toContain(
      "your account will be this Popgate's administrator",
    );
  });

  it('says sign-up is closed, with no form to fill in for nothing', async () => {
    const { wrapper } = await open(SignUpView, '/signup', {
      'GET /api/auth/signup': { body: { open: false, firstUser: false } },
    });
    expect(wrapper.find('[role="alert"]').text()).toBe(
      'Sign-up is closed on this Popgate; ask an admin for an account.',
    );
    expect(wrapper.find('form').exists()).toBe(false);
  });
});

describe('the sign-in page', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('says next to the fields that they are empty or malformed', async () => {
    const { wrapper, server, send, messageOf } = await open(SignInView, '/signin', {
      'GET /api/auth/signup': OPEN,
    });
    await send();
    expect(messageOf('signin-email')).toBe('Enter your email address.');
    expect(messageOf('signin-password')).toBe('Enter your password.');
    await wrapper.find('#signin-email').setValue('ada@');
    await send();
    expect(messageOf('signin-email')).toBe(
      'This is not an email address: it looks like name@example.com.',
    );
    expect(server.apiCalls().filter((call) => call.method === 'POST')).toEqual([]);
  });

  it('offers the first account, saying it becomes the administrator, only while nobody has one', async () => {
    const first = await open(SignInView, '/signin', {
      'GET /api/auth/signup': { body: { open: true, firstUser: true } },
    });
    expect(first.wrapper.find('[data-testid="sign-up-offer"]').text()).toContain(
      "The first person to sign up becomes this Popgate's administrator.",
    );
    first.wrapper.unmount();

    const later = await open(SignInView, '/signin', { 'GET /api/auth/signup': OPEN });
    const offer = later.wrapper.find('[data-testid="sign-up-offer"]');
    expect(offer.text()).toBe('New to this Popgate? Create an account');
    expect(offer.text()).not.toContain('administrator');
  });

  it('sends newcomers to the administrator when sign-up is closed', async () => {
    const { wrapper } = await open(SignInView, '/signin', {
      'GET /api/auth/signup': { body: { open: false, firstUser: false } },
    });
    const offer = wrapper.find('[data-testid="sign-up-offer"]');
    expect(offer.text()).toBe('New to this Popgate? Ask its administrator for an account.');
    expect(offer.find('a').exists()).toBe(false);
  });
});

describe('the one-time link’s password form', () => {
  it('says the confirmation is empty instead of doing nothing', async () => {
    history.replaceState(null, '', `/sign-in/link#${'a'.repeat(43)}`);
    const { wrapper, server, send, messageOf } = await open(SignInLinkView, '/sign-in/link', {
      'POST /api/auth/link': { body: { id: 'u', email: 'bob@example.com', role: 'user' } },
    });
    await wrapper.find('#link-password').setValue('a new password');
    await send();
    expect(messageOf('link-confirm')).toBe('Type the password again, to be sure of it.');
    expect(server.apiCalls().map((call) => call.url)).toEqual(['/api/auth/link']);
  });
});
