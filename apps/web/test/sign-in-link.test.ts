import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { api } from '../src/api/client';
import SignInLinkView from '../src/views/SignInLinkView.vue';
import { fakeApi } from './support/fake-api';

const TOKEN = 'a'.repeat(43);

async function openLink(hash: string, routes: Parameters<typeof fakeApi>[0]) {
  const pinia = createPinia();
  setActivePinia(pinia);
  api.resetCsrf();
  const server = fakeApi(routes);
  vi.stubGlobal('fetch', server.fetcher);
  history.replaceState(null, '', `/sign-in/link${hash}`);
  const Blank = { render: () => null };
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/sign-in/link', component: Blank },
      { path: '/accounts', name: 'accounts', component: Blank },
      { path: '/signin', name: 'signin', component: Blank },
    ],
  });
  await router.push('/sign-in/link');
  const wrapper = mount(SignInLinkView, { global: { plugins: [pinia, router] } });
  await flushPromises();
  return { wrapper, server, router };
}

describe('the sign-in link page', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('signs in with the token of the address, forgets it, and has the user choose a password', async () => {
    const { wrapper, server, router } = await openLink(`#${TOKEN}`, {
      'POST /api/auth/link': { body: { id: 'u', email: 'bob@example.com', role: 'user' } },
      'POST /api/auth/password': { status: 204 },
    });
    expect(server.apiCalls()[0]!.body).toEqual({ token: TOKEN });
    expect(location.hash).toBe('');
    expect(wrapper.find('h1').text()).toBe('Choose your password');
    expect(wrapper.text()).toContain('bob@example.com');
    await wrapper.find('#link-password').setValue('a new password');
    await wrapper.find('#link-confirm').setValue('a new password');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(server.apiCalls().at(-1)!.body).toEqual({ newPassword: 'a new password' });
    expect(router.currentRoute.value.name).toBe('accounts');
  });

  it('says plainly when the link was used or has expired', async () => {
    const { wrapper } = await openLink(`#${TOKEN}`, {
      'POST /api/auth/link': {
        status: 401,
        body: {
          error: {
            code: 'BAD_LINK',
            message: 'This sign-in link is not valid any more; ask an admin for a new one',
          },
        },
      },
    });
    expect(wrapper.find('[role="alert"]').text()).toContain('ask an admin for a new one');
    expect(wrapper.find('form').exists()).toBe(false);
  });
});
