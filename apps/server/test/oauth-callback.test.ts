import { randomBytes } from 'node:crypto';
import { startOidcProvider, type OidcProviderHarness } from '@popgate/oidc-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';

/**
 * What real providers send back besides code and state (Google: scope, authuser, hd, prompt;
 * Microsoft: session_state, client_info; RFC 9207: iss) must not turn a sign-in away; `iss`, when
 * present, must name the provider the sign-in went to.
 */
const HOST = 'popgate.test';
const REDIRECT_URI = `http://${HOST}/api/oauth/callback`;
const browser = { host: HOST };

let provider: OidcProviderHarness;
let subject: Awaited<ReturnType<typeof testApp>>;

beforeAll(async () => {
  provider = await startOidcProvider({ redirectUris: [REDIRECT_URI] });
  subject = await testApp({
    env: {
      POPGATE_ALLOW_PRIVATE_NETWORKS: 'true',
      POPGATE_OAUTH_GENERIC_ISSUER: provider.issuer,
      POPGATE_OAUTH_GENERIC_CLIENT_ID: provider.clientId,
      POPGATE_OAUTH_GENERIC_CLIENT_SECRET: provider.clientSecret,
      POPGATE_OAUTH_GENERIC_SCOPES: 'openid email offline_access',
    },
  });
});
afterAll(async () => {
  await subject?.close();
  await provider?.stop();
});

const resultOf = (location: string) =>
  Object.fromEntries(new URL(location, 'http://x').searchParams);

/** A user's account, sent through sign-in and consent: the provider's answer, not yet brought back. */
async function backFromProvider() {
  const client = new ApiClient(subject.app);
  const user = await client.signUp(`cb-${randomBytes(4).toString('hex')}@example.test`);
  const account = await linkAccount(subject.db.prisma, subject.app.keyring, user.id, {
    label: 'x',
    host: 'pop.example.test',
    port: 995,
    security: 'tls',
    username: 'alice',
    password: 'x',
    auth: 'xoauth2',
  });
  const start = await client.get(`/api/oauth/generic/start?accountId=${account.id}`, browser);
  expect(start.statusCode).toBe(302);
  const back = await provider.authorize(start.headers.location as string, { username: 'alice' });
  return { client, account, back };
}

describe('the OAuth2 callback', () => {
  it('accepts the parameters Google and Microsoft add, and a matching iss', async () => {
    const { client, account, back } = await backFromProvider();
    // oidc-provider sends iss itself (RFC 9207): the check below runs on a real one.
    expect(back.searchParams.get('iss')).toBe(provider.issuer);
    const params = new URLSearchParams(back.search);
    for (const [name, value] of Object.entries({
      scope: 'openid email https://mail.google.com/',
      authuser: '0',
      hd: 'example.test',
      prompt: 'consent',
      session_state: 'a4a3c4f2-7d1e-4f4e-9d51-7d2f3a0e6c11',
      client_info: 'eyJ1aWQiOiIxIn0',
      error_uri: 'https://provider.example/help',
    })) {
      params.set(name, value);
    }
    const result = await client.get(`/api/oauth/callback?${params.toString()}`, browser);
    expect(result.statusCode).toBe(302);
    expect(result.headers.location).toBe(`/accounts/${account.id}?oauth=linked&provider=generic`);
  });

  it('refuses an iss naming another provider (a mix-up), storing nothing', async () => {
    const { client, account, back } = await backFromProvider();
    const params = new URLSearchParams(back.search);
    params.set('iss', 'https://attacker.example');
    const result = await client.get(`/api/oauth/callback?${params.toString()}`, browser);
    expect(resultOf(result.headers.location as string)).toMatchObject({
      oauth: 'error',
      code: 'OAUTH_ISSUER_MISMATCH',
    });
    expect(
      await subject.db.prisma.oAuthGrant.findUnique({ where: { accountId: account.id } }),
    ).toBeNull();
  });

  it('still refuses a parameter no provider sends', async () => {
    const { client, back } = await backFromProvider();
    const result = await client.get(`/api/oauth/callback${back.search}&made_up=1`, browser);
    expect(result.statusCode).toBe(400);
  });
});

describe('starting a sign-in from a browser page', () => {
  const navigate = { ...browser, 'sec-fetch-mode': 'navigate' };

  it('goes back to the accounts page with the reason when the provider is not set up, instead of a raw error page', async () => {
    const client = new ApiClient(subject.app);
    await client.signUp(`nav-${randomBytes(4).toString('hex')}@example.test`);
    const asApi = await client.get('/api/oauth/google/start?email=a@gmail.com', browser);
    expect(asApi.statusCode).toBeGreaterThanOrEqual(400);
    const { code, message } = asApi.json().error;
    const asPage = await client.get('/api/oauth/google/start?email=a@gmail.com', navigate);
    expect(asPage.statusCode).toBe(302);
    const location = asPage.headers.location as string;
    expect(location.startsWith('/accounts?')).toBe(true);
    expect(resultOf(location)).toEqual({ oauth: 'error', code, message });
  });

  it("names no account's page for an account that is not the caller's", async () => {
    const client = new ApiClient(subject.app);
    await client.signUp(`nav-${randomBytes(4).toString('hex')}@example.test`);
    const someone = '01900000-0000-7000-8000-000000000000';
    const asPage = await client.get(`/api/oauth/generic/start?accountId=${someone}`, navigate);
    expect(asPage.statusCode).toBe(302);
    const location = asPage.headers.location as string;
    expect(location.startsWith('/accounts?')).toBe(true);
    expect(resultOf(location).oauth).toBe('error');
  });
});
