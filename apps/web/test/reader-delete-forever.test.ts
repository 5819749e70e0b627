import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import EmptyTrashButton from '../src/components/mail/EmptyTrashButton.vue';
import MessageView from '../src/components/mail/MessageView.vue';
import { useAccountsStore } from '../src/stores/accounts';
import { useReaderStore } from '../src/stores/reader';
import { account, detail, item } from './support/factories';
import { fakeApi } from './support/fake-api';

beforeEach(() => {
  document.body.innerHTML = '';
  const pinia = createPinia();
  setActivePinia(pinia);
  api.resetCsrf();
});

async function openTrashed(policy: { leaveOnServer: boolean; deleteWhenDeletedHere: boolean }) {
  const home = account({
    policy: { ...account().policy, ...policy },
  });
  const row = item({ seen: true, accountId: home.id });
  const server = fakeApi({
    [`GET /api/messages/${row.id}`]: {
      body: detail(row, { trashed: true, serverState: 'on_server' }),
    },
    'POST /api/messages/delete-permanently': {
      body: { ids: [row.id], deleteFromServer: [row.id], keptOnServer: [] },
    },
  });
  vi.stubGlobal('fetch', server.fetcher);
  useAccountsStore().accounts = [home];
  await useReaderStore().open(row.id);
  const wrapper = mount(MessageView, { attachTo: document.body });
  await flushPromises();
  return { wrapper, row, server };
}

describe('deleting a message permanently', () => {
  it('asks first, saying its server copy goes too when the account deletes what is deleted here', async () => {
    const { wrapper, row, server } = await openTrashed({
      leaveOnServer: true,
      deleteWhenDeletedHere: true,
    });
    await wrapper.get('[data-testid="delete-forever"]').trigger('click');
    await flushPromises();
    const dialog = wrapper.get('dialog');
    expect(dialog.text()).toContain('1 message will be deleted permanently from Popgate.');
    expect(dialog.text()).toContain('Its copy on the mail server will be deleted too');
    expect(server.apiCalls().some((c) => c.method === 'POST')).toBe(false);

    await dialog.get('[data-testid="confirm"]').trigger('click');
    await flushPromises();
    const post = server.apiCalls().find((c) => c.method === 'POST')!;
    expect(post).toMatchObject({
      url: '/api/messages/delete-permanently',
      body: { ids: [row.id] },
    });
    expect(wrapper.emitted('trashed')).toEqual([[row.id]]);
    wrapper.unmount();
  });

  it('says the server copy stays (and is not downloaded again) when mail is left on the server', async () => {
    const { wrapper } = await openTrashed({ leaveOnServer: true, deleteWhenDeletedHere: false });
    await wrapper.get('[data-testid="delete-forever"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('dialog').text()).toContain(
      'Its copy stays on the mail server (the account leaves mail there); Popgate will not download it again.',
    );
    wrapper.unmount();
  });

  it('is not offered for a message outside the Trash', async () => {
    const row = item({ seen: true });
    vi.stubGlobal(
      'fetch',
      fakeApi({ [`GET /api/messages/${row.id}`]: { body: detail(row) } }).fetcher,
    );
    await useReaderStore().open(row.id);
    const wrapper = mount(MessageView, { attachTo: document.body });
    await flushPromises();
    expect(wrapper.find('[data-testid="delete-forever"]').exists()).toBe(false);
    wrapper.unmount();
  });
});

describe('emptying the Trash', () => {
  it('shows the count and the servers’ part before emptying it', async () => {
    const server = fakeApi({
      'GET /api/messages/empty-trash': { body: { count: 7, deleteFromServer: 2, keptOnServer: 3 } },
      'POST /api/messages/empty-trash': {
        body: {
          ids: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
          deleteFromServer: ['a', 'b'],
          keptOnServer: [],
        },
      },
    });
    vi.stubGlobal('fetch', server.fetcher);
    const wrapper = mount(EmptyTrashButton, { attachTo: document.body });
    await wrapper.get('[data-testid="empty-trash"]').trigger('click');
    await flushPromises();
    const dialog = wrapper.get('dialog');
    expect(dialog.text()).toContain('7 messages will be deleted permanently from Popgate.');
    expect(dialog.text()).toContain(
      '2 messages will also be deleted from the mail server at the next check',
    );
    expect(dialog.text()).toContain('3 messages stay on the mail server');
    expect(dialog.get('[data-testid="confirm"]').text()).toBe('Delete 7 messages');
    await dialog.get('[data-testid="confirm"]').trigger('click');
    await flushPromises();
    expect(server.apiCalls().map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/messages/empty-trash',
      'POST /api/messages/empty-trash',
    ]);
    wrapper.unmount();
  });

  it('says the Trash is empty, with nothing to confirm', async () => {
    vi.stubGlobal(
      'fetch',
      fakeApi({
        'GET /api/messages/empty-trash': {
          body: { count: 0, deleteFromServer: 0, keptOnServer: 0 },
        },
      }).fetcher,
    );
    const wrapper = mount(EmptyTrashButton, { attachTo: document.body });
    await wrapper.get('[data-testid="empty-trash"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('dialog').text()).toContain('The Trash is empty.');
    expect(wrapper.get('[data-testid="confirm"]').attributes('disabled')).toBeDefined();
    wrapper.unmount();
  });
});
