import { randomBytes } from 'node:crypto';
import type { AdminOAuthProvider, AdminOAuthProvidersReply } from '@popgate/contracts';
import { startOidcProvider, type OidcProviderHarness } from '@popgate/oidc-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';

/**
 * OAuth2 providers set by an admin on the policy page: two real oidc-provider instances, one named
 * by the environment and one an admin sets in its place.
 */
const HOST = 'popgate.test';
const REDIRECT_URI = `http://${HOST}/api/oauth/callback`;
const browser = { host: HOST };

let database: { name: string; url: string };
let fromEnvironment: OidcProviderHarness;
let fromAdmin: OidcProviderHarness;
let subject: Awaited<ReturnType<typeof testApp>>;
let admin: ApiClient;
let member: ApiClient;
let memberId: string;

// The first user to sign up becomes admin: this file gets a database of its own.
beforeAll(async () => {
  [database, fromEnvironment, fromAdmin] = await Promise.all([
    createMigratedDatabase('popgate_test_oauth_admin'),
    startOidcProvider({ redirectUris: [REDIRECT_URI] }),
    startOidcProvider({ redirectUris: [REDIRECT_URI], clientId: 'set-by-admin' }),
  ]);
  subject = await testApp({
    databaseUrl: database.url,
    env: {
      POPGATE_ALLOW_PRIVATE_NETWORKS: 'true',
      POPGATE_OAUTH_GENERIC_ISSUER: fromEnvironment.issuer,
      POPGATE_OAUTH_GENERIC_CLIENT_ID: fromEnvironment.clientId,
      POPGATE_OAUTH_GENERIC_CLIENT_SECRET: fromEnvironment.clientSecret,
      POPGATE_OAUTH_GENERIC_SCOPES: 'openid email offline_access',
    },
  });
  admin = new ApiClient(subject.app);
  await admin.signUp('root@example.test');
  member = new ApiClient(subject.app);
  memberId = (await member.signUp('member@example.test')).id;
}, 60_000);
afterAll(async () => {
  await subject?.close();
  await fromEnvironment?.stop();
  await fromAdmin?.stop();
  if (database) await dropDatabase(database.name);
});

const put = (client: ApiClient, provider: string, body: unknown) =>
  client.request('PUT', `/api/admin/oauth-providers/${provider}`, body, browser);
const clear = (provider: string) =>
  admin.request('DELETE', `/api/admin/oauth-providers/${provider}`, undefined, browser);
const itemOf = (reply: AdminOAuthProvidersReply, provider: string) =>
  reply.items.find((item) => item.provider === provider) as AdminOAuthProvider;

/** The generic provider as set by an admin, pointing at the second oidc-provider. */
const adminGeneric = (overrides: Record<string, unknown> = {}) => ({
  clientId: fromAdmin.clientId,
  clientSecret: fromAdmin.clientSecret,
  issuer: fromAdmin.issuer,
  scopes: ['openid', 'email', 'offline_access'],
  ...overrides,
});

/** The member's account signed in with the generic provider in force: which one answered. */
async function signInWithGeneric(username = 'alice') {
  const account = await linkAccount(subject.db.prisma, subject.app.keyring, memberId, {
    label: `acct-${randomBytes(3).toString('hex')}`,
    host: 'pop.example.test',
    port: 995,
    security: 'tls',
    username,
    password: 'x',
    auth: 'xoauth2',
  });
  const start = await member.get(`/api/oauth/generic/start?accountId=${account.id}`, browser);
  expect(start.statusCode, start.body).toBe(302);
  const location = new URL(start.headers.location as string);
  const harness = location.origin === fromAdmin.issuer ? fromAdmin : fromEnvironment;
  const back = await harness.authorize(location.href, { username });
  const result = await member.get(`/api/oauth/callback${back.search}`, browser);
  return { account, authorizedAt: location.origin, result };
}

