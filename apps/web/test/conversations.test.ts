import type { ConversationDetail, ConversationListItem } from '@popgate/contracts';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import ConversationList from '../src/components/conversations/ConversationList.vue';
import ConversationView from '../src/components/conversations/ConversationView.vue';
import { htmlWithoutQuotes, splitQuotedText } from '../src/lib/quoted-text';
import { conversationQuery, useConversationsStore } from '../src/stores/conversations';
import { useAccountsStore } from '../src/stores/accounts';
import { account, detail, item } from './support/factories';
import { fakeApi } from './support/fake-api';

const INBOX = { mailbox: { kind: 'inbox' as const }, q: '', unread: false };

const QUOTED = [
  'Sounds good, see you Friday.',
  '',
  'On Mon, 2 Nov 2026, Ada <ada@example.com> wrote:',
  '> Shall we meet on Friday?',
  '> > Earlier words',
  '',
  '-- ',
  'Bob',
].join('\n');

function thread(): ConversationDetail {
  const first = item({ subject: 'Friday', seen: true, snippet: 'Shall we meet on Friday?' });
  const second = item({ subject: 'Re: Friday', seen: true, snippet: 'Sounds good' });
  const third = item({ subject: 'Re: Friday', seen: true, snippet: 'Great' });
  return {
    id: 'conv-1',
    subject: 'Friday',
    omitted: 0,
    messages: [
      { ...first, parentId: null },
      { ...second, parentId: first.id },
      { ...third, parentId: second.id },
    ],
  };
}

async function openThread(conversation: ConversationDetail, bodies: Record<string, object>) {
  const pinia = createPinia();
  setActivePinia(pinia);
  api.resetCsrf();
  const routes: Record<string, { body: unknown }> = {
    [`GET /api/conversations/${conversation.id}`]: { body: conversation },
  };
  for (const message of conversation.messages) {
    routes[`GET /api/messages/${message.id}`] = {
      body: detail(message, bodies[message.id] ?? {}),
    };
  }
  const server = fakeApi(routes);
  vi.stubGlobal('fetch', server.fetcher);
  await useConversationsStore().openConversation(conversation.id);
  const wrapper = mount(ConversationView, { global: { plugins: [pinia] } });
  await flushPromises();
  return { wrapper, server };
}

describe('quoted text', () => {
  it('finds `>` lines and the attribution above them, losing nothing', () => {
    const parts = splitQuotedText(QUOTED);
    expect(parts.map((p) => p.quoted)).toEqual([false, true, false]);
    expect(parts[1]!.text).toBe(
      'On Mon, 2 Nov 2026, Ada <ada@example.com> wrote:\n> Shall we meet on Friday?\n> > Earlier words',
    );
    expect(parts.map((p) => p.text).join('\n')).toBe(QUOTED);
    expect(splitQuotedText('No quotes here.\nNone at all.')).toEqual([
      { quoted: false, text: 'No quotes here.\nNone at all.' },
    ]);
  });

  it('takes blockquotes and Gmail quotes out of HTML, and only them', () => {
    const html =
      '<html><head><meta charset="utf-8"></head><body><p>Yes, <b>Friday</b>.</p>' +
      '<div class="gmail_quote"><div>On Mon Ada wrote:</div><blockquote><p>Shall we?</p></blockquote></div>' +
      '<blockquote type="cite">older</blockquote><p>Bob</p></body></html>';
    const folded = htmlWithoutQuotes(html)!;
    expect(folded).toContain('<p>Yes, <b>Friday</b>.</p>');
    expect(folded).toContain('<p>Bob</p>');
    expect(folded).not.toContain('Shall we?');
    expect(folded).not.toContain('older');
    expect(folded).not.toContain('blockquote');
    expect(htmlWithoutQuotes('<p>Nothing quoted</p>')).toBeNull();
  });
});

