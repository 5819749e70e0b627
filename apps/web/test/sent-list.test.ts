import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import MessageListRow from '../src/components/mail/MessageListRow.vue';
import { viewQuery } from '../src/lib/list-view';
import { item } from './support/factories';

const router = createRouter({
  history: createMemoryHistory(),
  routes: [{ path: '/:id?', name: 'message', component: { render: () => null } }],
});

function row(showRecipients: boolean, to?: { name: string; address: string }[]) {
  const sent = { ...item({ from: { name: 'Me', address: 'me@example.com' }, seen: true }), to };
  return mount(MessageListRow, {
    props: {
      item: sent,
      to: { name: 'message', params: { id: sent.id } },
      selected: false,
      current: false,
      terms: [],
      showRecipients,
    },
    global: { plugins: [router] },
  });
}

describe('the Sent folder', () => {
  it('asks the server for sent mail', () => {
    expect(viewQuery({ mailbox: { kind: 'sent' }, q: '', unread: false })).toEqual({
      folder: 'sent',
    });
  });

  it('shows who a sent message went to instead of its sender', () => {
    const wrapper = row(true, [
      { name: 'Bob', address: 'bob@example.com' },
      { name: '', address: 'carol@example.com' },
    ]);
    expect(wrapper.get('.message-row__from').text()).toBe('To: Bob, carol@example.com');
    expect(wrapper.text()).not.toContain('Me');
  });

  it('shows the sender in other folders', () => {
    expect(row(false).get('.message-row__from').text()).toBe('Me');
  });
});
