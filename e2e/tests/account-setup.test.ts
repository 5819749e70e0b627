import { dovecotAvailable, startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations } from '../support/accessibility';
import { launchBrowser, screenshotPath } from '../support/browser';
import { plainMessage } from '../support/mail-corpus';
import { pageApi } from '../support/page-api';
import { startPopgate, type Popgate } from '../support/popgate';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const MAILBOX_USER = 'ada';
const MAILBOX_PASSWORD = 'mailbox-secret';
const MESSAGES = 60;

/**
 * Setting up an account on a fresh install, as a new user (who is the admin) meets it: a policy
 * that refuses the server, the page that changes it, a port that wants SSL/TLS, a wrong password,
 * the first sync, and the card and form afterwards. Popgate runs without
 * POPGATE_ALLOW_PRIVATE_NETWORKS: the policy page is the one place that opens Dovecot's loopback.
 */
describe.skipIf(!dovecotAvailable())('Setting up an account on a fresh install', () => {
  let popgate: Popgate;
  let dovecot: Dovecot;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let accountId = '';
  const problems: string[] = [];

  beforeAll(async () => {
    [popgate, dovecot, browser] = await Promise.all([
      startPopgate(),
      startDovecot({ users: [{ username: MAILBOX_USER, password: MAILBOX_PASSWORD }] }),
      launchBrowser(),
    ]);
    for (let i = 0; i < MESSAGES; i++) {
      await dovecot.deliver(
        MAILBOX_USER,
        plainMessage({ subject: `Setup note ${i}`, body: `Body ${i}`, minutesAgo: i }).raw,
      );
    }
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => problems.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([popgate?.stop(), dovecot?.stop()]);
  });

  const heading = () => page.getByRole('heading', { level: 1 }).textContent();
  const testResult = () => page.getByTestId('test-result');
  /** The form's server fields, with Dovecot's implicit-TLS port whatever the security. */
  const fillServer = async (security: 'tls' | 'starttls', password: string) => {
    await page.getByLabel('Server (incoming, POP3)').fill('127.0.0.1');
    await page.getByLabel('Connection security').selectOption(security);
    await page.getByLabel('Port').fill(String(dovecot.tlsPort));
    await page.getByLabel('User name').fill(MAILBOX_USER);
    await page.getByLabel('Password', { exact: true }).fill(password);
  };

  it('signs up the first user, the admin', async () => {
    await page.goto(`${popgate.url}/signup`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/accounts$/);
  });

  it('tells the admin refused by the policy where to change it, with a link', async () => {
    await page.getByRole('link', { name: 'Add account' }).first().click();
    await page.getByRole('heading', { name: 'Add a POP3 account' }).waitFor();
    await fillServer('tls', MAILBOX_PASSWORD);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'admin' }).first();
    await expect.poll(() => refusal.textContent()).toContain('You are this Popgate’s admin');
    expect(await refusal.textContent()).not.toContain('ask an admin');
    await page.screenshot({ path: screenshotPath('account-setup-policy-refusal'), fullPage: true });
    await refusal.getByRole('link', { name: 'Open the Policy page' }).click();
    await page.waitForURL(/\/admin\/policy$/);
  });

  it('says on the policy page what the lists allow, and opens loopback there', async () => {
    await expect.poll(heading).toBe('Policy');
    const note = page.getByTestId('private-networks-note');
    expect(await note.textContent()).toContain('Allowed networks');
    expect(await page.locator('#policy-allowedNetworks-hint').textContent()).toContain(
      '127.0.0.0/8',
    );
    await page.getByLabel('Allowed ports').fill('');
    await page.getByLabel('Allowed networks').fill('127.0.0.0/8');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect
      .poll(() => page.getByTestId('action-result').first().textContent())
      .toContain('Policy saved');
    await page.screenshot({
      path: screenshotPath('account-setup-policy-networks'),
      fullPage: true,
    });
  });

  it('says the port expects SSL/TLS when STARTTLS is chosen on it', async () => {
    await page.goto(`${popgate.url}/accounts/new`);
    await page.getByRole('heading', { name: 'Add a POP3 account' }).waitFor();
    await fillServer('starttls', MAILBOX_PASSWORD);
    const started = Date.now();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => testResult().textContent(), { timeout: 20_000 })
      .toContain('expects SSL/TLS from the start');
    // Told within seconds, not after the greeting's timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
    await page.screenshot({ path: screenshotPath('account-setup-tls-expected'), fullPage: true });
  });

  it('quotes a rejected password once', async () => {
    await fillServer('tls', 'wrong password');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => testResult().textContent(), { timeout: 20_000 })
      .toContain('certificate is not trusted');
    await page.getByRole('button', { name: 'Trust this certificate' }).click();
    await expect
      .poll(() => testResult().textContent(), { timeout: 20_000 })
      .toContain('rejected the user name or password');
    const text = (await testResult().textContent())!;
    expect(text.match(/rejected the user name or password/g)).toHaveLength(1);
    expect(text.match(/The server said/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(text).not.toContain('(The server rejected');
    await page.screenshot({ path: screenshotPath('account-setup-auth-failed'), fullPage: true });
  });

  it('adds the account; the first sync shows one count at a time, then offers the inbox', async () => {
    await page.getByLabel('Password', { exact: true }).fill(MAILBOX_PASSWORD);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => testResult().textContent(), { timeout: 20_000 })
      .toContain('Connected and signed in');
    // Every moment the progress shows, the message count must not show another number.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { countsSeen: string[] }).countsSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid="sync-progress"]');
        const count = document.querySelector('[data-testid="account-message-count"]');
        if (bar) seen.push(`${bar.textContent} | ${count?.textContent?.trim()}`);
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.waitForURL(/\/accounts$/, { waitUntil: 'commit' });
    const card = page.getByTestId('account-card');
    await expect
      .poll(() => card.getByTestId('account-status').textContent(), { timeout: 60_000 })
      .toContain('Up to date');
    const seen = await page.evaluate(
      () => (window as unknown as { countsSeen: string[] }).countsSeen,
    );
    for (const moment of seen) expect(moment).toMatch(/\| being downloaded$/);
    await expect
      .poll(() => card.getByTestId('account-message-count').textContent())
      .toContain(`${MESSAGES}`);
    expect(await card.getByTestId('account-policy').textContent()).toContain(
      'every 5 min; every minute while you have Popgate open',
    );
    expect(await card.textContent()).not.toMatch(/Last checked\s*in /);
    await card.getByTestId('go-to-inbox').waitFor();
    await page.screenshot({ path: screenshotPath('account-setup-first-sync'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    accountId = (await card.getByTestId('go-to-inbox').getAttribute('href'))!.split('/').pop()!;
  });

  it('asks before deleting from the server, with the count', async () => {
    await page.goto(`${popgate.url}/accounts/${accountId}`);
    const box = page.getByTestId('leave-on-server');
    await box.waitFor();
    await box.click();
    const dialog = page.getByRole('dialog', { name: 'Delete the messages from the server?' });
    await expect
      .poll(() => dialog.getByTestId('leave-on-server-question').textContent(), {
        timeout: 20_000,
      })
      .toBe(
        `This will delete ${MESSAGES} messages from 127.0.0.1 after they are safely stored here.`,
      );
    await page.screenshot({ path: screenshotPath('account-setup-leave-on-server') });
    await dialog.getByRole('button', { name: 'Keep them on the server' }).click();
    expect(await box.isChecked()).toBe(true);
  });

  it('goes to the inbox, whose refresh button checks the server now', async () => {
    await page.goto(`${popgate.url}/accounts`);
    await page.getByTestId('go-to-inbox').click();
    await page.waitForURL(new RegExp(`/mail/account/${accountId}`));
    // The refresh button belongs to the message list; conversations are on at first.
    await page.getByTestId('conversations-toggle').uncheck();
    const asked = page.waitForRequest(
      (request) =>
        request.method() === 'POST' && request.url().endsWith(`/api/accounts/${accountId}/sync`),
    );
    await page.getByRole('button', { name: 'Get mail' }).click();
    await asked;
  });

  it('says a rejected password on the card once, checked in the past, no placeholder next check', async () => {
    const changed = await pageApi(page, 'PATCH', `/api/accounts/${accountId}`, {
      password: 'no longer right',
    });
    expect(changed.status).toBe(200);
    await pageApi(page, 'POST', `/api/accounts/${accountId}/sync`);
    await page.goto(`${popgate.url}/accounts`);
    const card = page.getByTestId('account-card');
    await expect
      .poll(() => card.getByTestId('account-status').textContent(), { timeout: 60_000 })
      .toContain('Password rejected');
    const text = (await card.textContent())!;
    expect(text.match(/rejected the user name or password/g)).toHaveLength(1);
    expect(text).not.toContain('“The server rejected');
    expect(text).not.toMatch(/Last checked\s*in /);
    expect(await card.getByTestId('account-next-check').textContent()).toBe(
      'once you update the password',
    );
    await page.screenshot({
      path: screenshotPath('account-setup-password-rejected'),
      fullPage: true,
    });
  });

  it('fits a phone and the dark theme on the account pages', async () => {
    const phone = await browser.context.newPage();
    phone.on('pageerror', (error) => problems.push(error.message));
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.emulateMedia({ colorScheme: 'dark' });
    for (const [name, path] of [
      ['accounts', '/accounts'],
      ['account-new', '/accounts/new'],
      ['account-edit', `/accounts/${accountId}`],
    ] as const) {
      await phone.goto(`${popgate.url}${path}`);
      await phone.getByRole('heading', { level: 1 }).waitFor();
      await phone.locator('[role="status"]:has-text("Loading")').waitFor({ state: 'detached' });
      const width = await phone.evaluate(() => document.documentElement.scrollWidth);
      expect(width, name).toBeLessThanOrEqual(390);
      await phone.screenshot({
        path: screenshotPath(`account-setup-${name}-phone-dark`),
        fullPage: true,
      });
      expect(await accessibilityViolations(phone), name).toEqual([]);
    }
    await phone.close();
    expect(problems).toEqual([]);
  });
});
