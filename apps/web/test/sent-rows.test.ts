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

  it('marks the recipients a to: search found in "To: …"', () => {
    const row = mount(MessageListRow, {
      props: {
        item: {
          ...item({ from: { name: 'Me', address: 'me@example.com' }, seen: true }),
          to: [
            { name: 'Ann', address: 'ann@example.org' },
            { name: 'Carol Jones', address: 'carol@example.net' },
          ],
          toHighlights: [{ index: 1, ranges: [{ start: 0, end: 11 }] }],
        },
        to: { name: 'message', params: { id: 'm1' } },
        selected: false,
        current: false,
        showRecipients: true,
      },
      global: { plugins: [router] },
    });
    expect(row.findAll('.message-row__from mark').map((m) => m.text())).toEqual(['Carol Jones']);
  });
});

describe('a received row found by from: or to:', () => {
  it('marks the sender from: found, and names the recipients to: found with their marks', () => {
    const row = mount(MessageListRow, {
      props: {
        item: {
          ...item({ from: { name: 'Carol Jones', address: 'carol@example.net' } }),
          to: [
            { name: '', address: 'me@example.com' },
            { name: 'Team', address: 'team@example.net' },
          ],
          fromHighlights: [{ start: 0, end: 5 }],
          toHighlights: [{ index: 1, ranges: [{ start: 0, end: 4 }] }],
        },
        to: { name: 'message', params: { id: 'm1' } },
        selected: false,
        current: false,
      },
      global: { plugins: [router] },
    });
    expect(row.findAll('.message-row__from mark').map((m) => m.text())).toEqual(['Carol']);
    const found = row.get('[data-testid="matched-recipients"]');
    expect(found.text()).toBe('to Team');
    expect(found.findAll('mark').map((m) => m.text())).toEqual(['Team']);
  });

  it('names no recipient when the search did not look for one', () => {
    const row = mount(MessageListRow, {
      props: {
        item: item({ from: { name: 'Carol Jones', address: 'carol@example.net' } }),
        to: { name: 'message', params: { id: 'm1' } },
        selected: false,
        current: false,
      },
      global: { plugins: [router] },
    });
    expect(row.find('[data-testid="matched-recipients"]').exists()).toBe(false);
    expect(row.find('mark').exists()).toBe(false);
  });
});
