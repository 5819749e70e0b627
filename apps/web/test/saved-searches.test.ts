import type { SavedSearchOut } from '@popgate/contracts';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { api } from '../src/api/client';
import SaveSearchButton from '../src/components/mail/SaveSearchButton.vue';
import SavedSearchesNav from '../src/components/mail/SavedSearchesNav.vue';
import { useAuthStore } from '../src/stores/auth';
import { useSavedSearchesStore } from '../src/stores/saved-searches';
import { fakeApi } from './support/fake-api';

const saved = (id: string, name: string, query: string): SavedSearchOut => ({
  id,
  name,
  query,
  createdAt: '2026-12-07T10:00:00.000Z',
});

function setup(initial: SavedSearchOut[]) {
  const pinia = createPinia();
  setActivePinia(pinia);
  api.resetCsrf();
  const state = { items: [...initial] };
  const server = fakeApi({
    'GET /api/saved-searches': () => ({ body: { items: state.items } }),
    'POST /api/saved-searches': (call) => {
      const body = call.body as { name: string; query: string };
      if (state.items.some((item) => item.name === body.name)) {
        return {
          status: 409,
          body: {
            error: {
              code: 'NAME_TAKEN',
              message: `A saved search is already called “${body.name}”`,
            },
          },
        };
      }
      const made = saved(`s${state.items.length + 1}`, body.name, body.query);
      state.items.push(made);
      return { status: 201, body: made };
    },
  });
  server.on('PATCH /api/saved-searches/s1', (call) => {
    const body = call.body as { name?: string; query?: string };
    if (body.name && state.items.some((item) => item.id !== 's1' && item.name === body.name)) {
      return {
        status: 409,
        body: {
          error: { code: 'NAME_TAKEN', message: `A saved search is already called “${body.name}”` },
        },
      };
    }
    const updated = { ...state.items.find((item) => item.id === 's1')!, ...body };
    state.items = state.items.map((item) => (item.id === 's1' ? updated : item));
    return { body: updated };
  });
  server.on('DELETE /api/saved-searches/s1', () => {
    state.items = state.items.filter((item) => item.id !== 's1');
    return { status: 204 };
  });
  vi.stubGlobal('fetch', server.fetcher);
  const Blank = { render: () => null };
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: Blank },
      { path: '/mail/:box/:messageId?', name: 'mail', component: Blank },
    ],
  });
  return { pinia, router, server, state };
}

describe('saved searches', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('lists the saved searches in the sidebar, each a link that runs its search', async () => {
    const { pinia, router } = setup([
      saved('s1', 'From Carol', 'from:carol'),
      saved('s2', 'Big attachments', 'has:attachment larger:5M'),
    ]);
    const wrapper = mount(SavedSearchesNav, { global: { plugins: [pinia, router] } });
    await flushPromises();
    const links = wrapper.findAll('[data-testid="saved-search"]');
    expect(links.map((link) => link.text())).toEqual(['From Carol', 'Big attachments']);
    expect(links[1]!.attributes('href')).toBe('/mail/inbox?q=has:attachment+larger:5M');

    await router.push(links[0]!.attributes('href')!);
    await flushPromises();
    expect(router.currentRoute.value.query.q).toBe('from:carol');
    expect(wrapper.find('[aria-current="page"]').text()).toBe('From Carol');
  });

  it('removes a saved search', async () => {
    const { pinia, router, state } = setup([saved('s1', 'From Carol', 'from:carol')]);
    const wrapper = mount(SavedSearchesNav, { global: { plugins: [pinia, router] } });
    await flushPromises();
    await wrapper.get('button[aria-label="Remove the saved search From Carol"]').trigger('click');
    await flushPromises();
    expect(state.items).toEqual([]);
    expect(wrapper.find('[data-testid="saved-search"]').exists()).toBe(false);
  });

  it('renames a saved search and changes its query in a dialog, saying why the server refuses', async () => {
    const { pinia, router, server, state } = setup([
      saved('s1', 'From Carol', 'from:carol'),
      saved('s2', 'Unread', 'is:unread'),
    ]);
    await router.push('/mail/inbox?q=from:carol');
    const wrapper = mount(SavedSearchesNav, {
      global: { plugins: [pinia, router] },
      attachTo: document.body,
    });
    await flushPromises();
    await wrapper.get('button[aria-label="Edit the saved search From Carol"]').trigger('click');
    await flushPromises();
    const name = wrapper.get<HTMLInputElement>('#saved-search-name');
    const query = wrapper.get<HTMLInputElement>('#saved-search-query');
    expect([name.element.value, query.element.value]).toEqual(['From Carol', 'from:carol']);

    await name.setValue('Unread');
    await wrapper.get('[data-testid="saved-search-form"]').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toBe('A saved search is already called “Unread”');

    await name.setValue('Carol’s files');
    await query.setValue('from:carol has:attachment');
    await wrapper.get('[data-testid="saved-search-form"]').trigger('submit');
    await flushPromises();
    expect(
      server
        .apiCalls()
        .filter((call) => call.method === 'PATCH')
        .at(-1),
    ).toMatchObject({
      body: { name: 'Carol’s files', query: 'from:carol has:attachment' },
    });
    expect(state.items[0]).toMatchObject({ name: 'Carol’s files' });
    expect(wrapper.findAll('[data-testid="saved-search"]').map((link) => link.text())).toEqual([
      'Carol’s files',
      'Unread',
    ]);
    expect(wrapper.find('#saved-search-name').exists()).toBe(false);
    // The search shown was the one changed: the list follows its new query.
    await flushPromises();
    expect(router.currentRoute.value.query.q).toBe('from:carol has:attachment');
    wrapper.unmount();
  });

  it('saves the shown search under a name, and says why when the server refuses', async () => {
    const { pinia, router, server } = setup([saved('s1', 'Mine', 'x')]);
    const wrapper = mount(SaveSearchButton, {
      props: { query: 'from:carol invoice' },
      global: { plugins: [pinia, router] },
      attachTo: document.body,
    });
    await wrapper.get('[data-testid="save-search"]').trigger('click');
    const name = wrapper.get<HTMLInputElement>('input[aria-label="Name of the saved search"]');
    expect(name.element.value).toBe('from:carol invoice');

    await name.setValue('Mine');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toBe('A saved search is already called “Mine”');

    await name.setValue('Carol’s invoices');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(
      server
        .apiCalls()
        .filter((call) => call.method === 'POST')
        .at(-1),
    ).toMatchObject({
      method: 'POST',
      body: { name: 'Carol’s invoices', query: 'from:carol invoice' },
    });
    expect(useSavedSearchesStore().items.map((item) => item.name)).toEqual([
      'Mine',
      'Carol’s invoices',
    ]);
    expect(wrapper.find('form').exists()).toBe(false);
    wrapper.unmount();
  });

  it('forgets the saved searches when the user signs out', async () => {
    setup([saved('s1', 'From Carol', 'from:carol')]);
    const auth = useAuthStore();
    auth.me = { id: 'u1', email: 'ada@example.com', role: 'user' };
    const store = useSavedSearchesStore();
    await store.load();
    expect(store.items).toHaveLength(1);
    auth.me = null;
    await flushPromises();
    expect(store.items).toEqual([]);
    expect(store.loaded).toBe(false);
  });
});
