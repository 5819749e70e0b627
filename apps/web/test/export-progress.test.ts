import type { ExportJobOut } from '@popgate/contracts';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import ExportMail from '../src/components/settings/ExportMail.vue';
import { useExportsStore } from '../src/stores/exports';
import { fakeApi } from './support/fake-api';

const job = (change: Partial<ExportJobOut>): ExportJobOut => ({
  id: 'e1',
  status: 'running',
  format: 'mbox',
  messages: 0,
  bytes: 0,
  total: 400,
  streamed: true,
  ...change,
});

async function mountExport() {
  setActivePinia(createPinia());
  api.resetCsrf();
  vi.stubGlobal('fetch', fakeApi({ 'GET /api/accounts': { body: [] } }).fetcher);
  const wrapper = mount(ExportMail, { attachTo: document.body });
  await flushPromises();
  return wrapper;
}

describe('the progress of an export download', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('shows messages out of the total and megabytes from export.progress events once Export is clicked', async () => {
    const wrapper = await mountExport();
    const exports = useExportsStore();
    // Someone else's download in another tab before this one: not shown until Export here.
    exports.apply(job({ id: 'other', messages: 5 }));
    await flushPromises();
    expect(wrapper.find('[data-testid="export-streamed"]').exists()).toBe(false);

    await wrapper.find('[data-testid="export-download"]').trigger('click');
    exports.apply(job({ messages: 100, bytes: 3 * 1048576 }));
    await flushPromises();
    const status = wrapper.find('[data-testid="export-streamed"]');
    expect(status.text()).toContain('100 of 400 messages (25%), 3.0 MB so far');
    expect(status.find('progress').attributes('value')).toBe('100');

    exports.apply(job({ status: 'done', messages: 400, bytes: 12 * 1048576 }));
    await flushPromises();
    expect(wrapper.find('[data-testid="export-streamed"]').text()).toBe(
      'Sent: 400 messages, 12.0 MB.',
    );
  });

  it('says when the download stopped before its end', async () => {
    const wrapper = await mountExport();
    await wrapper.find('[data-testid="export-download"]').trigger('click');
    useExportsStore().apply(
      job({ status: 'failed', error: 'the download stopped before its end' }),
    );
    await flushPromises();
    expect(wrapper.find('[data-testid="export-streamed"]').text()).toContain(
      'The download stopped before its end',
    );
  });

  it("follows a prepared export's events over its last poll", async () => {
    const exports = useExportsStore(createPinia());
    exports.apply(job({ id: 'p1', streamed: undefined, messages: 7 }));
    expect(exports.jobs.p1?.messages).toBe(7);
    expect(exports.streamed).toBeNull();
  });
});
