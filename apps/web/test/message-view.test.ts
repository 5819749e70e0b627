import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import MessageView from '../src/components/mail/MessageView.vue';
import { useReaderStore } from '../src/stores/reader';
import { detail, item } from './support/factories';
import { fakeApi } from './support/fake-api';

async function openMessage(overrides: Parameters<typeof detail>[1]) {
  const pinia = createPinia();
  setActivePinia(pinia);
  api.resetCsrf();
  const row = item({ seen: true });
  vi.stubGlobal(
    'fetch',
    fakeApi({ [`GET /api/messages/${row.id}`]: { body: detail(row, overrides) } }).fetcher,
  );
  await useReaderStore().open(row.id);
  const wrapper = mount(MessageView, { global: { plugins: [pinia] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, row };
}

describe('the message reader', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('shows the text version and says why when the server withheld the formatting', async () => {
    const { wrapper, row } = await openMessage({
      html: null,
      text: 'The text version.',
      htmlWithheld: {
        reason: 'TOO_COMPLEX',
        message: "This message's formatting is too complex to display safely.",
      },
    });
    const notice = wrapper.get('[data-testid="html-withheld"]');
    expect(notice.text()).toContain(
      "This message's formatting was too complex to display safely; showing its text version.",
    );
    expect(notice.get('a').attributes('href')).toBe(`/api/messages/${row.id}/raw`);
    expect(wrapper.text()).toContain('The text version.');
    wrapper.unmount();
  });

  it('says nothing of the kind for a message whose formatting is shown', async () => {
    const { wrapper } = await openMessage({ html: null, text: 'Plain mail.', htmlWithheld: null });
    expect(wrapper.find('[data-testid="html-withheld"]').exists()).toBe(false);
    wrapper.unmount();
  });
});
