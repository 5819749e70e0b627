import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import MessageListRow from '../src/components/mail/MessageListRow.vue';
import { item } from './support/factories';

const router = createRouter({
  history: createMemoryHistory(),
  routes: [{ path: '/:id?', name: 'message', component: { render: () => null } }],
});

const sentRow = (to: { name: string; address: string }[]) => {
  const sent = { ...item({ from: { name: 'Me', address: 'me@example.com' }, seen: true }), to };
  return mount(MessageListRow, {
    props: {
      item: sent,
      to: { name: 'message', params: { id: sent.id } },
      selected: false,
      current: false,
      terms: [],
      showRecipients: true,
    },
    global: { plugins: [router] },
  });
};

describe('a Sent row', () => {
  it('names the recipients the list carries, and hints at more when it carries the most it may', () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({ name: '', address: `r${i}@example.com` }));
    expect(sentRow(ten).get('.message-row__from').text()).toBe(
      `To: ${ten.map((r) => r.address).join(', ')}, …`,
    );
    expect(sentRow(ten.slice(0, 2)).get('.message-row__from').text()).toBe(
      'To: r0@example.com, r1@example.com',
    );
  });
});
