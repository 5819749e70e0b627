import type { ConversationDetail, ConversationListItem } from '@popgate/contracts';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import ConversationList from '../src/components/conversations/ConversationList.vue';
import { useConversationActions } from '../src/composables/useConversationActions';
import { useConversationsStore } from '../src/stores/conversations';
import { item } from './support/factories';
import { fakeApi } from './support/fake-api';

const INBOX = { mailbox: { kind: 'inbox' as const }, q: '', unread: false };

function row(id: string, subject: string, flagged = false): ConversationListItem {
  return {
    id,
    subject,
    participants: [{ name: 'Ada Lovelace', address: 'ada@example.com' }],
    messageCount: 2,
    unreadCount: 1,
    latestAt: '2026-11-07T09:00:00.000Z',
    latestMessageId: `${id}-m2`,
    snippet: 'See you then',
    hasAttachments: false,
    flagged,
    accountIds: ['acc-1'],
  };
}
function thread(id: string): ConversationDetail {
  return {
    id,
    subject: id,
    omitted: 0,
    messages: [
      { ...item({ id: `${id}-m1` }), parentId: null },
      { ...item({ id: `${id}-m2` }), parentId: `${id}-m1` },
    ],
  };
}

async function setup() {
  const pinia = createPinia();
  setActivePinia(pinia);
  api.resetCsrf();
  const server = fakeApi({
    'GET /api/conversations': {
      body: { items: [row('c1', 'Budget'), row('c2', 'Picnic', true)], nextCursor: null },
    },
    'GET /api/conversations/c1': { body: thread('c1') },
    'GET /api/conversations/c2': { body: thread('c2') },
    'POST /api/messages/trash': (call) => ({
      body: { ...(call.body as object), trashed: true, deleteFromServer: [], serverCopyGone: [] },
    }),
    'PATCH /api/messages': (call) => ({ body: call.body }),
  });
  vi.stubGlobal('fetch', server.fetcher);
  await useConversationsStore().show({ mailbox: { kind: 'inbox' }, q: '', unread: false });
  return { pinia, server };
}

describe('selecting conversations', () => {
  it('ticks whole conversations in the list and counts them', async () => {
    const { pinia } = await setup();
    const wrapper = mount(ConversationList, {
      props: { title: 'Inbox', cursorId: null, sort: 'arrival' as const, view: INBOX },
      global: { plugins: [pinia] },
    });
    await flushPromises();
    await wrapper.get('input[aria-label="Select conversation: Picnic"]').setValue(true);
    expect([...useConversationsStore().selected]).toEqual(['c2']);
    expect(wrapper.text()).toContain('1 selected');
    await wrapper.get('button.button--quiet').trigger('click');
    expect(useConversationsStore().selected.size).toBe(0);
    wrapper.unmount();
  });

  it('trashes every message of the ticked conversations, else of the one given', async () => {
    const { server } = await setup();
    const conversations = useConversationsStore();
    const actions = useConversationActions();
    conversations.toggleSelected('c1');
    conversations.toggleSelected('c2');
    expect(await actions.trash('c1', false)).toEqual(['c1', 'c2']);
    const trashed = server.apiCalls().find((call) => call.url === '/api/messages/trash');
    expect(trashed?.body).toEqual({ ids: ['c1-m1', 'c1-m2', 'c2-m1', 'c2-m2'] });
    expect(conversations.selected.size).toBe(0);

    // Nothing ticked: the open (or cursor's) conversation alone.
    expect(await actions.markRead('c2')).toEqual(['c2']);
    const read = server
      .apiCalls()
      .filter((call) => call.method === 'PATCH')
      .at(-1);
    expect(read?.body).toMatchObject({ ids: ['c2-m1', 'c2-m2'], seen: true });
  });

  it('flags the conversations unless all of them are flagged, then takes the flags off', async () => {
    const { server } = await setup();
    const actions = useConversationActions();
    await actions.toggleFlag('c1');
    await actions.toggleFlag('c2');
    const flags = server
      .apiCalls()
      .filter((call) => call.method === 'PATCH')
      .map((call) => call.body);
    expect(flags).toEqual([
      expect.objectContaining({ ids: ['c1-m1', 'c1-m2'], flagged: true }),
      expect.objectContaining({ ids: ['c2-m1', 'c2-m2'], flagged: false }),
    ]);
  });
});
