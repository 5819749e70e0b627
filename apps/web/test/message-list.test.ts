import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { api } from '../src/api/client';
import MessageList from '../src/components/mail/MessageList.vue';
import { useAccountsStore } from '../src/stores/accounts';
import { useMessageListStore } from '../src/stores/message-list';
import { useSelectionStore } from '../src/stores/selection';
import { account, items } from './support/factories';
import { fakeApi } from './support/fake-api';

function setup() {
  const pinia = createPinia();
  setActivePinia(pinia);
  api.resetCsrf();
  const rows = items(30);
  rows[1]!.subject = 'Invoice for March';
  // A search's rows come with the server's marks: it found "Invoice" in this subject only.
  Object.assign(rows[1]!, { subjectHighlights: [{ start: 0, end: 7 }] });
  rows[2]!.subject = 'invoice (the server did not mark it)';
  vi.stubGlobal(
    'fetch',
    fakeApi({ 'GET /api/messages': { body: { items: rows, nextCursor: null } } }).fetcher,
  );
  const Blank = { render: () => null };
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: Blank },
      { path: '/accounts', name: 'accounts', component: Blank },
      { path: '/m/:id', name: 'message', component: Blank },
    ],
  });
  return { pinia, router, rows };
}

async function mountList(q = '') {
  const { pinia, router, rows } = setup();
  const messages = useMessageListStore();
  await messages.show({ mailbox: { kind: 'inbox' }, q, unread: false });
  const wrapper = mount(MessageList, {
    props: {
      title: 'Inbox',
      rowTo: (item: { id: string }) => ({ name: 'message', params: { id: item.id } }),
      cursorId: null,
      showAccount: false,
      unreadOnly: false,
      sort: 'arrival' as const,
    },
    global: { plugins: [pinia, router] },
    attachTo: document.body,
  });
  await flushPromises();
  return { wrapper, rows, selection: useSelectionStore() };
}

describe('the message list', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('shows the rows with unread ones marked for screen readers too', async () => {
    const { wrapper, rows } = await mountList();
    const rendered = wrapper.findAll('li');
    // Only what fits the (assumed 800 px) viewport, plus a few.
    expect(rendered.length).toBeGreaterThan(10);
    expect(rendered.length).toBeLessThan(30);
    expect(rendered[0]!.text()).toContain(rows[0]!.subject);
    expect(rendered[0]!.find('.visually-hidden').text()).toContain('Unread');
    expect(wrapper.find('h1').text()).toBe('Inbox');
    wrapper.unmount();
  });

  it('marks the words where the server found them, and counts the results', async () => {
    const { wrapper } = await mountList('invoice');
    expect(wrapper.findAll('mark').map((mark) => mark.text())).toEqual(['Invoice']);
    expect(wrapper.find('[role="status"].message-list__found').text()).toBe('30 results');
    expect(wrapper.find('h1').text()).toContain('search results for “invoice”');
    wrapper.unmount();
  });

  it('turns the bar into actions for the selection', async () => {
    const { wrapper, selection } = await mountList();
    await wrapper.find('input[aria-label="Select all loaded messages"]').trigger('change');
    expect(selection.ids.size).toBe(30);
    expect(wrapper.text()).toContain('30 selected');
    const toolbar = wrapper.find('[role="toolbar"]');
    expect(toolbar.find('[aria-label="Mark as read"]').exists()).toBe(true);
    expect(toolbar.find('[aria-label="Move to Trash"]').exists()).toBe(true);
    await toolbar.find('button.button--quiet').trigger('click');
    expect(selection.ids.size).toBe(0);
    wrapper.unmount();
  });

  it('tells about an account that needs the user', async () => {
    const { wrapper } = await mountList();
    useAccountsStore().accounts = [account({ label: 'Work', status: 'auth_failed' })];
    await flushPromises();
    expect(wrapper.find('.message-list__trouble').text()).toContain('Work: password rejected.');
    wrapper.unmount();
  });
});