describe('an open conversation', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('stacks the messages, the older ones collapsed and the latest open', async () => {
    const conversation = thread();
    const { wrapper, server } = await openThread(conversation, {});
    const stacked = wrapper.findAll('[data-testid="conversation-message"]');
    expect(stacked).toHaveLength(3);
    expect(stacked.map((m) => m.attributes('data-expanded'))).toEqual(['false', 'false', 'true']);
    // Collapsed: one line with the sender and the start of the message; no body fetched.
    expect(stacked[0]!.text()).toContain('Shall we meet on Friday?');
    expect(stacked[0]!.find('[data-testid="conversation-message-body"]').exists()).toBe(false);
    const fetched = () =>
      server.calls.filter((c) => c.url.startsWith('/api/messages/')).map((c) => c.url);
    expect(fetched()).toEqual([`/api/messages/${conversation.messages[2]!.id}`]);
    // Replies are indented under what they answer.
    expect(stacked[2]!.attributes('style')).toContain('margin-left: 1.5rem');
    // A click opens an older one.
    await stacked[0]!.get('button').trigger('click');
    await flushPromises();
    expect(
      wrapper
        .findAll('[data-testid="conversation-message"]')
        .map((m) => m.attributes('data-expanded')),
    ).toEqual(['true', 'false', 'true']);
    expect(fetched()).toContain(`/api/messages/${conversation.messages[0]!.id}`);
    wrapper.unmount();
  });

  it('opens unread messages too', async () => {
    const conversation = thread();
    conversation.messages[0] = { ...conversation.messages[0]!, seen: false };
    const { wrapper } = await openThread(conversation, {});
    expect(
      wrapper
        .findAll('[data-testid="conversation-message"]')
        .map((m) => m.attributes('data-expanded')),
    ).toEqual(['true', 'false', 'true']);
    wrapper.unmount();
  });

  it('folds quoted text behind "Show quoted text"', async () => {
    const conversation = thread();
    const latest = conversation.messages[2]!;
    const { wrapper } = await openThread(conversation, { [latest.id]: { text: QUOTED } });
    const body = () => wrapper.get('[data-testid="conversation-message-body"]');
    expect(body().text()).toContain('Sounds good, see you Friday.');
    expect(body().text()).toContain('Bob');
    expect(body().text()).not.toContain('Shall we meet on Friday?');
    const toggle = body().get('[data-testid="quoted-toggle"]');
    expect(toggle.text()).toBe('Show quoted text');
    await toggle.trigger('click');
    expect(body().text()).toContain('> Shall we meet on Friday?');
    expect(body().text()).toContain('wrote:');
    expect(body().get('[data-testid="quoted-toggle"]').text()).toBe('Hide quoted text');
    wrapper.unmount();
  });

  it('folds an HTML quote in the sandboxed frame', async () => {
    const conversation = thread();
    const latest = conversation.messages[2]!;
    const { wrapper } = await openThread(conversation, {
      [latest.id]: {
        text: null,
        html: '<html><body><p>Fine by me.</p><blockquote><p>Shall we meet?</p></blockquote></body></html>',
      },
    });
    const frame = () => wrapper.get('[data-testid="mail-frame"]');
    expect(frame().attributes('sandbox')).toBe('allow-popups allow-popups-to-escape-sandbox');
    expect(frame().attributes('srcdoc')).toContain('Fine by me.');
    expect(frame().attributes('srcdoc')).not.toContain('Shall we meet?');
    await wrapper.get('[data-testid="quoted-toggle"]').trigger('click');
    expect(frame().attributes('srcdoc')).toContain('Shall we meet?');
    wrapper.unmount();
  });
});

describe('the conversation list', () => {
  it('shows one row per conversation with its people, count and latest snippet', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const row: ConversationListItem = {
      id: 'conv-1',
      subject: 'Plans for Friday',
      participants: [
        { name: 'Ada Lovelace', address: 'ada@example.com' },
        { name: 'Bob Stone', address: 'bob@example.com' },
      ],
      messageCount: 6,
      unreadCount: 2,
      latestAt: '2026-11-07T09:00:00.000Z',
      latestMessageId: 'm6',
      snippet: 'See you then',
      hasAttachments: false,
      flagged: false,
      accountIds: ['acc-1'],
    };
    vi.stubGlobal(
      'fetch',
      fakeApi({ 'GET /api/conversations': { body: { items: [row], nextCursor: null } } }).fetcher,
    );
    await useConversationsStore().show({ mailbox: { kind: 'inbox' }, q: '', unread: false });
    const wrapper = mount(ConversationList, {
      props: { title: 'Inbox', cursorId: null, sort: 'arrival' as const, view: INBOX },
      global: { plugins: [pinia] },
    });
    await flushPromises();
    const rows = wrapper.findAll('[data-testid="conversation-row"]');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.text()).toContain('Ada, Bob');
    expect(rows[0]!.get('[data-testid="conversation-count"]').text()).toBe('6');
    expect(rows[0]!.text()).toContain('See you then');
    expect(rows[0]!.classes()).toContain('conversation-row--unread');
    wrapper.unmount();
  });

  it('asks for the view’s order, and loads a sorted list again on new mail', async () => {
    expect(conversationQuery({ ...INBOX, sort: 'size' })).toEqual({ sort: 'size' });
    expect(conversationQuery({ ...INBOX, sort: 'arrival' })).toEqual({});
    setActivePinia(createPinia());
    const server = fakeApi({
      'GET /api/conversations': { body: { items: [], nextCursor: null } },
    });
    vi.stubGlobal('fetch', server.fetcher);
    const store = useConversationsStore();
    await store.show({ ...INBOX, sort: 'sender' });
    await store.refresh();
    const lists = server.apiCalls().filter((call) => call.url.startsWith('/api/conversations'));
    expect(lists.map((call) => new URL(call.url, 'http://x').searchParams.get('sort'))).toEqual([
      'sender',
      'sender',
    ]);
  });

  it('has Get mail: the servers of the account in view are checked now and the list reloads', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    api.resetCsrf();
    const server = fakeApi({
      'GET /api/conversations': { body: { items: [], nextCursor: null } },
      'POST /api/accounts/acc-2/sync': { body: { accountId: 'acc-2', requested: true } },
    });
    vi.stubGlobal('fetch', server.fetcher);
    const view = {
      mailbox: { kind: 'account' as const, accountId: 'acc-2' },
      q: '',
      unread: false,
    };
    useAccountsStore().accounts = [account({ id: 'acc-2', label: 'Work' })];
    await useConversationsStore().show(view);
    const wrapper = mount(ConversationList, {
      props: { title: 'Work', cursorId: null, sort: 'arrival' as const, view },
      global: { plugins: [pinia] },
    });
    await flushPromises();
    server.calls.length = 0;
    await wrapper.get('button[aria-label="Get mail"]').trigger('click');
    await flushPromises();
    const asked = server.apiCalls().map((call) => `${call.method} ${call.url.split('?')[0]}`);
    expect(asked).toContain('POST /api/accounts/acc-2/sync');
    expect(asked).toContain('GET /api/conversations');
    wrapper.unmount();
  });
});
