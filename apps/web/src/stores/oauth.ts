import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';
import { oauthApi } from '../api/endpoints';
import { oauthStartUrl, providerLabel, type OAuthProvider, type SignInTarget } from '../lib/oauth';

/** The OAuth2 providers this Popgate signs accounts in with, and starting a sign-in. */
export const useOAuthStore = defineStore('oauth', () => {
  const endpoints = oauthApi(api);
  const providers = ref<OAuthProvider[]>([]);
  const loaded = ref(false);
  let loading: Promise<void> | null = null;

  /** Loads the list once; without it (offline, an older server) no sign-in button shows. */
  function ensureLoaded(): Promise<void> {
    loading ??= endpoints
      .providers()
      .then((reply) => {
        providers.value = reply.items;
      })
      .catch(() => {
        providers.value = [];
        loading = null;
      })
      .finally(() => {
        loaded.value = true;
      });
    return loading;
  }

  const configured = (name: string) => providers.value.some((provider) => provider.name === name);
  const label = (name: string) => providerLabel(name, providers.value);

  /**
   * Where a "Sign in with…" link goes: a full-page visit to the provider's sign-in page, which
   * sends the browser back to the account's page with the result (no popup to be blocked).
   */
  const startUrl = (provider: string, target: SignInTarget) => oauthStartUrl(provider, target);

  function reset(): void {
    providers.value = [];
    loaded.value = false;
    loading = null;
  }

  return { providers, loaded, ensureLoaded, configured, label, startUrl, reset };
});
