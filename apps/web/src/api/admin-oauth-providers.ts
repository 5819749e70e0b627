import type {
  AdminOAuthProviderPut,
  AdminOAuthProvidersReply,
  OAuthProviderId,
} from '@popgate/contracts';
import { api, type ApiClient } from './client';

/** The OAuth2 providers an admin sets on the policy page (they replace the environment's). */
export function adminOAuthProvidersApi(client: ApiClient = api) {
  const path = (provider: OAuthProviderId) =>
    `/api/admin/oauth-providers/${encodeURIComponent(provider)}`;
  return {
    list: () => client.get<AdminOAuthProvidersReply>('/api/admin/oauth-providers'),
    set: (provider: OAuthProviderId, body: AdminOAuthProviderPut) =>
      client.request<AdminOAuthProvidersReply>('PUT', path(provider), { body }),
    clear: (provider: OAuthProviderId) => client.delete<AdminOAuthProvidersReply>(path(provider)),
  };
}
