import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dovecotAvailable, startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { startOidcProvider, type OidcProviderHarness } from '@popgate/oidc-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import { syncAccount } from '../src/sync/account-sync';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';

const HOST = 'popgate.test';
const REDIRECT_URI = `http://${HOST}/api/oauth/callback`;
const never = new AbortController().signal;
const secretKey = randomBytes(32).toString('base64');
const browser = { host: HOST };

const mail = (n: number) =>
  Buffer.from(
    `From: a@example.test\r\nSubject: OAuth ${n}\r\nMessage-ID: <o${n}@x>\r\n\r\nbody ${n}\r\n`,
  );

type App = Awaited<ReturnType<typeof testApp>>;

let provider: OidcProviderHarness;
let dovecot: Dovecot;
let first: App;
let second: App;

const appEnv = (issuer: string, clientId: string, clientSecret: string) => ({
  POPGATE_ALLOW_PRIVATE_NETWORKS: 'true',
  POPGATE_SECRET_KEY: secretKey,
  POPGATE_OAUTH_GENERIC_ISSUER: issuer,
  POPGATE_OAUTH_GENERIC_CLIENT_ID: clientId,
  POPGATE_OAUTH_GENERIC_CLIENT_SECRET: clientSecret,
  POPGATE_OAUTH_GENERIC_SCOPES: 'openid email offline_access',
  POPGATE_OAUTH_TIMEOUT_SECONDS: '1',
});

beforeAll(async () => {
  provider = await startOidcProvider({
    redirectUris: [REDIRECT_URI],
    users: [
      { username: 'alice', email: 'alice@example.test' },
      { username: 'bob', email: 'bob@example.test' },
      { username: 'carol', email: 'carol@example.test' },
    ],
  });
  dovecot = await startDovecot({
    users: ['alice', 'bob', 'carol'].map((username) => ({ username, password: `${username}-pw` })),
    oauth2: { introspectionUrl: provider.introspection.urlWithCredentials },
  });
  const env = appEnv(provider.issuer, provider.clientId, provider.clientSecret);
  first = await testApp({ env });
  second = await testApp({ env });
});
afterAll(async () => {
  await first?.close();
  await second?.close();
  await dovecot?.stop();
  await provider?.stop();
});

/** A user of `app` with a POP3 account on the Dovecot, set to log in with bearer tokens. */
async function accountOf(app: App, username: string, auth: 'xoauth2' | 'oauthbearer' = 'xoauth2') {
  const client = new ApiClient(app.app);
  const user = await client.signUp(`${username}-${randomBytes(4).toString('hex')}@example.test`);
  const account = await linkAccount(app.db.prisma, app.app.keyring, user.id, {
    label: 'Dovecot',
    host: '127.0.0.1',
    port: dovecot.tlsPort,
    security: 'tls',
    username,
    password: 'not-a-token',
    auth,
    tls: { caPem: dovecot.caPem },
  });
  return { client, account };
}

/** Start in Popgate, sign-in and consent at the provider, back to Popgate's callback. */
async function signIn(client: ApiClient, accountId: string, username: string) {
  const start = await client.get(`/api/oauth/generic/start?accountId=${accountId}`, browser);
  expect(start.statusCode).toBe(302);
  const back = await provider.authorize(start.headers.location as string, { username });
  expect(back.origin + back.pathname).toBe(REDIRECT_URI);
  return { back, result: await client.get(`/api/oauth/callback${back.search}`, browser) };
}

const resultOf = (location: string) =>
  Object.fromEntries(new URL(location, 'http://x').searchParams);

