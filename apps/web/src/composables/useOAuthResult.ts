import { ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { readOAuthResult, withoutOAuthResult, type OAuthResult } from '../lib/oauth';

/**
 * The result of a sign-in at an OAuth2 provider, as the server's callback put it in the address
 * (`?oauth=linked&provider=…` or `?oauth=error&code=…&message=…`). Read once; the address
 * loses it at once, so reloading the page does not tell it again.
 */
export function useOAuthResult() {
  const route = useRoute();
  const router = useRouter();
  const result = ref<OAuthResult | null>(readOAuthResult(route.query));
  if (result.value) void router.replace({ query: withoutOAuthResult(route.query) as never });
  return { result, dismiss: () => (result.value = null) };
}
