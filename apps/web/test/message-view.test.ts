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

  it('offers the rest of a message above its account’s size limit', async () => {
    const { wrapper, row } = await openMessage({
      headersOnly: true,
      partialReason: 'account_limit',
      size: 12 * 1024 * 1024,
      text: null,
    });
    const notice = wrapper.get('[data-testid="headers-only"]');
    expect(notice.text()).toContain(
      'Only the headers were downloaded: at 12 MB this message is above this account’s size limit.',
    );
    const download = notice.get('button');
    expect(download.text()).toBe('Download the whole message (12 MB)');
    const full = { body: detail(row, { headersOnly: false, text: 'All of it.' }) };
    const server = fakeApi({
      [`POST /api/messages/${row.id}/fetch-full`]: { body: {} },
      [`GET /api/messages/${row.id}`]: full,
    });
    vi.stubGlobal('fetch', server.fetcher);
    await download.trigger('click');
    await flushPromises();
    expect(server.apiCalls().map((call) => `${call.method} ${call.url}`)).toContain(
      `POST /api/messages/${row.id}/fetch-full`,
    );
    expect(wrapper.find('[data-testid="headers-only"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('All of it.');
    wrapper.unmount();
  });

  it('says the admin’s limit kept the rest out, with neither a download nor the original', async () => {
    const { wrapper } = await openMessage({
      headersOnly: true,
      partialReason: 'admin_limit',
      size: 300 * 1024 * 1024,
      text: null,
    });
    const notice = wrapper.get('[data-testid="headers-only"]');
    expect(notice.text()).toContain(
      'Only the headers were downloaded: this message is above the largest message this Popgate downloads (set by the admin).',
    );
    expect(notice.text()).toContain(
      'The original (.eml) cannot be downloaded either: only the headers are stored here.',
    );
    expect(notice.find('button').exists()).toBe(false);
    expect(notice.find('a').exists()).toBe(false);
    wrapper.unmount();
  });

  it('says a line too long to be mail kept all but the headers out, with no download', async () => {
    const { wrapper } = await openMessage({
      headersOnly: true,
      partialReason: 'line_too_long',
      text: null,
    });
    const notice = wrapper.get('[data-testid="headers-only"]');
    expect(notice.text()).toContain(
      'This message has a line too long to be mail; only the headers were kept.',
    );
    expect(notice.find('button').exists()).toBe(false);
    wrapper.unmount();
  });

  it('says nothing of the kind for a message whose formatting is shown', async () => {
    const { wrapper } = await openMessage({ html: null, text: 'Plain mail.', htmlWithheld: null });
    expect(wrapper.find('[data-testid="html-withheld"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="headers-only"]').exists()).toBe(false);
    wrapper.unmount();
  });
});
