import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import { useComposeStore } from '../src/stores/compose';
import { fakeApi } from './support/fake-api';
import { DRAFT_ID, draft, identity } from './support/sending-factories';

const MB = 1024 * 1024;

describe('the outgoing size limit', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    api.resetCsrf();
  });

  it('is learnt from the draft, and a larger file is refused before any upload', async () => {
    const server = fakeApi({
      'GET /api/identities': { body: [identity()] },
      [`GET /api/drafts/${DRAFT_ID}`]: { body: draft({ maxOutgoingBytes: 10 * MB }) },
    });
    vi.stubGlobal('fetch', server.fetcher);
    const compose = useComposeStore();
    await compose.openDraft(DRAFT_ID);
    expect(compose.maxAttachmentBytes).toBe(10 * MB);

    const big = new File([new Uint8Array(11 * MB)], 'video.mp4');
    await compose.addFiles([big]);
    expect(compose.uploads[0]!.error).toBe(
      'At 11 MB this file is larger than the 10 MB you can send.',
    );
    expect(server.apiCalls().filter((call) => call.method === 'POST')).toEqual([]);
  });
});
