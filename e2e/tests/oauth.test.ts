import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { dovecotAvailable, startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { startOidcProvider, type OidcProviderHarness } from '@popgate/oidc-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  pop3OAuthDocument,
  startAutoconfigSite,
  TEST_DOMAINS_PRELOAD,
  type AutoconfigSite,
} from '../support/autoconfig-site';
import { launchBrowser, screenshotPath } from '../support/browser';
import { plainMessage } from '../support/mail-corpus';
import { pageApi } from '../support/page-api';
import { startPopgate, type Popgate } from '../support/popgate';

const EMAIL = 'grace@example.com';
const PASSWORD = 'correct horse battery';
/** The mailbox at Dovecot and the user at the provider: the token names this user. */
const MAILBOX_USER = 'alice';
/** A mail domain whose own autoconfig document names the test's Dovecot (served on 127.0.0.1). */
const MAIL_DOMAIN = 'mail.popgate.test';

/**
 * A free loopback port for Popgate: the provider must know Popgate's redirect URI before
 * Popgate (which must know the provider's issuer) starts.
 */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!dovecotAvailable())(
  'Signing a POP3 account in at an OpenID provider, in Chromium',
  () => {
    let provider: OidcProviderHarness;
    let dovecot: Dovecot;
    let site: AutoconfigSite;
    const trustedCas = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-e2e-ca-')),
      'ca.pem',
    );
    let popgate: Popgate | undefined;
    /** Popgate's address, once started. */
    const origin = () => popgate!.url;
    let browser: Awaited<ReturnType<typeof launchBrowser>>;
    let page: Page;
    let accountId = '';
    const pageErrors: string[] = [];

    beforeAll(async () => {
      // The provider must know Popgate's redirect URI (its port) before Popgate, which must know
      // the provider's issuer (and trust Dovecot's and the mail domain's certificates), starts: a
      // free port is chosen first, and chosen again should another process take it in between.
      for (let attempt = 1; !popgate; attempt++) {
        const port = await freePort();
        provider = await startOidcProvider({
          redirectUris: [`http://127.0.0.1:${port}/api/oauth/callback`],
          users: [{ username: MAILBOX_USER, email: 'alice@example.test' }],
        });
        dovecot = await startDovecot({
          users: [{ username: MAILBOX_USER, password: 'the-mailbox-password' }],
          oauth2: { introspectionUrl: provider.introspection.urlWithCredentials },
        });
        site = await startAutoconfigSite(
          MAIL_DOMAIN,
          pop3OAuthDocument(MAIL_DOMAIN, { host: '127.0.0.1', port: dovecot.tlsPort }),
        );
        fs.writeFileSync(trustedCas, `${dovecot.caPem}\n${site.certPem}\n`);
        try {
          popgate = await startPopgate({
            PORT: String(port),
            // Dovecot, the provider and the mail domain's site all listen on loopback.
            POPGATE_ALLOW_PRIVATE_NETWORKS: 'true',
            POPGATE_OAUTH_GENERIC_ISSUER: provider.issuer,
            POPGATE_OAUTH_GENERIC_CLIENT_ID: provider.clientId,
            POPGATE_OAUTH_GENERIC_CLIENT_SECRET: provider.clientSecret,
            POPGATE_OAUTH_GENERIC_SCOPES: 'openid email offline_access',
            NODE_OPTIONS: TEST_DOMAINS_PRELOAD,
            NODE_EXTRA_CA_CERTS: trustedCas,
          });
        } catch (error) {
          await Promise.all([provider.stop(), dovecot.stop(), site.stop()]);
          if (attempt === 3 || !/EADDRINUSE/.test(String(error))) throw error;
        }
      }
      browser = await launchBrowser();
      await dovecot.deliver(
        MAILBOX_USER,
        plainMessage({ subject: 'Delivered before the sign-in', body: 'One.', minutesAgo: 30 }).raw,
      );
      page = await browser.context.newPage();
      // Generous: the machine may be busy (a sign-up's password hashing took 10 s under load).
      page.setDefaultTimeout(30_000);
      page.on('pageerror', (error) => pageErrors.push(error.message));
    });

    afterAll(async () => {
      await browser?.close();
      await Promise.all([popgate?.stop(), dovecot?.stop(), site?.stop()]);
      await provider?.stop();
      fs.rmSync(path.dirname(trustedCas), { recursive: true, force: true });
    });

    it('signs up; the first user lets Popgate reach Dovecot’s random port', async () => {
      await page.goto(`${origin()}/signup`);
      await page.getByRole('heading', { name: 'Create your account' }).waitFor();
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Password again').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(/\/accounts$/, { timeout: 60_000 });
      const policy = await pageApi(page, 'PATCH', '/api/admin/policy', { allowedPorts: [] });
      expect(policy.status).toBe(200);
    });

    it('the admin sets the provider on the policy page, the redirect URI to register shown, the secret never', async () => {
      await page.goto(`${origin()}/admin/policy`);
      const section = page.getByTestId('oauth-providers');
      await expect
        .poll(() => page.getByTestId('oauth-redirect-uri').inputValue(), { timeout: 10_000 })
        .toBe(`${origin()}/api/oauth/callback`);
      const generic = section.getByTestId('oauth-provider-generic');
      expect(await generic.getByTestId('oauth-provider-generic-source').textContent()).toContain(
        'Set by the environment',
      );
      expect(await generic.getByRole('textbox', { name: 'Issuer URL' }).inputValue()).toBe(
        provider.issuer,
      );
      // The environment's secret is not shown, nor copied: saving here needs it typed.
      expect(await generic.getByLabel('Client secret').inputValue()).toBe('');
      await generic.getByRole('button', { name: 'Save provider' }).click();
      const result = page.getByTestId('oauth-providers-result');
      await expect.poll(() => result.textContent()).toContain('Enter the client secret');

      await generic.getByLabel('Client secret').fill(provider.clientSecret);
      await generic.getByLabel('Scopes').fill('openid email offline_access');
      await generic.getByRole('button', { name: 'Save provider' }).click();
      await expect
        .poll(() => result.textContent(), { timeout: 15_000 })
        .toContain('saved: users can sign in with it from now on');
      expect(await generic.getByTestId('oauth-provider-generic-source').textContent()).toContain(
        'Set here, in place of the environment’s settings',
      );
      expect(await generic.getByTestId('oauth-provider-generic-secret').textContent()).toContain(
        'A secret is set; it is never shown.',
      );
      expect(await page.content()).not.toContain(provider.clientSecret);
      await page.screenshot({ path: screenshotPath('oauth-admin-providers'), fullPage: true });
      const listed = await pageApi(page, 'GET', '/api/admin/oauth-providers');
      expect(JSON.stringify(listed.body)).not.toContain(provider.clientSecret);
      await page.goto(`${origin()}/accounts`);
    });

    it('fills in a known provider’s settings from the address, with its caveats', async () => {
      await page.getByRole('link', { name: 'Add account' }).click();
      await page.getByRole('heading', { name: 'Add a POP3 account' }).waitFor();
      // Presets need no network: Gmail's settings are built in.
      await page.getByLabel('Email address').fill('grace.hopper@gmail.com');
      await page.getByRole('button', { name: 'Fill in settings' }).click();
      const found = page.getByTestId('autoconfig-result');
      await expect
        .poll(() => found.textContent(), { timeout: 10_000 })
        .toContain('from Popgate’s list of known providers');
      expect(await page.getByLabel('Server (incoming, POP3)').inputValue()).toBe('pop.gmail.com');
      expect(await page.getByLabel('Port').inputValue()).toBe('995');
      expect(await page.getByLabel('User name').inputValue()).toBe('grace.hopper@gmail.com');
      expect(await page.getByTestId('autoconfig-notes').locator('li').count()).toBeGreaterThan(0);
      // Google is not configured on this Popgate: a password (an app password) is asked for.
      expect(await page.getByTestId('oauth-missing').textContent()).toContain('app password');
      await page.screenshot({ path: screenshotPath('oauth-autoconfig-gmail'), fullPage: true });

      await page.getByLabel('Email address').fill('grace@icloud.com');
      await page.getByRole('button', { name: 'Fill in settings' }).click();
      await expect
        .poll(() => found.textContent(), { timeout: 10_000 })
        .toContain('No POP3 for this address.');
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.waitForURL(/\/accounts$/);
    });

    it('adds the account with a password Dovecot refuses, saved all the same', async () => {
      await page.getByRole('link', { name: 'Add account' }).click();
      await page.getByRole('heading', { name: 'Add a POP3 account' }).waitFor();
      await page.getByLabel('Name in Popgate').fill('Dovecot');
      await page.getByLabel('Server (incoming, POP3)').fill('127.0.0.1');
      await page.getByLabel('Port').fill(String(dovecot.tlsPort));
      await page.getByLabel('User name').fill(MAILBOX_USER);
      await page.getByLabel('Password', { exact: true }).fill('not the password');
      await page.getByRole('button', { name: 'Test connection' }).click();
      const result = page.getByTestId('test-result');
      // Dovecot's certificate is trusted here as an operator's CA (NODE_EXTRA_CA_CERTS) would be.
      await expect
        .poll(() => result.textContent(), { timeout: 20_000 })
        .toContain('rejected the user name or password');
      await page.getByRole('button', { name: 'Add account' }).click();
      await page.getByRole('button', { name: 'Save anyway' }).click();
      // Added: the accounts list (or, as it was, the new account's page offering sending).
      await page.waitForURL(/\/accounts(\/[0-9a-f-]{36}\?setup=sending)?$/);
      if (/\/accounts$/.test(page.url())) {
        await page.getByTestId('account-card').getByRole('link', { name: 'Edit' }).click();
      }
      await page.waitForURL(/\/accounts\/[0-9a-f-]{36}/);
      accountId = /\/accounts\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    });

    it('signs in at the provider from the account page and comes back linked', async () => {
      const signIn = page.getByTestId('oauth-other-sign-in');
      await expect
        .poll(() => signIn.textContent(), { timeout: 10_000 })
        .toBe(`Sign in with ${hostOf(provider)} instead`);
      await page.screenshot({ path: screenshotPath('oauth-account-page'), fullPage: true });
      await signIn.click();

      // The provider's own pages, in the browser: sign-in, then consent.
      await page.waitForURL((url) => url.origin === provider.issuer.replace(/\/$/, ''));
      await page.locator('input[name="login"]').fill(MAILBOX_USER);
      await page.locator('input[name="password"]').fill('anything');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      const consent = page.getByRole('button', { name: 'Continue' });
      await Promise.race([
        consent.waitFor().then(() => consent.click()),
        page.waitForURL((url) => url.origin === origin()),
      ]);

      await page.waitForURL(
        (url) => url.origin === origin() && url.pathname === `/accounts/${accountId}`,
      );
      const notice = page.getByTestId('oauth-result');

      await expect
        .poll(() => notice.textContent(), { timeout: 10_000 })
        .toContain(`Signed in with ${hostOf(provider)}.`);
      // The address no longer carries the result: a reload does not tell it again.
      expect(new URL(page.url()).searchParams.has('oauth')).toBe(false);
      await expect
        .poll(() => page.getByTestId('oauth-linked').textContent(), { timeout: 10_000 })
        .toContain('alice');
      await page.screenshot({ path: screenshotPath('oauth-linked'), fullPage: true });
      expect(provider.counts.authorizationCode).toBe(1);
    });

    it('syncs the mailbox with the provider’s token, and lists the mail', async () => {
      await dovecot.deliver(
        MAILBOX_USER,
        plainMessage({ subject: 'Delivered after the sign-in', body: 'Two.', minutesAgo: 1 }).raw,
      );
      await page.getByRole('link', { name: '← Mail accounts' }).click();
      await page.waitForURL(/\/accounts$/);
      const card = page.getByTestId('account-card');
      await card.getByRole('button', { name: 'Check now' }).click();
      await expect
        .poll(() => card.getByTestId('account-status').textContent(), { timeout: 60_000 })
        .toContain('Up to date');
      await expect.poll(() => card.textContent(), { timeout: 10_000 }).toContain('2 (2 unread)');
      expect(await card.getByTestId('account-oauth').textContent()).toContain(hostOf(provider));

      const account = () => pageApi(page, 'GET', `/api/accounts/${accountId}`);
      await expect
        .poll(async () => ((await account()).body as { status: string }).status, {
          timeout: 30_000,
        })
        .toBe('ok');
      expect((await account()).body).toMatchObject({
        auth: 'xoauth2',
        lastErrorCode: null,
        oauth: { provider: 'generic', status: 'active' },
      });
      expect(JSON.stringify((await account()).body)).not.toMatch(/token/i);

      await page.getByRole('link', { name: /^Inbox/ }).click();
      await page.waitForURL(/\/mail\/inbox/);
      // One row a message, or one a conversation (each message here starts its own).
      const rows = page.locator('.message-list li, [data-testid="conversation-row"]');
      await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
      await expect.poll(() => rows.first().textContent()).toContain('Delivered after the sign-in');
      await page.screenshot({ path: screenshotPath('oauth-inbox') });
      expect(pageErrors).toEqual([]);
    });

    it('creates an account by signing in alone: the address typed, the provider’s button, consent; linked and syncing', async () => {
      await page.goto(`${origin()}/accounts`);
      await page.getByRole('link', { name: 'Add account' }).click();
      await page.getByRole('heading', { name: 'Add a POP3 account' }).waitFor();
      // The domain's own autoconfig document (at https://mail.popgate.test/.well-known/…) names
      // the POP3 server; no server, port or password is typed.
      await page.getByLabel('Email address').fill(`${MAILBOX_USER}@${MAIL_DOMAIN}`);
      await page.getByRole('button', { name: 'Fill in settings' }).click();
      await expect
        .poll(() => page.getByTestId('autoconfig-result').textContent(), { timeout: 20_000 })
        .toContain('own configuration document');
      await page.getByLabel('Name in Popgate').fill('Signed in alone');
      const signIn = page.getByTestId('oauth-other-sign-in');
      await expect
        .poll(() => signIn.textContent(), { timeout: 10_000 })
        .toBe(`Sign in with ${hostOf(provider)} instead`);
      await page.screenshot({ path: screenshotPath('oauth-create-by-sign-in'), fullPage: true });
      provider.resetCounts();
      await signIn.click();

      // At the provider: signed in there already (the earlier step), or asked to; then consent.
      await page.waitForURL((url) => url.origin === provider.issuer.replace(/\/$/, ''));
      const login = page.locator('input[name="login"]');
      const consent = page.getByRole('button', { name: 'Continue' });
      const backHome = page.waitForURL((url) => url.origin === origin(), { timeout: 60_000 });
      const step = await Promise.race([
        login.waitFor().then(() => 'login' as const),
        consent.waitFor().then(() => 'consent' as const),
        backHome.then(() => 'back' as const),
      ]);
      if (step === 'login') {
        await login.fill(MAILBOX_USER);
        await page.locator('input[name="password"]').fill('anything');
        await page.getByRole('button', { name: 'Sign-in' }).click();
      }
      if (step !== 'back') {
        await Promise.race([consent.waitFor().then(() => consent.click()), backHome]);
      }
      await backHome;
      await page.waitForURL(
        (url) => url.origin === origin() && /^\/accounts\/[0-9a-f-]{36}$/.test(url.pathname),
      );
      const created = /\/accounts\/([0-9a-f-]{36})/.exec(page.url())![1]!;
      expect(created).not.toBe(accountId);
      expect(provider.counts).toMatchObject({ authorizationCode: 1, revocations: 0 });

      const account = () => pageApi(page, 'GET', `/api/accounts/${created}`);
      expect((await account()).body).toMatchObject({
        label: 'Signed in alone',
        host: '127.0.0.1',
        port: dovecot.tlsPort,
        security: 'tls',
        username: MAILBOX_USER,
        auth: 'xoauth2',
        oauth: { provider: 'generic', status: 'active' },
      });
      await expect
        .poll(() => page.getByTestId('oauth-linked').textContent(), { timeout: 10_000 })
        .toContain('alice');
      await page.screenshot({ path: screenshotPath('oauth-created-by-sign-in'), fullPage: true });

      // Its first check runs at once: both messages on the server arrive over XOAUTH2.
      expect((await pageApi(page, 'POST', `/api/accounts/${created}/sync`)).status).toBeLessThan(
        300,
      );
      await expect
        .poll(async () => (await account()).body as { status: string; messageCount: number }, {
          timeout: 60_000,
        })
        .toMatchObject({ status: 'ok', messageCount: 2, lastErrorCode: null });
      expect(pageErrors).toEqual([]);
    });
  },
);

/** The generic provider's name in Popgate: its issuer's host. */
const hostOf = (provider: OidcProviderHarness) => new URL(provider.issuer).host;
