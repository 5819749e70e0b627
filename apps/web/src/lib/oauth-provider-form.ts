import type { AdminOAuthProvider, AdminOAuthProviderPut } from '@popgate/contracts';

/** One provider's fields on the admin policy page, as typed. */
export interface OAuthProviderForm {
  clientId: string;
  /** Empty: keep the secret set before. */
  clientSecret: string;
  tenant: string;
  /** Generic: an issuer (discovery), or the endpoints. */
  mode: 'issuer' | 'endpoints';
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint: string;
  /** Separated by spaces. */
  scopes: string;
}

export type OAuthProviderErrors = Partial<Record<keyof OAuthProviderForm, string>>;

export const PROVIDER_TITLES = {
  google: 'Google',
  microsoft: 'Microsoft',
  generic: 'Another provider (OpenID Connect or OAuth2)',
} as const;

export function oauthProviderForm(provider: AdminOAuthProvider): OAuthProviderForm {
  return {
    clientId: provider.clientId ?? '',
    clientSecret: '',
    tenant: provider.tenant ?? 'common',
    mode: provider.tokenEndpoint && !provider.issuer ? 'endpoints' : 'issuer',
    issuer: provider.issuer ?? '',
    authorizationEndpoint: provider.authorizationEndpoint ?? '',
    tokenEndpoint: provider.tokenEndpoint ?? '',
    revocationEndpoint: provider.revocationEndpoint ?? '',
    scopes: (provider.provider === 'generic' && provider.scopes.length
      ? provider.scopes
      : ['openid', 'email', 'offline_access']
    ).join(' '),
  };
}

const isUrl = (text: string) => /^https?:\/\/[^\s/]+/.test(text);

/** What the server would refuse, said before sending. */
export function validateOAuthProvider(
  provider: AdminOAuthProvider,
  form: OAuthProviderForm,
): OAuthProviderErrors {
  const errors: OAuthProviderErrors = {};
  if (!form.clientId.trim()) errors.clientId = 'Enter the client ID the provider gave Popgate.';
  // The secret set here is kept when left empty; the environment's is not copied over.
  if (!form.clientSecret && !(provider.source === 'admin' && provider.clientSecretSet)) {
    errors.clientSecret = 'Enter the client secret the provider gave Popgate.';
  }
  if (provider.provider === 'microsoft' && !form.tenant.trim()) {
    errors.tenant = 'common, consumers, organizations, or your tenant’s id or domain.';
  }
  if (provider.provider === 'generic') {
    const url = (field: 'issuer' | 'authorizationEndpoint' | 'tokenEndpoint') => {
      if (!isUrl(form[field].trim())) errors[field] = 'A URL starting with https://.';
    };
    if (form.mode === 'issuer') url('issuer');
    else {
      url('authorizationEndpoint');
      url('tokenEndpoint');
      const revocation = form.revocationEndpoint.trim();
      if (revocation && !isUrl(revocation)) {
        errors.revocationEndpoint = 'A URL starting with https://, or nothing.';
      }
    }
    if (!form.scopes.trim()) errors.scopes = 'At least one scope, such as offline_access.';
  }
  return errors;
}

/** The request that sets the provider as the form says. */
export function oauthProviderPut(
  provider: AdminOAuthProvider,
  form: OAuthProviderForm,
): AdminOAuthProviderPut {
  const body: AdminOAuthProviderPut = { enabled: true, clientId: form.clientId.trim() };
  if (form.clientSecret) body.clientSecret = form.clientSecret;
  if (provider.provider === 'microsoft') body.tenant = form.tenant.trim();
  if (provider.provider === 'generic') {
    if (form.mode === 'issuer') body.issuer = form.issuer.trim();
    else {
      body.authorizationEndpoint = form.authorizationEndpoint.trim();
      body.tokenEndpoint = form.tokenEndpoint.trim();
      if (form.revocationEndpoint.trim()) body.revocationEndpoint = form.revocationEndpoint.trim();
    }
    body.scopes = form.scopes.split(/[\s,]+/).filter(Boolean);
  }
  return body;
}

/** Where the provider's settings come from, in words. */
export function providerSourceText(provider: AdminOAuthProvider): string {
  if (provider.source === 'admin') {
    const state = provider.enabled ? 'Set here' : 'Switched off here';
    return provider.environmentDefault ? `${state}, in place of the environment’s settings` : state;
  }
  if (provider.source === 'environment') return 'Set by the environment (POPGATE_OAUTH_*)';
  return 'Not set up: users see no “Sign in with” button for it';
}