describe.skipIf(!dovecotAvailable())('OAuth2 accounts against oidc-provider and Dovecot', () => {
  it('lists the configured provider', async () => {
    const { client } = await accountOf(first, 'alice');
    const response = await client.get('/api/oauth/providers');
    expect(response.json()).toEqual({
      items: [{ name: 'generic', label: `127.0.0.1:${provider.port}`, scopes: expect.any(Array) }],
    });
  });

  it('links an account through the code flow and syncs it over POP3 with XOAUTH2', async () => {
    const { client, account } = await accountOf(first, 'alice');
    const { result } = await signIn(client, account.id, 'alice');
    expect(result.statusCode).toBe(302);
    expect(result.headers.location).toBe(`/accounts/${account.id}?oauth=linked&provider=generic`);
    const grant = await first.db.prisma.oAuthGrant.findUniqueOrThrow({
      where: { accountId: account.id },
    });
    // The ID token names the subject only (its other claims are for the userinfo endpoint).
    expect(grant).toMatchObject({ provider: 'generic', subject: 'alice', status: 'active' });
    await dovecot.deliver('alice', mail(1));
    const outcome = await syncAccount(first.app.syncContext, account.id, never);
    expect(outcome).toMatchObject({ ok: true, newMessages: 1 });
  });

  it('syncs over POP3 with OAUTHBEARER', async () => {
    const { client, account } = await accountOf(first, 'bob', 'oauthbearer');
    await signIn(client, account.id, 'bob');
    await dovecot.deliver('bob', mail(2));
    const outcome = await syncAccount(first.app.syncContext, account.id, never);
    expect(outcome).toMatchObject({ ok: true, newMessages: 1 });
    const stored = await first.db.prisma.pop3Account.findUniqueOrThrow({
      where: { id: account.id },
    });
    expect(stored.authMethod).toBe('oauthbearer');
  });

  it('refreshes an expired access token before the session', async () => {
    const { client, account } = await accountOf(first, 'carol');
    provider.setAccessTokenTtl(1);
    try {
      await signIn(client, account.id, 'carol');
    } finally {
      provider.setAccessTokenTtl(300);
    }
    await new Promise((resolve) => setTimeout(resolve, 1200));
    provider.resetCounts();
    const outcome = await syncAccount(first.app.syncContext, account.id, never);
    expect(outcome.ok).toBe(true);
    expect(provider.counts.refreshToken).toBe(1);
    const grant = await first.db.prisma.oAuthGrant.findUniqueOrThrow({
      where: { accountId: account.id },
    });
    expect(grant.refreshCount).toBe(1);
    expect(grant.accessExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 200_000);

    // The admin sees that the account uses OAuth2 and when its token was refreshed, no token.
    const email = `admin-${randomBytes(4).toString('hex')}@example.test`;
    const made = await new ApiClient(first.app).signUp(email);
    await first.db.prisma.user.update({ where: { id: made.id }, data: { role: 'admin' } });
    const admin = new ApiClient(first.app);
    await admin.post('/api/auth/login', { email, password: 'correct horse battery' });
    const listed = await admin.get(`/api/admin/accounts?ownerId=${account.userId}`);
    expect(listed.statusCode).toBe(200);
    const item = listed
      .json<{ items: Array<{ id: string; auth: string; oauth: unknown }> }>()
      .items.find((candidate) => candidate.id === account.id);
    expect(item).toMatchObject({
      auth: 'xoauth2',
      oauth: {
        provider: 'generic',
        status: 'active',
        refreshCount: 1,
        lastRefreshedAt: grant.lastRefreshedAt!.toISOString(),
      },
    });
    expect(listed.body).not.toMatch(/access_?token|refresh_?token|Ciphertext/i);
  });

  it('refreshes once for two Popgate apps at once, and both sessions succeed', async () => {
    const { client, account } = await accountOf(first, 'alice');
    provider.setAccessTokenTtl(1);
    try {
      await signIn(client, account.id, 'alice');
    } finally {
      provider.setAccessTokenTtl(300);
    }
    await new Promise((resolve) => setTimeout(resolve, 1200));
    provider.resetCounts();
    // A slow token endpoint: without the lock both would spend the rotating refresh token,
    // and the provider would revoke the grant at the second use.
    provider.setTokenEndpointDelay(400);
    try {
      const outcomes = await Promise.all([
        syncAccount(first.app.syncContext, account.id, never),
        syncAccount(second.app.syncContext, account.id, never),
      ]);
      expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true]);
    } finally {
      provider.setTokenEndpointDelay(0);
    }
    expect(provider.counts).toMatchObject({ refreshToken: 1, errors: 0 });
  });

  it('stops polling a revoked grant: auth_failed, "Sign in to … again"', async () => {
    const { client, account } = await accountOf(first, 'bob');
    await signIn(client, account.id, 'bob');
    provider.revokeGrants('bob');
    const outcome = await syncAccount(first.app.syncContext, account.id, never);
    expect(outcome.ok).toBe(false);
    const stored = await first.db.prisma.pop3Account.findUniqueOrThrow({
      where: { id: account.id },
    });
    expect(stored).toMatchObject({ status: 'auth_failed', lastErrorCode: 'OAUTH_REAUTH' });
    expect(stored.lastError).toMatch(/^Sign in to 127\.0\.0\.1:\d+ again/);
    const grant = await first.db.prisma.oAuthGrant.findUniqueOrThrow({
      where: { accountId: account.id },
    });
    expect(grant.status).toBe('reauth_required');
    // Signing in again links it anew and resumes polling.
    const again = await signIn(client, account.id, 'bob');
    expect(resultOf(again.result.headers.location as string).oauth).toBe('linked');
    expect(
      await first.db.prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } }),
    ).toMatchObject({ status: 'new' });
    expect((await syncAccount(first.app.syncContext, account.id, never)).ok).toBe(true);
  });

  it('refuses a callback with a state this session did not start, storing nothing', async () => {
    const { client, account } = await accountOf(first, 'alice');
    const start = await client.get(`/api/oauth/generic/start?accountId=${account.id}`, browser);
    const back = await provider.authorize(start.headers.location as string, { username: 'alice' });
    // Another signed-in user (a CSRF victim) brings the attacker's callback to Popgate.
    const { client: victim } = await accountOf(first, 'alice');
    const refused = await victim.get(`/api/oauth/callback${back.search}`, browser);
    expect(resultOf(refused.headers.location as string)).toMatchObject({
      oauth: 'error',
      code: 'OAUTH_STATE_MISMATCH',
    });
    const forged = new URLSearchParams(back.search);
    forged.set('state', 'made-up');
    const wrong = await client.get(`/api/oauth/callback?${forged.toString()}`, browser);
    expect(resultOf(wrong.headers.location as string).code).toBe('OAUTH_STATE_MISMATCH');
    expect(
      await first.db.prisma.oAuthGrant.findUnique({ where: { accountId: account.id } }),
    ).toBeNull();
  });

  it('refuses a replayed callback and a code used twice', async () => {
    const { client, account } = await accountOf(first, 'alice');
    const { back, result } = await signIn(client, account.id, 'alice');
    expect(resultOf(result.headers.location as string).oauth).toBe('linked');
    const replay = await client.get(`/api/oauth/callback${back.search}`, browser);
    expect(resultOf(replay.headers.location as string).code).toBe('OAUTH_STATE_MISMATCH');
    // The same code under a fresh state of this session: the provider refuses it.
    const start = await client.get(`/api/oauth/generic/start?accountId=${account.id}`, browser);
    const state = new URL(start.headers.location as string).searchParams.get('state')!;
    const reused = new URLSearchParams(back.search);
    reused.set('state', state);
    const refused = await client.get(`/api/oauth/callback?${reused.toString()}`, browser);
    expect(refused.headers.location).toMatch(new RegExp(`^/accounts/${account.id}\\?oauth=error`));
    expect(resultOf(refused.headers.location as string)).toMatchObject({
      code: 'OAUTH_INVALID_GRANT',
    });
  });

  it("passes on the provider's refusal (the user pressed Cancel) and stores nothing", async () => {
    const { client, account } = await accountOf(first, 'alice');
    const start = await client.get(`/api/oauth/generic/start?accountId=${account.id}`, browser);
    const back = await provider.authorize(start.headers.location as string, {
      username: 'alice',
      deny: true,
    });
    const result = await client.get(`/api/oauth/callback${back.search}`, browser);
    const outcome = resultOf(result.headers.location as string);
    expect(outcome).toMatchObject({ oauth: 'error', code: 'OAUTH_PROVIDER_ERROR' });
    expect(outcome.message).toMatch(/access_denied/);
    expect(
      await first.db.prisma.oAuthGrant.findUnique({ where: { accountId: account.id } }),
    ).toBeNull();
  });

  it('refuses to start for an account of another user', async () => {
    const { account } = await accountOf(first, 'alice');
    const { client: stranger } = await accountOf(first, 'bob');
    const response = await stranger.get(`/api/oauth/generic/start?accountId=${account.id}`);
    expect(response.statusCode).toBe(404);
  });
});

