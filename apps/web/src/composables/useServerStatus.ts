import type { ReadyReply } from '@popgate/contracts';
import { onMounted, ref } from 'vue';

export type ServerState = 'checking' | 'ready' | 'unavailable';

/** Asks the server whether it is ready (database reachable, migrations applied). */
export function useServerStatus(fetcher: typeof fetch = fetch) {
  const state = ref<ServerState>('checking');
  const detail = ref('');

  async function check(): Promise<void> {
    state.value = 'checking';
    try {
      const response = await fetcher('/readyz', { headers: { accept: 'application/json' } });
      const body = (await response.json()) as ReadyReply;
      state.value = response.ok ? 'ready' : 'unavailable';
      if (body.status === 'unavailable') detail.value = body.error;
      else if (body.status === 'migrating') detail.value = 'the database is being migrated';
      else detail.value = '';
    } catch (error) {
      state.value = 'unavailable';
      detail.value = (error as Error).message;
    }
  }

  onMounted(check);
  return { state, detail, check };
}
