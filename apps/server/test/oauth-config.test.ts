import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

const client = {
  POPGATE_OAUTH_GENERIC_CLIENT_ID: 'popgate',
  POPGATE_OAUTH_GENERIC_CLIENT_SECRET: 'secret',
};
const oauthOf = (env: Record<string, string>) => loadConfig({ LOG_LEVEL: 'silent', ...env }).oauth;
const refusal = (env: Record<string, string>) => {
  try {
    oauthOf(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return null;
};

describe('OAuth2 providers from the environment', () => {
  it('takes the generic provider by its issuer, or by its endpoints', () => {
    expect(
      oauthOf({ ...client, POPGATE_OAUTH_GENERIC_ISSUER: 'https://id.example/' }).generic,
    ).toEqual({
      clientId: 'popgate',
      clientSecret: 'secret',
      issuer: 'https://id.example',
      scopes: ['openid', 'email', 'offline_access'],
    });
    expect(
      oauthOf({
        ...client,
        POPGATE_OAUTH_GENERIC_AUTHORIZATION_ENDPOINT: 'https://id.example/authorize',
        POPGATE_OAUTH_GENERIC_TOKEN_ENDPOINT: 'https://id.example/token',
        POPGATE_OAUTH_GENERIC_REVOCATION_ENDPOINT: 'https://id.example/revoke',
        POPGATE_OAUTH_GENERIC_SCOPES: 'mail offline_access',
      }).generic,
    ).toEqual({
      clientId: 'popgate',
      clientSecret: 'secret',
      authorizationEndpoint: 'https://id.example/authorize',
      tokenEndpoint: 'https://id.example/token',
      revocationEndpoint: 'https://id.example/revoke',
      scopes: ['mail', 'offline_access'],
    });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['no issuer and no endpoints', client, /POPGATE_OAUTH_GENERIC_ISSUER must be/],
    [
      'one endpoint of two',
      { ...client, POPGATE_OAUTH_GENERIC_TOKEN_ENDPOINT: 'https://id.example/token' },
      /AUTHORIZATION_ENDPOINT goes with the other endpoint/,
    ],
    [
      'an endpoint that is no URL',
      { ...client, POPGATE_OAUTH_GENERIC_ISSUER: 'id.example' },
      /POPGATE_OAUTH_GENERIC_ISSUER must be a URL starting with https/,
    ],
    [
      'openid without an issuer to check its ID tokens',
      {
        ...client,
        POPGATE_OAUTH_GENERIC_AUTHORIZATION_ENDPOINT: 'https://id.example/authorize',
        POPGATE_OAUTH_GENERIC_TOKEN_ENDPOINT: 'https://id.example/token',
      },
      /POPGATE_OAUTH_GENERIC_SCOPES has openid/,
    ],
    [
      'a Microsoft tenant that is none',
      {
        POPGATE_OAUTH_MICROSOFT_CLIENT_ID: 'a',
        POPGATE_OAUTH_MICROSOFT_CLIENT_SECRET: 'b',
        POPGATE_OAUTH_MICROSOFT_TENANT: 'my tenant',
      },
      /POPGATE_OAUTH_MICROSOFT_TENANT must be common, consumers, organizations/,
    ],
  ])('refuses %s, naming the variable', (_what, env, message) => {
    expect(refusal(env)).toMatch(message);
  });

  it('takes a Microsoft tenant by id or domain', () => {
    for (const tenant of ['72f988bf-86f1-41af-91ab-2d7cd011db47', 'contoso.onmicrosoft.com']) {
      expect(
        oauthOf({
          POPGATE_OAUTH_MICROSOFT_CLIENT_ID: 'a',
          POPGATE_OAUTH_MICROSOFT_CLIENT_SECRET: 'b',
          POPGATE_OAUTH_MICROSOFT_TENANT: tenant,
        }).microsoft?.tenant,
      ).toBe(tenant);
    }
  });
});
