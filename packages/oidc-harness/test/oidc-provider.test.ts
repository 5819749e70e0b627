import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider, type OidcProviderHarness } from '../src/index';

const redirectUri = 'http://127.0.0.1:9/callback';
const b64url = (bytes: Buffer) => bytes.toString('base64url');

describe('the test OpenID provider', () => {
  let provider: OidcProviderHarness;

  beforeAll(async () => {
    provider = await startOidcProvider({ redirectUris: [redirectUri] });
  });
  afterAll(async () => {
    await provider?.stop();
  });

  const post = async (url: string, form: Record<string, string>, auth?: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}),
      },
      body: new URLSearchParams(form),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const introspect = (token: string) =>
    post(
      provider.introspection.url,
      { token },
      `${provider.introspection.clientId}:${provider.introspection.clientSecret}`,
    );

  async function codeFlow() {
    const verifier = b64url(randomBytes(32));
    const url = new URL(`${provider.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: provider.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid email offline_access',
      state: 'state-1',
      prompt: 'consent',
      code_challenge: b64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
    }).toString();
    const back = await provider.authorize(url.href);
    expect(back.searchParams.get('state')).toBe('state-1');
    const code = back.searchParams.get('code') as string;
    const tokens = await post(provider.tokenEndpoint, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      client_id: provider.clientId,
      client_secret: provider.clientSecret,
    });
    return { code, verifier, tokens };
  }

  const refresh = (refreshToken: string) =>
    post(provider.tokenEndpoint, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: provider.clientId,
      client_secret: provider.clientSecret,
    });

  it('issues an access and a refresh token through sign-in, consent and PKCE', async () => {
    const { tokens } = await codeFlow();
    expect(tokens.status).toBe(200);
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    expect(typeof tokens.body.access_token).toBe('string');
    expect(typeof tokens.body.refresh_token).toBe('string');
  });

  it('answers the user name and address when a resource server introspects an access token', async () => {
    const { tokens } = await codeFlow();
    const answer = await introspect(tokens.body.access_token as string);
    expect(answer.body).toMatchObject({
      active: true,
      sub: 'alice',
      username: 'alice',
      email: 'alice@example.test',
    });
  });

  it('refuses a code used twice', async () => {
    const { code, verifier } = await codeFlow();
    const again = await post(provider.tokenEndpoint, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      client_id: provider.clientId,
      client_secret: provider.clientSecret,
    });
    expect(again.body.error).toBe('invalid_grant');
  });

  it('rotates the refresh token, and a reused one revokes the grant', async () => {
    const { tokens } = await codeFlow();
    const first = tokens.body.refresh_token as string;
    const rotated = await refresh(first);
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(first);
    const reused = await refresh(first);
    expect(reused.body.error).toBe('invalid_grant');
    expect((await refresh(rotated.body.refresh_token as string)).body.error).toBe('invalid_grant');
    expect((await introspect(rotated.body.access_token as string)).body.active).toBe(false);
  });

  it('counts the token endpoint grants', async () => {
    provider.resetCounts();
    const { tokens } = await codeFlow();
    await refresh(tokens.body.refresh_token as string);
    expect(provider.counts).toEqual({
      authorizationCode: 1,
      refreshToken: 1,
      errors: 0,
      revocations: 0,
    });
  });

  it('lets a test revoke what a user granted: tokens turn inactive, refreshing fails', async () => {
    const { tokens } = await codeFlow();
    expect(provider.revokeGrants('alice')).toBeGreaterThan(0);
    expect((await introspect(tokens.body.access_token as string)).body.active).toBe(false);
    expect((await refresh(tokens.body.refresh_token as string)).body.error).toBe('invalid_grant');
  });

  it('issues access tokens that expire after the lifetime the test sets', async () => {
    provider.setAccessTokenTtl(1);
    try {
      const { tokens } = await codeFlow();
      expect(tokens.body.expires_in).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await introspect(tokens.body.access_token as string)).body.active).toBe(false);
    } finally {
      provider.setAccessTokenTtl(300);
    }
  });

  it('sends the browser back with access_denied when consent is refused', async () => {
    const url = new URL(`${provider.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: provider.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid',
      state: 's',
      code_challenge: b64url(createHash('sha256').update('x'.repeat(43)).digest()),
      code_challenge_method: 'S256',
    }).toString();
    const back = await provider.authorize(url.href, { deny: true });
    expect(back.searchParams.get('error')).toBe('access_denied');
  });
});
