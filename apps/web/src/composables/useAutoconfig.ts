import type { AutoconfigReply } from '@popgate/contracts';
import { onBeforeUnmount, ref } from 'vue';
import { api, ApiError } from '../api/client';
import { autoconfigApi } from '../api/endpoints';
import { isEmailAddress } from '../lib/autoconfig';

/**
 * Looks up the settings of an address (GET /api/autoconfig): the latest answer, whether one is
 * on its way, and why none came. An address already answered is not asked again; a newer
 * lookup replaces an older one still under way.
 */
export function useAutoconfig() {
  const endpoints = autoconfigApi(api);
  const reply = ref<AutoconfigReply | null>(null);
  /** The address the answer is for. */
  const email = ref('');
  const loading = ref(false);
  const error = ref('');
  let pending: AbortController | null = null;

  async function lookup(address: string): Promise<AutoconfigReply | null> {
    const wanted = address.trim();
    if (!isEmailAddress(wanted)) {
      error.value = 'Type your whole email address, such as you@example.com.';
      return null;
    }
    if (reply.value && email.value.toLowerCase() === wanted.toLowerCase()) return reply.value;
    pending?.abort();
    const controller = new AbortController();
    pending = controller;
    loading.value = true;
    error.value = '';
    try {
      const answer = await endpoints.lookup(wanted, { probe: true, signal: controller.signal });
      if (pending !== controller) return null;
      reply.value = answer;
      email.value = wanted;
      return answer;
    } catch (caught) {
      if (controller.signal.aborted) return null;
      reply.value = null;
      error.value =
        caught instanceof ApiError && caught.status === 429
          ? 'Too many lookups just now: wait a moment, or type the settings below.'
          : `The settings could not be looked up (${(caught as Error).message}). Type them below; your provider’s help pages list them.`;
      return null;
    } finally {
      if (pending === controller) {
        pending = null;
        loading.value = false;
      }
    }
  }

  onBeforeUnmount(() => pending?.abort());
  return { reply, email, loading, error, lookup };
}
