import { describe, expect, it } from 'vitest';
import { defineComponent, h, nextTick } from 'vue';
import { createApp } from 'vue';
import { useServerStatus } from '../src/composables/useServerStatus';

function mountWith(fetcher: typeof fetch) {
  let exposed!: ReturnType<typeof useServerStatus>;
  const Probe = defineComponent({
    setup() {
      exposed = useServerStatus(fetcher);
      return () => h('div');
    },
  });
  createApp(Probe).mount(document.createElement('div'));
  return () => exposed;
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await nextTick();
  await new Promise((resolve) => setTimeout(resolve, 0));
};

describe('useServerStatus', () => {
  it('reports ready when /readyz answers 200', async () => {
    const status = mountWith(
      async () => new Response(JSON.stringify({ status: 'ready' }), { status: 200 }),
    );
    await settle();
    expect(status().state.value).toBe('ready');
  });

  it('reports the reason when the database is unavailable', async () => {
    const status = mountWith(
      async () =>
        new Response(JSON.stringify({ status: 'unavailable', error: 'connection refused' }), {
          status: 503,
        }),
    );
    await settle();
    expect(status().state.value).toBe('unavailable');
    expect(status().detail.value).toBe('connection refused');
  });

  it('reports a network failure instead of hanging', async () => {
    const status = mountWith(async () => {
      throw new TypeError('Failed to fetch');
    });
    await settle();
    expect(status().state.value).toBe('unavailable');
    expect(status().detail.value).toBe('Failed to fetch');
  });
});
