import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { api } from '../src/api/client';
import ComposeHost from '../src/components/compose/ComposeHost.vue';
import MessageView from '../src/components/mail/MessageView.vue';
import { useComposeStore } from '../src/stores/compose';
import { useReaderStore } from '../src/stores/reader';
import MailView from '../src/views/MailView.vue';
import { detail, item } from './support/factories';
import { fakeApi, type Call } from './support/fake-api';
import { draft, identity } from './support/sending-factories';

const row = item({ seen: true, subject: 'Plans' });

function server() {
  return fakeApi({
    'GET /api/messages': { body: { items: [row], nextCursor: null } },
    [`GET /api/messages/${row.id}`]: { body: detail(row) },
    'GET /api/identities': { body: [identity()] },
    'GET /api/accounts': { body: [] },
    'POST /api/drafts': { status: 201, body: draft({ subject: 'Re: Plans' }) },
    'PATCH /api/drafts/:id': { body: draft() },
  });
}
const draftRequests = (calls: Call[]) =>
  calls.filter((call) => call.method === 'POST' && call.url === '/api/drafts').map((c) => c.body);

describe('answering a message from the reader', () => {
  let fake: ReturnType<typeof server>;
  beforeEach(async () => {
    document.body.innerHTML = '';
    setActivePinia(createPinia());
    api.resetCsrf();
    fake = server();
    vi.stubGlobal('fetch', fake.fetcher);
  });

  async function mountReader() {
    await useReaderStore().open(row.id);
    const wrapper = mount(MessageView, { attachTo: document.body });
    await flushPromises();
    return wrapper;
  }

  it('Reply, Reply all and Forward ask the server for the right draft and open it', async () => {
    const wrapper = await mountReader();
    await wrapper.get('button[aria-label="Reply"]').trigger('click');
    await flushPromises();
    expect(useComposeStore().presentation).toBe('panel');
    expect(useComposeStore().fields.subject).toBe('Re: Plans');
    await wrapper.get('button[aria-label="Reply all"]').trigger('click');
    await flushPromises();
    await wrapper.get('button[aria-label="Forward"]').trigger('click');
    await flushPromises();
    expect(draftRequests(fake.calls)).toEqual([
      { inReplyTo: row.id, replyAll: false },
      { inReplyTo: row.id, replyAll: true },
      { forwardOf: row.id, forwardAs: 'inline' },
    ]);
    wrapper.unmount();
  });

  it('forwards as an attachment from the More menu', async () => {
    const wrapper = await mountReader();
    const more = wrapper.get('button[aria-label="More actions"]');
    await more.trigger('click');
    expect(more.attributes('aria-expanded')).toBe('true');
    await wrapper.get('[role="menuitem"]').trigger('click');
    await flushPromises();
    expect(draftRequests(fake.calls)).toEqual([{ forwardOf: row.id, forwardAs: 'attachment' }]);
    expect(wrapper.find('[role="menu"]').exists()).toBe(false);
    wrapper.unmount();
  });
});

describe('the answering keys', () => {
  async function mountMail() {
    setActivePinia(createPinia());
    api.resetCsrf();
    const fake = server();
    vi.stubGlobal('fetch', fake.fetcher);
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/mail/:box/:messageId?', name: 'mail', component: MailView },
        { path: '/accounts', name: 'accounts', component: { render: () => null } },
      ],
    });
    await router.push(`/mail/inbox/${row.id}`);
    const wrapper = mount(MailView, { global: { plugins: [router] }, attachTo: document.body });
    await flushPromises();
    return { wrapper, fake };
  }
  const press = async (key: string, target: EventTarget = document.body) => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    await flushPromises();
  };

  it('r, a and f answer the open message', async () => {
    const { wrapper, fake } = await mountMail();
    await press('r');
    await press('a');
    await press('f');
    expect(draftRequests(fake.calls)).toEqual([
      { inReplyTo: row.id, replyAll: false },
      { inReplyTo: row.id, replyAll: true },
      { forwardOf: row.id, forwardAs: 'inline' },
    ]);
    wrapper.unmount();
  });

  it('does nothing while the user types in a field', async () => {
    const { wrapper, fake } = await mountMail();
    const input = document.createElement('input');
    document.body.appendChild(input);
    input.focus();
    await press('r', input);
    expect(draftRequests(fake.calls)).toEqual([]);
    wrapper.unmount();
  });
});

describe('the compose panel', () => {
  it('opens with c, from the preferred identity, with its signature', async () => {
    setActivePinia(createPinia());
    api.resetCsrf();
    vi.stubGlobal('fetch', server().fetcher);
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/', name: 'home', component: { render: () => null } },
        { path: '/accounts/new', name: 'account-new', component: { render: () => null } },
        { path: '/accounts/:accountId', name: 'account-edit', component: { render: () => null } },
      ],
    });
    await router.push('/');
    const wrapper = mount(ComposeHost, { global: { plugins: [router] }, attachTo: document.body });
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'c', bubbles: true }));
    await flushPromises();
    const panel = wrapper.get('[role="dialog"]');
    expect(panel.get('#compose-title').text()).toBe('New message');
    expect((panel.get('#compose-from').element as HTMLSelectElement).value).toBe('id-work');
    expect(panel.find('#compose-to').exists()).toBe(true);
    expect(panel.find('#compose-subject').exists()).toBe(true);
    expect(panel.get('#compose-body').text()).toContain('Ada, at work');
    expect(panel.find('button[aria-label="Attach files"]').exists()).toBe(true);
    await panel.get('button[aria-label="Save and close"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false);
    wrapper.unmount();
  });
});
