import type { AdminOAuthProvider } from '@popgate/contracts';
import { describe, expect, it } from 'vitest';
import {
  oauthProviderForm,
  oauthProviderPut,
  providerSourceText,
  validateOAuthProvider,
} from '../src/lib/oauth-provider-form';

const provider = (overrides: Partial<AdminOAuthProvider> = {}): AdminOAuthProvider => ({
  provider: 'generic',
  source: 'none',
  enabled: false,
  environmentDefault: false,
  clientId: null,
  clientSecretSet: false,
  tenant: null,
  issuer: null,
  authorizationEndpoint: null,
  tokenEndpoint: null,
  revocationEndpoint: null,
  scopes: [],
  updatedAt: null,
  ...overrides,
});

describe('the OAuth2 provider form', () => {
  it("asks for the secret unless one was set here (the environment's is never copied)", () => {
    const fromEnvironment = provider({
      source: 'environment',
      enabled: true,
      clientId: 'env-client',
      clientSecretSet: true,
      issuer: 'https://id.example',
      scopes: ['openid'],
    });
    const form = oauthProviderForm(fromEnvironment);
    expect(form).toMatchObject({ clientId: 'env-client', clientSecret: '', mode: 'issuer' });
    expect(validateOAuthProvider(fromEnvironment, form).clientSecret).toMatch(/client secret/);
    const setHere = { ...fromEnvironment, source: 'admin' as const };
    expect(validateOAuthProvider(setHere, form)).toEqual({});
    expect(oauthProviderPut(setHere, form)).toEqual({
      enabled: true,
      clientId: 'env-client',
      issuer: 'https://id.example',
      scopes: ['openid'],
    });
  });

  it('sends the endpoints instead of an issuer, and Microsoft its tenant only', () => {
    const generic = provider();
    const form = {
      ...oauthProviderForm(generic),
      clientId: ' id ',
      clientSecret: 's',
      mode: 'endpoints' as const,
      authorizationEndpoint: 'https://id.example/auth',
      tokenEndpoint: 'https://id.example/token',
      scopes: 'offline_access,  mail',
    };
    expect(validateOAuthProvider(generic, form)).toEqual({});
    expect(oauthProviderPut(generic, form)).toEqual({
      enabled: true,
      clientId: 'id',
      clientSecret: 's',
      authorizationEndpoint: 'https://id.example/auth',
      tokenEndpoint: 'https://id.example/token',
      scopes: ['offline_access', 'mail'],
    });
    expect(validateOAuthProvider(generic, { ...form, tokenEndpoint: 'token' }).tokenEndpoint).toBe(
      'A URL starting with https://.',
    );
    const microsoft = provider({ provider: 'microsoft' });
    const put = oauthProviderPut(microsoft, {
      ...oauthProviderForm(microsoft),
      clientId: 'm',
      clientSecret: 's',
    });
    expect(put).toEqual({ enabled: true, clientId: 'm', clientSecret: 's', tenant: 'common' });
  });

  it('says where the settings come from', () => {
    expect(providerSourceText(provider())).toMatch(/^Not set up/);
    expect(providerSourceText(provider({ source: 'environment' }))).toMatch(/environment/);
    expect(
      providerSourceText(provider({ source: 'admin', enabled: false, environmentDefault: true })),
    ).toBe('Switched off here, in place of the environment’s settings');
  });
});
