import { randomBytes } from 'node:crypto';
import type { IdentityOut } from '@popgate/contracts';
import { dovecotAvailable, startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { startOidcProvider, type OidcProviderHarness } from '@popgate/oidc-harness';
import { postfixAvailable, startPostfix, type Postfix } from '@popgate/postfix-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import type { SignInSettings } from '../src/oauth/new-account';
import { syncAccount } from '../src/sync/account-sync';
import { ApiClient } from './support/api-client';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';
import { createDraft, senderApp, sendDraft, waitForItem } from './support/outbox-setup';

/**
 * Sending with OAuth2 against real peers: oidc-provider issues the tokens, Dovecot's oauth2 passdb
 * checks them at its introspection endpoint, Postfix signs SMTP clients in through that Dovecot and
 * delivers into its maildirs.
 */
const available = dovecotAvailable() && (await postfixAvailable());
const HOST = 'popgate.test';
const REDIRECT_URI = `http://${HOST}/api/oauth/callback`;
const browser = { host: HOST };
const never = new AbortController().signal;
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];

let database: { name: string; url: string };
let provider: OidcProviderHarness;
let dovecot: Dovecot;
let postfix: Postfix;
let subject: Awaited<ReturnType<typeof senderApp>>;

beforeAll(async () => {
  if (!available) return;
  provider = await startOidcProvider({
    redirectUris: [REDIRECT_URI],
    users: USERS.map((username) => ({ username })),
  });
  [database, dovecot] = await Promise.all([
    createMigratedDatabase('popgate_test_oauth_smtp'),
    startDovecot({
      users: USERS.map((username) => ({ username, password: `${username}-pw` })),
      oauth2: { introspectionUrl: provider.introspection.urlWithCredentials },
    }),
  ]);
  postfix = await startPostfix({ dovecot, domain: 'example.test' });
  await allowAnyPort(database.url);
  subject = await senderApp(database.url, {
    secretKey: randomBytes(32),
    env: {
      POPGATE_OAUTH_GENERIC_ISSUER: provider.issuer,
      POPGATE_OAUTH_GENERIC_CLIENT_ID: provider.clientId,
      POPGATE_OAUTH_GENERIC_CLIENT_SECRET: provider.clientSecret,
      POPGATE_OAUTH_GENERIC_SCOPES: 'openid email offline_access',
    },
  });
  await subject.prisma.policy.update({ where: { id: 1 }, data: { allowedSmtpPorts: [] } });
}, 90_000);
afterAll(async () => {
  await subject?.close();
  await postfix?.stop();
  await dovecot?.stop();
  await provider?.stop();
  if (database) await dropDatabase(database.name);
});

const resultOf = (location: string) =>
  Object.fromEntries(new URL(location, 'http://x').searchParams);

/** Sign-in and consent at the provider, from `start` back to Popgate's callback. */
async function signInFrom(client: ApiClient, start: string, username: string) {
  const started = await client.get(start, browser);
  expect(started.statusCode, started.body).toBe(302);
  const back = await provider.authorize(started.headers.location as string, { username });
  return client.get(`/api/oauth/callback${back.search}`, browser);
}

/** A user whose Dovecot account is linked through the code flow. */
async function signedInAccount(username: string, options: { tokenTtl?: number } = {}) {
  const client = new ApiClient(subject.app);
  const user = await client.signUp(`${username}-${randomBytes(4).toString('hex')}@example.test`);
  const account = await linkAccount(subject.prisma, subject.app.keyring, user.id, {
    label: 'Dovecot',
    host: '127.0.0.1',
    port: dovecot.tlsPort,
    security: 'tls',
    username,
    password: 'not-a-token',
    auth: 'xoauth2',
    tls: { caPem: dovecot.caPem },
  });
  if (options.tokenTtl) provider.setAccessTokenTtl(options.tokenTtl);
  try {
    const result = await signInFrom(
      client,
      `/api/oauth/generic/start?accountId=${account.id}`,
      username,
    );
    expect(resultOf(result.headers.location as string).oauth).toBe('linked');
  } finally {
    provider.setAccessTokenTtl(300);
  }
  return { client, user, account };
}

const smtpOf = (overrides: Record<string, unknown> = {}) => ({
  host: '127.0.0.1',
  port: postfix.submissionPort,
  security: 'starttls',
  tls: { caPem: postfix.caPem },
  ...overrides,
});

