import type { AdminPolicy } from '@popgate/contracts';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';
import { adminApi } from '../api/endpoints';

/** The admin policy: which POP3 servers users may link, how often, how many; open sign-up. */
export const useAdminPolicyStore = defineStore('admin-policy', () => {
  const endpoints = adminApi(api);
  const policy = ref<AdminPolicy | null>(null);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      policy.value = await endpoints.policy();
      error.value = null;
    } catch (caught) {
      error.value = (caught as Error).message;
    }
  }

  /** Saves a change (any subset of fields); it applies to new connections at once. */
  async function save(change: Partial<AdminPolicy>): Promise<AdminPolicy> {
    policy.value = await endpoints.updatePolicy(change);
    return policy.value;
  }

  return { policy, error, load, save };
});