describe('admin OAuth2 providers', () => {
  it('are for admins only', async () => {
    const anonymous = new ApiClient(subject.app);
    for (const client of [anonymous, member]) {
      const expected = client === anonymous ? 401 : 403;
      expect((await client.get('/api/admin/oauth-providers')).statusCode).toBe(expected);
      expect((await put(client, 'generic', adminGeneric())).statusCode).toBe(expected);
      expect(
        (await client.request('DELETE', '/api/admin/oauth-providers/generic')).statusCode,
      ).toBe(expected);
    }
    expect(await subject.db.prisma.oAuthProviderSetting.count()).toBe(0);
  });

  it("lists every provider with where its settings come from and the redirect URI, never the environment's secret", async () => {
    const response = await admin.get('/api/admin/oauth-providers', browser);
    expect(response.statusCode).toBe(200);
    const reply = response.json<AdminOAuthProvidersReply>();
    expect(reply.redirectUri).toBe(REDIRECT_URI);
    expect(reply.items.map((item) => item.provider)).toEqual(['google', 'microsoft', 'generic']);
    expect(itemOf(reply, 'google')).toMatchObject({
      source: 'none',
      enabled: false,
      clientSecretSet: false,
    });
    expect(itemOf(reply, 'generic')).toMatchObject({
      source: 'environment',
      enabled: true,
      environmentDefault: true,
      clientId: fromEnvironment.clientId,
      clientSecretSet: true,
      issuer: fromEnvironment.issuer,
    });
    expect(response.body).not.toContain(fromEnvironment.clientSecret);
  });

  it("replaces the environment's provider at once: sign-in goes to the admin's, the secret kept sealed and never answered or audited", async () => {
    const response = await put(admin, 'generic', adminGeneric());
    expect(response.statusCode, response.body).toBe(200);
    expect(response.body).not.toContain(fromAdmin.clientSecret);
    expect(itemOf(response.json(), 'generic')).toMatchObject({
      source: 'admin',
      enabled: true,
      environmentDefault: true,
      clientId: 'set-by-admin',
      clientSecretSet: true,
      issuer: fromAdmin.issuer,
    });
    const row = await subject.db.prisma.oAuthProviderSetting.findUniqueOrThrow({
      where: { provider: 'generic' },
    });
    expect(Buffer.from(row.secretCiphertext).toString('latin1')).not.toContain(
      fromAdmin.clientSecret,
    );

    const providers = await member.get('/api/oauth/providers');
    expect(providers.json().items).toEqual([
      expect.objectContaining({ name: 'generic', label: new URL(fromAdmin.issuer).host }),
    ]);
    fromAdmin.resetCounts();
    const { account, authorizedAt, result } = await signInWithGeneric();
    expect(authorizedAt).toBe(fromAdmin.issuer);
    expect(result.headers.location).toBe(`/accounts/${account.id}?oauth=linked&provider=generic`);
    expect(fromAdmin.counts.authorizationCode).toBe(1);

    const entries = await subject.db.prisma.auditLog.findMany({
      where: { action: 'admin.oauth_provider_set' },
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ targetType: 'oauth_provider', targetId: 'generic' });
    expect(JSON.stringify(entries[0]!.details)).not.toContain(fromAdmin.clientSecret);
    expect(entries[0]!.details).toMatchObject({
      source: { from: 'environment', to: 'admin' },
      clientId: { from: fromEnvironment.clientId, to: 'set-by-admin' },
      issuer: { from: fromEnvironment.issuer, to: fromAdmin.issuer },
      clientSecret: 'changed',
    });
  });

  it('audits only the fields a change touched, and keeps the secret when none is given', async () => {
    await put(admin, 'generic', adminGeneric());
    const before = await subject.db.prisma.auditLog.count();
    const response = await put(admin, 'generic', {
      clientId: fromAdmin.clientId,
      issuer: fromAdmin.issuer,
      scopes: ['openid', 'offline_access'],
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(itemOf(response.json(), 'generic')).toMatchObject({ clientSecretSet: true });
    const [entry] = await subject.db.prisma.auditLog.findMany({
      where: { action: 'admin.oauth_provider_set' },
      orderBy: { at: 'desc' },
      take: 1,
    });
    expect(await subject.db.prisma.auditLog.count()).toBe(before + 1);
    expect(entry!.details).toEqual({
      scopes: {
        from: ['openid', 'email', 'offline_access'],
        to: ['openid', 'offline_access'],
      },
    });
    // The kept secret still signs in.
    const { result } = await signInWithGeneric();
    expect(result.headers.location).toMatch(/oauth=linked/);
  });

  it('signs in through a provider named by its endpoints rather than an issuer', async () => {
    const response = await put(admin, 'generic', {
      clientId: fromAdmin.clientId,
      clientSecret: fromAdmin.clientSecret,
      authorizationEndpoint: `${fromAdmin.issuer}/auth`,
      tokenEndpoint: fromAdmin.tokenEndpoint,
      revocationEndpoint: fromAdmin.revocationEndpoint,
      scopes: ['offline_access'],
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(itemOf(response.json(), 'generic')).toMatchObject({
      issuer: null,
      tokenEndpoint: fromAdmin.tokenEndpoint,
    });
    const { account, authorizedAt, result } = await signInWithGeneric();
    expect(authorizedAt).toBe(fromAdmin.issuer);
    expect(result.headers.location).toBe(`/accounts/${account.id}?oauth=linked&provider=generic`);
  });

  it("switched off, the environment's provider is gone; cleared, it is back", async () => {
    const off = await put(admin, 'generic', { enabled: false, clientId: fromAdmin.clientId });
    expect(off.statusCode, off.body).toBe(200);
    expect(itemOf(off.json(), 'generic')).toMatchObject({ source: 'admin', enabled: false });
    expect((await member.get('/api/oauth/providers')).json().items).toEqual([]);
    const refused = await member.get('/api/oauth/generic/start?email=a@example.test', browser);
    expect(refused.json()).toMatchObject({ error: { code: 'OAUTH_PROVIDER_NOT_CONFIGURED' } });

    const cleared = await clear('generic');
    expect(cleared.statusCode).toBe(200);
    expect(itemOf(cleared.json(), 'generic')).toMatchObject({
      source: 'environment',
      clientId: fromEnvironment.clientId,
    });
    expect(
      await subject.db.prisma.auditLog.count({ where: { action: 'admin.oauth_provider_cleared' } }),
    ).toBe(1);
    const { authorizedAt } = await signInWithGeneric();
    expect(authorizedAt).toBe(fromEnvironment.issuer);
  });

  it.each<[string, string, Record<string, unknown>, RegExp]>([
    ['google', 'without a secret', { clientId: 'x' }, /clientSecret is needed/],
    [
      'google',
      'with an issuer',
      { clientId: 'x', clientSecret: 'y', issuer: 'https://a.example' },
      /issuer is not a setting of google/,
    ],
    [
      'microsoft',
      'with a tenant that is none',
      { clientId: 'x', clientSecret: 'y', tenant: 'my tenant!' },
      /tenant must be common, consumers, organizations, or a tenant id/,
    ],
    [
      'generic',
      'without issuer or endpoints',
      { clientId: 'x', clientSecret: 'y' },
      /issuer is needed/,
    ],
    [
      'generic',
      'with one endpoint of two',
      { clientId: 'x', clientSecret: 'y', tokenEndpoint: 'https://a.example/token' },
      /go together/,
    ],
    [
      'generic',
      'with an issuer that is no URL',
      { clientId: 'x', clientSecret: 'y', issuer: 'ftp://a.example' },
      /is not a provider URL/,
    ],
    [
      'generic',
      'with a scope holding a space',
      { clientId: 'x', clientSecret: 'y', issuer: 'https://a.example', scopes: ['a b'] },
      /a scope is one word/,
    ],
    [
      'generic',
      'with a property it does not know',
      { clientId: 'x', clientSecret: 'y', issuer: 'https://a.example', secret: 'z' },
      /secret/,
    ],
    [
      'yahoo',
      'for a provider Popgate does not know',
      { clientId: 'x', clientSecret: 'y' },
      /provider/,
    ],
  ])('refuses %s %s, in words, keeping nothing', async (provider, _what, body, message) => {
    const response = await put(admin, provider, body);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(message);
    expect(await subject.db.prisma.oAuthProviderSetting.count({ where: { provider } })).toBe(0);
  });

  it('refuses an issuer whose discovery document cannot be read, naming where it looked', async () => {
    const response = await put(admin, 'generic', adminGeneric({ issuer: 'http://127.0.0.1:9' }));
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code: 'OAUTH_ISSUER_UNREACHABLE' });
    expect(response.json().error.message).toContain(
      'http://127.0.0.1:9/.well-known/openid-configuration',
    );
  });
});
