import { ref } from 'vue';

export interface ActionResult {
  kind: 'ok' | 'error';
  text: string;
}

/**
 * Runs an admin action and keeps what came of it, in words: the action's own sentence when it
 * worked, the server's message when it did not. It stays on screen until the next action.
 */
export function useActionResult() {
  const result = ref<ActionResult | null>(null);
  const busy = ref(false);

  async function run(action: () => Promise<string>): Promise<boolean> {
    busy.value = true;
    result.value = null;
    try {
      result.value = { kind: 'ok', text: await action() };
      return true;
    } catch (error) {
      result.value = { kind: 'error', text: (error as Error).message };
      return false;
    } finally {
      busy.value = false;
    }
  }

  function clear(): void {
    result.value = null;
  }

  return { result, busy, run, clear };
}
