import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import AdminAccountDetail from '../src/components/admin/AdminAccountDetail.vue';
import { adminAccount } from './support/admin-factories';
import { fakeApi } from './support/fake-api';

const run = {
  id: 'r1',
  accountId: 'a1',
  instanceId: 'host:1:abc',
  startedAt: '2026-12-07T10:00:00.000Z',
  endedAt: '2026-12-07T10:00:02.000Z',
  outcome: 'ok',
  newMessages: 2,
  bytes: 4096,
  deletedOnServer: 0,
  errorCode: null,
  error: null,
  unchangedBefore: 11,
};

async function mountDetail(account: ReturnType<typeof adminAccount>, runs: unknown[]) {
  setActivePinia(createPinia());
  api.resetCsrf();
  const server = fakeApi({
    [`GET /api/admin/accounts/${account.id}/sync-runs`]: { body: { items: runs } },
    [`GET /api/admin/accounts/${account.id}/diagnostics`]: {
      body: { checkedAt: null, status: 'ok', serverInfo: null, certificate: null, warnings: [] },
    },
  });
  vi.stubGlobal('fetch', server.fetcher);
  const wrapper = mount(AdminAccountDetail, { props: { account } });
  await flushPromises();
  return wrapper;
}

describe("an account's sync history for the admin", () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('shows the unchanged checks since the last recorded run, and those before each run', async () => {
    const account = adminAccount({
      id: 'a1',
      lastSyncAt: '2026-12-07T12:00:00.000Z',
      unchangedPolls: 24,
      unchangedSince: '2026-12-07T10:05:00.000Z',
    });
    const wrapper = await mountDetail(account, [run]);
    const unchanged = wrapper.find('[data-testid="unchanged-polls"]');
    expect(unchanged.text()).toMatch(/^24 checks since .+ found nothing new\.$/);
    expect(unchanged.find('time').attributes('datetime')).toBe('2026-12-07T10:05:00.000Z');
    const cells = wrapper.findAll('[data-testid="sync-runs"] tbody td').map((td) => td.text());
    expect(cells.at(-1)).toBe('11');
  });

  it('says no check has found anything yet rather than that none ran', async () => {
    const account = adminAccount({
      id: 'a1',
      lastSyncAt: '2026-12-07T12:00:00.000Z',
      unchangedPolls: 1,
      unchangedSince: '2026-12-07T12:00:00.000Z',
    });
    const wrapper = await mountDetail(account, []);
    expect(wrapper.find('[data-testid="unchanged-polls"]').text()).toMatch(/^1 check since/);
    expect(wrapper.text()).toContain('No check has downloaded mail, deleted any or failed yet.');
    expect(wrapper.text()).not.toContain('No check has run yet.');
  });
});
