import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider, type OidcProviderHarness } from '@popgate/oidc-harness';
import { oauthBearer, Pop3Wire, xoauth2 } from '@popgate/pop3-server/testing';
import { dovecotAvailable, startDovecot, type Dovecot } from '../src/index';

const redirectUri = 'http://127.0.0.1:9/callback';

describe.skipIf(!dovecotAvailable())('Dovecot checking bearer tokens at an OAuth2 provider', () => {
  let provider: OidcProviderHarness;
  let dovecot: Dovecot;
  const connect = () => Pop3Wire.connect({ host: dovecot.host, port: dovecot.plainPort });

  beforeAll(async () => {
    provider = await startOidcProvider({
      redirectUris: [redirectUri],
      users: [
        { username: 'alice', email: 'alice@example.test' },
        { username: 'bob', email: 'bob@example.test' },
      ],
    });
    dovecot = await startDovecot({
      users: [
        { username: 'alice', password: 'alice-secret' },
        { username: 'bob', password: 'bob-secret' },
      ],
      oauth2: { introspectionUrl: provider.introspection.urlWithCredentials },
    });
  });
  afterAll(async () => {
    await dovecot?.stop();
    await provider?.stop();
  });

  async function tokensFor(username: string) {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${provider.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: provider.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid email',
      state: 's',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const back = await provider.authorize(url.href, { username });
    const response = await fetch(provider.tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') ?? '',
        redirect_uri: redirectUri,
        code_verifier: verifier,
        client_id: provider.clientId,
        client_secret: provider.clientSecret,
      }),
    });
    return (await response.json()) as { access_token: string; refresh_token: string };
  }

  async function login(mechanism: 'XOAUTH2' | 'OAUTHBEARER', username: string, token: string) {
    const wire = await connect();
    const encode = mechanism === 'XOAUTH2' ? xoauth2 : oauthBearer;
    const answer = await wire.command(`AUTH ${mechanism} ${encode(username, token)}`);
    // A failed bearer exchange first sends a JSON error challenge, answered by an empty line.
    const final = answer.startsWith('+ ') ? await wire.command('') : answer;
    wire.close();
    return final;
  }

  it('logs in with XOAUTH2 and OAUTHBEARER using an access token the provider issued', async () => {
    const { access_token } = await tokensFor('alice');
    expect(await login('XOAUTH2', 'alice', access_token)).toMatch(/^\+OK/);
    expect(await login('OAUTHBEARER', 'alice', access_token)).toMatch(/^\+OK/);
  });

  it('refuses a token issued to another user, and one the provider never issued', async () => {
    const { access_token } = await tokensFor('bob');
    expect(await login('XOAUTH2', 'alice', access_token)).toMatch(/^-ERR \[AUTH\]/);
    expect(await login('XOAUTH2', 'alice', 'made-up-token')).toMatch(/^-ERR \[AUTH\]/);
  });

  it('refuses an expired access token', async () => {
    provider.setAccessTokenTtl(1);
    try {
      const { access_token } = await tokensFor('alice');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await login('XOAUTH2', 'alice', access_token)).toMatch(/^-ERR \[AUTH\]/);
    } finally {
      provider.setAccessTokenTtl(300);
    }
  });

  it('refuses the access token of a revoked grant', async () => {
    const { access_token } = await tokensFor('alice');
    expect(await login('OAUTHBEARER', 'alice', access_token)).toMatch(/^\+OK/);
    provider.revokeGrants('alice');
    expect(await login('OAUTHBEARER', 'alice', access_token)).toMatch(/^-ERR \[AUTH\]/);
  });

  it('still accepts passwords beside tokens', async () => {
    const wire = await connect();
    await wire.command('USER bob');
    expect(await wire.command('PASS bob-secret')).toMatch(/^\+OK/);
    wire.close();
  });
});