describe('a token endpoint that stalls or answers HTML', () => {
  let server: Server;
  let app: App;
  let mode: 'stall' | 'html' = 'stall';

  beforeAll(async () => {
    server = createServer((request, response) => {
      const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (request.url === '/.well-known/openid-configuration') {
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            issuer,
            authorization_endpoint: `${issuer}/auth`,
            token_endpoint: `${issuer}/token`,
            response_types_supported: ['code'],
          }),
        );
        return;
      }
      if (mode === 'html') {
        response.setHeader('content-type', 'text/html');
        response.end('<html><body>Service unavailable</body></html>');
      }
      // 'stall': never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app = await testApp({ env: appEnv(issuer, 'client', 'secret') });
  });
  afterAll(async () => {
    await app?.close();
    server?.closeAllConnections();
    server?.close();
  });

  async function callbackWith(kind: 'stall' | 'html') {
    mode = kind;
    const client = new ApiClient(app.app);
    const user = await client.signUp(`stall-${randomBytes(4).toString('hex')}@example.test`);
    const account = await linkAccount(app.db.prisma, app.app.keyring, user.id, {
      label: 'x',
      host: 'pop.example.test',
      port: 995,
      security: 'tls',
      username: 'x',
      password: 'x',
      auth: 'xoauth2',
    });
    const start = await client.get(`/api/oauth/generic/start?accountId=${account.id}`, browser);
    const state = new URL(start.headers.location as string).searchParams.get('state')!;
    // Only the callback is timed: signing up hashes a password, slow on a busy machine.
    const started = Date.now();
    const result = await client.get(`/api/oauth/callback?code=abc&state=${state}`, browser);
    const elapsedMs = Date.now() - started;
    const grant = await app.db.prisma.oAuthGrant.findUnique({ where: { accountId: account.id } });
    return { outcome: resultOf(result.headers.location as string), grant, elapsedMs };
  }

  it('gives up after the timeout with a clear message', async () => {
    const { outcome, grant, elapsedMs } = await callbackWith('stall');
    expect(elapsedMs).toBeLessThan(5000);
    expect(outcome).toMatchObject({ oauth: 'error', code: 'OAUTH_TIMEOUT' });
    expect(outcome.message).toMatch(/did not answer within 1 s/);
    expect(grant).toBeNull();
  });

  it('refuses an HTML answer', async () => {
    const { outcome, grant } = await callbackWith('html');
    expect(outcome).toMatchObject({ oauth: 'error', code: 'OAUTH_BAD_RESPONSE' });
    expect(grant).toBeNull();
  });
});