/** An identity of the account that sends with the account's sign-in. */
async function signInIdentity(client: ApiClient, accountId: string, username: string) {
  const response = await client.post('/api/identities', {
    accountId,
    name: username,
    address: `${username}@example.test`,
    smtp: smtpOf({ username, useAccountSignIn: true }),
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<IdentityOut>();
}

async function send(client: ApiClient, identityId: string, subjectLine: string) {
  const draft = await createDraft(client, identityId, {
    to: ['bob@example.test'],
    subject: subjectLine,
  });
  return sendDraft(client, draft.id);
}

describe.skipIf(!available)('SMTP with OAuth2 through Postfix and Dovecot', () => {
  it("sends with XOAUTH2 using the account's grant, delivered into Dovecot", async () => {
    const { client, account } = await signedInAccount('alice');
    const identity = await signInIdentity(client, account.id, 'alice');
    expect(identity.smtp).toMatchObject({ auth: 'xoauth2', passwordSource: 'account' });
    const grant = await subject.prisma.oAuthGrant.findUniqueOrThrow({
      where: { accountId: account.id },
    });
    expect(grant.smtpHosts).toEqual(['127.0.0.1']);

    const subjectLine = `OAuth sent ${randomBytes(3).toString('hex')}`;
    const item = await send(client, identity.id, subjectLine);
    const done = await waitForItem(
      client,
      item.id,
      (it) => it.status !== 'queued' && it.status !== 'sending',
    );
    expect(done, JSON.stringify(done)).toMatchObject({ status: 'sent' });
    const delivered = await postfix.waitForDelivery('bob');
    expect(delivered.bytes.toString('latin1')).toContain(subjectLine);
  });

  it('refreshes an expired access token before sending', async () => {
    const { client, account } = await signedInAccount('carol', { tokenTtl: 1 });
    const identity = await signInIdentity(client, account.id, 'carol');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    provider.resetCounts();
    const item = await send(client, identity.id, 'after expiry');
    const done = await waitForItem(
      client,
      item.id,
      (it) => it.status === 'sent' || it.status === 'failed',
    );
    expect(done.status, JSON.stringify(done)).toBe('sent');
    expect(provider.counts).toMatchObject({ refreshToken: 1, errors: 0 });
  });

  it('fails the item of a revoked grant with "Sign in to … again", not retried', async () => {
    const { client, account } = await signedInAccount('dave');
    const identity = await signInIdentity(client, account.id, 'dave');
    provider.revokeGrants('dave');
    provider.resetCounts();
    const item = await send(client, identity.id, 'revoked');
    const done = await waitForItem(
      client,
      item.id,
      (it) => it.status === 'failed' || it.status === 'sent',
    );
    // Postfix refused the unexpired token; one refresh found the grant gone.
    expect(done).toMatchObject({ status: 'failed', lastErrorCode: 'OAUTH_REAUTH' });
    expect(done.lastReply).toMatch(/^Sign in to 127\.0\.0\.1:\d+ again/);
    expect(provider.counts.refreshToken + provider.counts.errors).toBe(1);
    const grant = await subject.prisma.oAuthGrant.findUniqueOrThrow({
      where: { accountId: account.id },
    });
    expect(grant.status).toBe('reauth_required');
  });

  it('sends the token to no SMTP host nobody chose for it', async () => {
    const { client, account } = await signedInAccount('erin');
    // Without consent, not even the POP3 server's own host takes the token.
    const unconsented = await client.post('/api/identities', {
      accountId: account.id,
      name: 'erin',
      address: 'erin@example.test',
      smtp: smtpOf({ username: 'erin' }),
    });
    expect(unconsented.statusCode).toBe(400);
    expect(unconsented.json()).toMatchObject({ error: { code: 'PASSWORD_REQUIRED' } });

    const identity = await signInIdentity(client, account.id, 'erin');
    // Another host without consent (a stolen session's move): refused, nothing changed.
    const moved = await client.patch(`/api/identities/${identity.id}`, {
      smtp: { host: 'localhost' },
    });
    expect(moved.statusCode).toBe(400);
    expect(moved.json()).toMatchObject({ error: { code: 'PASSWORD_REQUIRED' } });
    const stored = await subject.prisma.identity.findUniqueOrThrow({ where: { id: identity.id } });
    expect(stored.smtpHost).toBe('127.0.0.1');

    // Even a row changed behind the API's back gets no token at sending time.
    await subject.prisma.identity.update({
      where: { id: identity.id },
      data: { smtpHost: 'localhost' },
    });
    const item = await send(client, identity.id, 'elsewhere');
    const done = await waitForItem(
      client,
      item.id,
      (it) => it.status === 'failed' || it.status === 'sent',
    );
    expect(done).toMatchObject({ status: 'failed', lastErrorCode: 'NOT_ALLOWED' });
    expect(done.lastReply).toMatch(/localhost was not/);
    const log = await postfix.log();
    expect(log).not.toMatch(/sasl_username=erin/);

    // The user's consent, in the request that names the host, binds it to the grant.
    const consented = await client.patch(`/api/identities/${identity.id}`, {
      smtp: { host: 'localhost', useAccountSignIn: true },
    });
    expect(consented.statusCode, consented.body).toBe(200);
    const grant = await subject.prisma.oAuthGrant.findUniqueOrThrow({
      where: { accountId: account.id },
    });
    expect(grant.smtpHosts).toEqual(['127.0.0.1', 'localhost']);
  });
});

describe.skipIf(!available)('testing the sending server of a signed-in account', () => {
  const test = (client: ApiClient, ids: Record<string, string>, overrides = {}) =>
    client.post('/api/identities/test', {
      ...smtpOf({ username: 'frank', auth: 'plain' }),
      ...ids,
      ...overrides,
    });

  it("logs in with the account's sign-in (XOAUTH2), not the password rules, for the account and its identity", async () => {
    const { client, account } = await signedInAccount('frank');
    // The identity made with the user's consent names this SMTP host for the sign-in.
    const identity = await signInIdentity(client, account.id, 'frank');
    // The stored POP3 secret is no password Dovecot knows: only the token can pass.
    const forAccount = await test(client, { accountId: account.id });
    expect(forAccount.statusCode, forAccount.body).toBe(200);
    expect(forAccount.json()).toMatchObject({
      ok: true,
      serverInfo: { authenticatedWith: expect.stringMatching(/XOAUTH2/i) },
    });
    const forIdentity = await test(client, { identityId: identity.id });
    expect(forIdentity.json()).toMatchObject({ ok: true });
  });

  it('sends the token to no host the sign-in does not name', async () => {
    const { client, account } = await signedInAccount('frank');
    const elsewhere = await test(client, { accountId: account.id }, { host: 'localhost' });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json()).toMatchObject({ error: { code: 'PASSWORD_REQUIRED' } });
  });

  it('answers "Sign in to … again" for a revoked grant', async () => {
    const { client, account } = await signedInAccount('grace');
    await signInIdentity(client, account.id, 'grace');
    provider.revokeGrants('grace');
    const response = await test(client, { accountId: account.id }, { username: 'grace' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      ok: false,
      error: { code: 'AUTH_FAILED', message: expect.stringMatching(/^Sign in to .* again/) },
    });
  });
});

describe.skipIf(!available)('an account made by signing in alone', () => {
  /** A preset-like source naming the test's Dovecot and Postfix, whatever the domain. */
  const fixture = async (email: string): Promise<SignInSettings> => ({
    pop3: { host: '127.0.0.1', port: dovecot.tlsPort, security: 'tls', caPem: dovecot.caPem },
    smtp: {
      host: '127.0.0.1',
      port: postfix.submissionPort,
      security: 'starttls',
      caPem: postfix.caPem,
    },
    username: email.slice(0, email.indexOf('@')),
    oauth: null,
  });
  let original: typeof subject.app.oauthNewAccounts.lookup;
  beforeAll(() => {
    if (!available) return;
    original = subject.app.oauthNewAccounts.lookup;
    subject.app.oauthNewAccounts.lookup = fixture;
  });
  afterAll(() => {
    if (original) subject.app.oauthNewAccounts.lookup = original;
  });

  async function newUser() {
    const client = new ApiClient(subject.app);
    const user = await client.signUp(`new-${randomBytes(4).toString('hex')}@example.test`);
    return { client, user };
  }

  // Alice's mailbox receives nothing else in this file: the sends go to bob.
  it('creates account, identity and grant at the callback; it syncs over POP3 and sends', async () => {
    const { client, user } = await newUser();
    const result = await signInFrom(
      client,
      '/api/oauth/generic/start?email=alice%40example.test&label=Alice%27s%20mail',
      'alice',
    );
    const location = result.headers.location as string;
    const account = await subject.prisma.pop3Account.findFirstOrThrow({
      where: { userId: user.id },
      include: { identities: true, oauthGrant: true },
    });
    expect(location).toBe(`/accounts/${account.id}?oauth=linked&provider=generic&created=1`);
    expect(account).toMatchObject({
      label: "Alice's mail",
      host: '127.0.0.1',
      port: dovecot.tlsPort,
      security: 'tls',
      username: 'alice',
      authMethod: 'xoauth2',
    });
    expect(account.identities).toEqual([
      expect.objectContaining({
        address: 'alice@example.test',
        smtpHost: '127.0.0.1',
        smtpPort: postfix.submissionPort,
        smtpUsername: 'alice',
        smtpAuth: 'xoauth2',
        smtpSecretCiphertext: null,
      }),
    ]);
    expect(account.oauthGrant).toMatchObject({
      provider: 'generic',
      status: 'active',
      boundHost: '127.0.0.1',
      boundUsername: 'alice',
      smtpHosts: ['127.0.0.1'],
    });

    await dovecot.deliver('alice', Buffer.from('Subject: welcome\r\n\r\nhello\r\n'));
    const synced = await syncAccount(subject.app.syncContext, account.id, never);
    expect(synced).toMatchObject({ ok: true, newMessages: 1 });
    const item = await send(client, account.identities[0]!.id, 'from a signed-in account');
    const done = await waitForItem(
      client,
      item.id,
      (it) => it.status === 'sent' || it.status === 'failed',
    );
    expect(done.status, JSON.stringify(done)).toBe('sent');
  });

  it('refuses to start beyond the admin policy, storing nothing', async () => {
    const { client, user } = await newUser();
    const policy = await subject.prisma.policy.findUniqueOrThrow({ where: { id: 1 } });
    try {
      await subject.prisma.policy.update({ where: { id: 1 }, data: { allowedPorts: [995] } });
      const port = await client.get('/api/oauth/generic/start?email=bob%40example.test', browser);
      expect(port.statusCode).toBe(403);
      expect(port.json()).toMatchObject({ error: { code: 'PORT_NOT_ALLOWED' } });

      await subject.prisma.policy.update({
        where: { id: 1 },
        data: { allowedPorts: [], maxAccountsPerUser: 0 },
      });
      const many = await client.get('/api/oauth/generic/start?email=bob%40example.test', browser);
      expect(many.statusCode).toBe(403);
      expect(many.json()).toMatchObject({ error: { code: 'TOO_MANY_ACCOUNTS' } });
    } finally {
      await subject.prisma.policy.update({
        where: { id: 1 },
        data: { allowedPorts: policy.allowedPorts, maxAccountsPerUser: policy.maxAccountsPerUser },
      });
    }
    expect(
      await subject.prisma.oAuthAuthorization.count({ where: { session: { userId: user.id } } }),
    ).toBe(0);
  });

  /** A sign-in for a new account that the policy refuses by the time the browser is back. */
  async function refusedAtCallback(username: string) {
    const { client, user } = await newUser();
    const started = await client.get(
      `/api/oauth/generic/start?email=${username}%40example.test`,
      browser,
    );
    expect(started.statusCode).toBe(302);
    const back = await provider.authorize(started.headers.location as string, { username });
    const policy = await subject.prisma.policy.findUniqueOrThrow({ where: { id: 1 } });
    await subject.prisma.policy.update({ where: { id: 1 }, data: { maxAccountsPerUser: 0 } });
    provider.resetCounts();
    let result;
    try {
      result = await client.get(`/api/oauth/callback${back.search}`, browser);
    } finally {
      await subject.prisma.policy.update({
        where: { id: 1 },
        data: { maxAccountsPerUser: policy.maxAccountsPerUser },
      });
    }
    return { user, result };
  }

  it('refuses at the callback when the policy changed meanwhile, storing nothing and revoking the tokens just issued', async () => {
    const { user, result } = await refusedAtCallback('bob');
    expect(result.headers.location).toMatch(/^\/accounts\?oauth=error/);
    expect(resultOf(result.headers.location as string)).toMatchObject({
      code: 'TOO_MANY_ACCOUNTS',
    });
    expect(await subject.prisma.pop3Account.count({ where: { userId: user.id } })).toBe(0);
    expect(await subject.prisma.identity.count({ where: { userId: user.id } })).toBe(0);
    // RFC 7009: the grant nobody holds is withdrawn at the provider.
    expect(provider.counts).toMatchObject({ authorizationCode: 1, revocations: 1 });
  });

  it("revokes nothing when Popgate keeps a grant of the same person (one revocation may end the person's whole consent)", async () => {
    await signedInAccount('carol');
    const { result } = await refusedAtCallback('carol');
    expect(resultOf(result.headers.location as string)).toMatchObject({
      code: 'TOO_MANY_ACCOUNTS',
    });
    expect(provider.counts).toMatchObject({ authorizationCode: 1, revocations: 0 });
  });

  it('asks for an account or an address, not both', async () => {
    const { client } = await newUser();
    const neither = await client.get('/api/oauth/generic/start', browser);
    expect(neither.statusCode).toBe(400);
    const both = await client.get(
      `/api/oauth/generic/start?email=bob%40example.test&accountId=${crypto.randomUUID()}`,
      browser,
    );
    expect(both.statusCode).toBe(400);
  });
});
