import type {
  IdentityDefaults,
  IdentityIn,
  IdentityOut,
  IdentityPatch,
  IdentityTestIn,
  IdentityTestReply,
} from '@popgate/contracts';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api } from '../api/client';
import { identitiesApi } from '../api/endpoints';

/** The user's outgoing identities: who they send as, from which account's SMTP server. */
export const useIdentitiesStore = defineStore('identities', () => {
  const endpoints = identitiesApi(api);
  const identities = ref<IdentityOut[]>([]);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  let loading: Promise<void> | null = null;

  const byId = computed(() => new Map(identities.value.map((identity) => [identity.id, identity])));

  /** The identity of an account (one per account). */
  const forAccount = (accountId: string) =>
    identities.value.find((identity) => identity.accountId === accountId) ?? null;

  /** Who a new message is from unless the user picks another. */
  const preferred = computed(() => identities.value[0] ?? null);

  function load(): Promise<void> {
    loading ??= endpoints
      .list()
      .then((list) => {
        identities.value = list;
        error.value = null;
      })
      .catch((caught: unknown) => {
        error.value = (caught as Error).message;
      })
      .finally(() => {
        loaded.value = true;
        loading = null;
      });
    return loading;
  }

  /** Loads once; later calls answer at once. */
  async function ensureLoaded(): Promise<void> {
    if (!loaded.value) await load();
  }

  function put(identity: IdentityOut): IdentityOut {
    const index = identities.value.findIndex((existing) => existing.id === identity.id);
    if (index >= 0) identities.value.splice(index, 1, identity);
    else identities.value.push(identity);
    return identity;
  }

  async function create(body: IdentityIn): Promise<IdentityOut> {
    return put(await endpoints.create(body));
  }
  async function update(id: string, body: IdentityPatch): Promise<IdentityOut> {
    return put(await endpoints.update(id, body));
  }
  async function remove(id: string): Promise<void> {
    await endpoints.remove(id);
    identities.value = identities.value.filter((identity) => identity.id !== id);
  }
  const test = (body: IdentityTestIn): Promise<IdentityTestReply> => endpoints.test(body);
  const defaults = (accountId: string): Promise<IdentityDefaults> => endpoints.defaults(accountId);

  function reset(): void {
    identities.value = [];
    loaded.value = false;
  }

  return {
    identities,
    loaded,
    error,
    byId,
    forAccount,
    preferred,
    load,
    ensureLoaded,
    create,
    update,
    remove,
    test,
    defaults,
    reset,
  };
});
