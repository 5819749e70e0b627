import { dovecotAvailable, startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations } from '../support/accessibility';
import { launchBrowser, screenshotPath } from '../support/browser';
import { plainMessage } from '../support/mail-corpus';
import { pageApi } from '../support/page-api';
import { startPopgate, type Popgate } from '../support/popgate';

const ADMIN_EMAIL = 'grace@example.com';
const ADMIN_PASSWORD = 'admin password 123';
const USER_EMAIL = 'linus@example.com';
const USER_PASSWORD = 'user password 456';
const MAILBOX_USER = 'linus';
const MAILBOX_PASSWORD = 'secret';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;

/** A page that records what should never happen: script errors and CSP violations. */
async function watchedPage(browser: Browser, problems: string[]): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      problems.push(message.text());
    }
  });
  return page;
}

describe.skipIf(!dovecotAvailable())('The admin console, with an admin and a user', () => {
  let popgate: Popgate;
  let dovecot: Dovecot;
  let adminBrowser: Browser;
  let userBrowser: Browser;
  let admin: Page;
  let user: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    [popgate, dovecot, adminBrowser, userBrowser] = await Promise.all([
      startPopgate({ POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' }),
      startDovecot({ users: [{ username: MAILBOX_USER, password: MAILBOX_PASSWORD }] }),
      launchBrowser(),
      launchBrowser(),
    ]);
    for (let i = 0; i < 3; i++) {
      await dovecot.deliver(
        MAILBOX_USER,
        plainMessage({ subject: `Private note ${i}`, body: 'Not for admins.', minutesAgo: i }).raw,
      );
    }
    admin = await watchedPage(adminBrowser, problems);
    user = await watchedPage(userBrowser, problems);
  });

  afterAll(async () => {
    await Promise.all([adminBrowser?.close(), userBrowser?.close()]);
    await Promise.all([popgate?.stop(), dovecot?.stop()]);
  });

  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
  const actionResult = (page: Page) => page.getByTestId('action-result').first().textContent();
  const adminNav = () => admin.getByRole('navigation', { name: 'Admin console' });

  it('lets the first user, the admin, open the console and allow any port', async () => {
    await admin.goto(`${popgate.url}/signup`);
    await admin.getByLabel('Email').fill(ADMIN_EMAIL);
    await admin.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await admin.getByLabel('Password again').fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: 'Create account' }).click();
    await admin.waitForURL(/\/accounts$/);

    await admin.getByRole('link', { name: 'Admin console' }).first().click();
    await admin.waitForURL(/\/admin\/overview$/);
    await expect.poll(() => heading(admin)).toBe('Overview');

    // Dovecot listens on a random port, which the default policy (110 and 995) refuses.
    await adminNav().getByRole('link', { name: 'Policy' }).click();
    await expect.poll(() => heading(admin)).toBe('Policy');
    await admin.getByLabel('Allowed ports').fill('');
    await admin.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => actionResult(admin)).toContain('Policy saved');
  });

  it('creates a user with a one-time sign-in link, which they open to choose a password', async () => {
    await adminNav().getByRole('link', { name: 'Users' }).click();
    await expect.poll(() => heading(admin)).toBe('Users');
    await admin.getByRole('button', { name: 'Add user' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Add a user' });
    await dialog.getByLabel('Email').fill(USER_EMAIL);
    await dialog.getByRole('button', { name: 'Add user' }).click();
    const link = await dialog.getByTestId('sign-in-link').inputValue();
    expect(link).toMatch(new RegExp(`^${popgate.url}/sign-in/link#.{20,}`));
    await admin.screenshot({ path: screenshotPath('admin-user-created') });
    await dialog.getByRole('button', { name: 'Done' }).click();

    await user.goto(link);
    await user.getByRole('heading', { name: 'Choose your password' }).waitFor();
    expect(user.url()).not.toContain('#');
    await user.getByLabel('Password', { exact: true }).fill(USER_PASSWORD);
    await user.getByLabel('Password again').fill(USER_PASSWORD);
    await user.getByRole('button', { name: 'Save password and continue' }).click();
    await user.waitForURL(/\/accounts$/);

    // The link worked once.
    const again = await watchedPage(userBrowser, problems);
    await again.goto(link);
    await expect.poll(() => again.getByRole('alert').textContent()).toContain('not valid any more');
    await again.close();
  });

  it('keeps the console from users: no link, sent away, refused by the server', async () => {
    expect(await user.getByRole('link', { name: 'Admin console' }).count()).toBe(0);
    await user.goto(`${popgate.url}/admin/users`);
    await user.waitForURL(/\/mail\/inbox/);
    expect((await pageApi(user, 'GET', '/api/admin/users')).status).toBe(403);
  });

  it('lists the users, and refuses to demote the last admin in plain words', async () => {
    await admin.reload();
    const table = admin.getByTestId('users-table');
    await expect.poll(() => table.textContent()).toContain(USER_EMAIL);
    await admin.getByRole('button', { name: `Remove admin: ${ADMIN_EMAIL}` }).click();
    await admin.getByRole('dialog', { name: `Remove ${ADMIN_EMAIL} as admin?` }).waitFor();
    await admin.getByTestId('confirm').click();
    await expect.poll(() => actionResult(admin)).toContain('This is the last admin');
    await admin.screenshot({ path: screenshotPath('admin-users'), fullPage: true });
    expect(await accessibilityViolations(admin)).toEqual([]);
  });

  it('shows the user’s linked account to the admin, with history and diagnostics but no mail', async () => {
    const created = await pageApi(user, 'POST', '/api/accounts', {
      label: 'Home mail',
      host: '127.0.0.1',
      port: dovecot.tlsPort,
      security: 'tls',
      username: MAILBOX_USER,
      password: MAILBOX_PASSWORD,
      tls: { pinSha256: dovecot.certSha256 },
    });
    expect(created.status).toBe(201);
    await user.goto(`${popgate.url}/accounts`);
    const card = user.getByTestId('account-card');
    await expect
      .poll(() => card.getByTestId('account-status').textContent(), { timeout: 60_000 })
      .toContain('Up to date');

    await adminNav().getByRole('link', { name: 'Linked accounts' }).click();
    await expect.poll(() => heading(admin)).toBe('Linked accounts');
    const row = admin.locator('[data-account="Home mail"]');
    await expect.poll(() => row.textContent()).toContain(USER_EMAIL);
    await expect
      .poll(() => row.getByTestId('admin-account-status').textContent())
      .toContain('Up to date');
    expect(await row.textContent()).toContain(`127.0.0.1:${dovecot.tlsPort}`);
    expect(await row.locator('td.number').first().textContent()).toBe('3');
    await admin.screenshot({ path: screenshotPath('admin-accounts'), fullPage: true });
    expect(await accessibilityViolations(admin)).toEqual([]);

    await row.getByRole('button', { name: /^Details of Home mail/ }).click();
    const drawer = admin.getByRole('dialog', { name: `Home mail (${USER_EMAIL})` });
    await expect.poll(() => drawer.getByTestId('sync-runs').textContent()).toContain('Done');
    expect(await drawer.textContent()).toContain('Dovecot');
    expect(await drawer.textContent()).not.toContain('Private note');
    await admin.screenshot({ path: screenshotPath('admin-account-detail') });
    expect(await accessibilityViolations(admin)).toEqual([]);
    await drawer.getByRole('button', { name: 'Close' }).click();
  });

  it('disables the account; its owner sees it paused', async () => {
    const row = admin.locator('[data-account="Home mail"]');
    await row.getByRole('button', { name: /^Details of Home mail/ }).click();
    const drawer = admin.getByRole('dialog', { name: `Home mail (${USER_EMAIL})` });
    await drawer.getByRole('button', { name: 'Disable', exact: true }).click();
    await admin.getByRole('dialog', { name: 'Disable Home mail?' }).waitFor();
    await admin.getByTestId('confirm').click();
    await expect.poll(() => drawer.getByTestId('detail-status').textContent()).toContain('Paused');
    await expect.poll(() => actionResult(admin)).toContain('is disabled');
    await drawer.getByRole('button', { name: 'Close' }).click();
    await expect
      .poll(() => row.getByTestId('admin-account-status').textContent())
      .toContain('Paused');

    // The owner's open page hears of it at once; a fresh load says the same.
    const card = user.getByTestId('account-card');
    await expect.poll(() => card.getByTestId('account-status').textContent()).toContain('Paused');
    await user.reload();
    await expect.poll(() => card.getByTestId('account-status').textContent()).toContain('Paused');
    expect(await card.textContent()).toContain('Popgate is not checking this account.');

    // "All accounts that are paused", and none with a rejected password.
    await admin.getByLabel('Status').selectOption('disabled');
    await admin.waitForURL(/status=disabled/);
    await expect.poll(() => admin.locator('[data-account]').count()).toBe(1);
    await admin.getByLabel('Status').selectOption('auth_failed');
    await expect.poll(() => admin.getByText('No account matches.').count()).toBe(1);
    await admin.getByLabel('Status').selectOption('');
  });

  it('tightens the host policy, naming a bad network; the user’s new account there is refused', async () => {
    await adminNav().getByRole('link', { name: 'Policy' }).click();
    await expect.poll(() => heading(admin)).toBe('Policy');
    await admin.getByLabel('Refused POP3 servers').fill('localhost');
    await admin.getByLabel('Refused networks').fill('192.0.2.0/24\n10.0.0.0/33');
    await admin.getByRole('button', { name: 'Save policy' }).click();
    await expect
      .poll(() => admin.getByTestId('policy-errors').textContent())
      .toContain('“10.0.0.0/33” is not a network');
    expect(await admin.evaluate(() => document.activeElement?.id)).toBe('policy-refusedNetworks');
    await admin.screenshot({ path: screenshotPath('admin-policy-invalid'), fullPage: true });
    await admin.getByLabel('Refused networks').fill('192.0.2.0/24');
    await admin.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => actionResult(admin)).toContain('Policy saved');
    await admin.screenshot({ path: screenshotPath('admin-policy'), fullPage: true });
    expect(await accessibilityViolations(admin)).toEqual([]);

    await user.goto(`${popgate.url}/accounts/new`);
    await user.getByRole('heading', { name: 'Add a POP3 account' }).waitFor();
    await user.getByLabel('Name in Popgate').fill('Refused');
    await user.getByLabel('Server (incoming, POP3)').fill('localhost');
    await user.getByLabel('Port').fill(String(dovecot.tlsPort));
    await user.getByLabel('User name').fill(MAILBOX_USER);
    await user.getByLabel('Password', { exact: true }).fill(MAILBOX_PASSWORD);
    await user.getByRole('button', { name: 'Add account' }).click();
    const result = user.getByTestId('test-result');
    await expect
      .poll(() => result.textContent(), { timeout: 20_000 })
      .toContain('admin does not allow POP3 servers at localhost');
    expect(await result.textContent()).toContain('Popgate may not connect to localhost');
    await user.getByRole('button', { name: 'Save anyway' }).click();
    await expect
      .poll(() => user.locator('.notice--error[role="alert"]').last().textContent())
      .toContain('admin does not allow POP3 servers at localhost');
    await user.screenshot({ path: screenshotPath('account-refused-by-policy'), fullPage: true });
    expect(user.url()).toMatch(/\/accounts\/new$/);
  });

  it('sets the sessions per POP3 server: the rule, and a limit for one named server', async () => {
    await adminNav().getByRole('link', { name: 'Policy' }).click();
    await expect.poll(() => heading(admin)).toBe('Policy');
    const limits = admin.getByLabel('Limits for named servers');
    expect(await limits.inputValue()).toBe('pop.gmail.com 50\noutlook.office365.com 50');
    // Empty rule fields say what the operator's environment sets instead.
    await expect
      .poll(() => admin.locator('#policy-syncSessionsPerHost-hint').textContent())
      .toContain('the operator’s setting (2)');
    await limits.fill('pop.gmail.com 50\noutlook.office365.com 50\npop.example-isp.net 0');
    await admin.getByLabel('Sessions per server, at least').fill('3');
    await admin.getByRole('button', { name: 'Save policy' }).click();
    await expect
      .poll(() => admin.getByTestId('policy-errors').textContent())
      .toContain('“pop.example-isp.net 0” is not a server name and a number of sessions');
    expect(await admin.evaluate(() => document.activeElement?.id)).toBe('policy-hostSessionLimits');
    await limits.fill('pop.gmail.com 50\noutlook.office365.com 50\npop.example-isp.net 4');
    await admin.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => actionResult(admin)).toContain('Policy saved');
    await admin.screenshot({ path: screenshotPath('admin-policy-sessions'), fullPage: true });

    await admin.reload();
    await expect
      .poll(() => admin.getByLabel('Limits for named servers').inputValue())
      .toBe('pop.gmail.com 50\noutlook.office365.com 50\npop.example-isp.net 4');
    expect(await admin.getByLabel('Sessions per server, at least').inputValue()).toBe('3');
    expect(await accessibilityViolations(admin)).toEqual([]);

    await adminNav().getByRole('link', { name: 'Overview' }).click();
    await expect.poll(() => heading(admin)).toBe('Overview');
    const panel = admin.getByTestId('sync-panel');
    await expect.poll(() => panel.textContent()).toContain('Polling now');
    expect(await admin.getByTestId('sync-accounts-due').textContent()).toMatch(/\d+ accounts due/);
    expect(await admin.getByTestId('sync-session-target').textContent()).toMatch(
      /sessions running here, of \d+ allowed now/,
    );
    await admin.screenshot({ path: screenshotPath('admin-overview-polling'), fullPage: true });
    expect(await accessibilityViolations(admin)).toEqual([]);
  });

  it('records it all in the audit log, filterable and exported as CSV', async () => {
    await adminNav().getByRole('link', { name: 'Audit log' }).click();
    await expect.poll(() => heading(admin)).toBe('Audit log');
    const table = admin.getByTestId('audit-table');
    await expect.poll(() => table.textContent()).toContain('Admin: disabled an account');
    expect(await table.textContent()).toContain('Admin: changed the policy');
    expect(await table.textContent()).toContain(USER_EMAIL);
    await admin.getByLabel('What', { exact: true }).selectOption('admin.account_disabled');
    await admin.getByRole('button', { name: 'Show entries' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await admin.screenshot({ path: screenshotPath('admin-audit'), fullPage: true });
    expect(await accessibilityViolations(admin)).toEqual([]);
    const href = await admin.getByTestId('audit-csv').getAttribute('href');
    expect(href).toContain('format=csv');
    const csv = await pageApi(admin, 'GET', href!);
    expect(csv.status).toBe(200);
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines[0]).toBe('at,action,actorEmail,actorUserId,targetType,targetId,ip,details');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('admin.account_disabled');
  });

  it('draws the overview: accounts by status, the last 24 hours', async () => {
    await adminNav().getByRole('link', { name: 'Overview' }).click();
    await expect.poll(() => heading(admin)).toBe('Overview');
    await expect.poll(() => admin.getByRole('link', { name: /1 account: Paused/ }).count()).toBe(1);
    expect(await admin.locator('.stats').textContent()).toMatch(/2\s*users/);
    await admin.screenshot({ path: screenshotPath('admin-overview'), fullPage: true });
    expect(await accessibilityViolations(admin)).toEqual([]);
    await admin.getByRole('link', { name: /1 account: Paused/ }).click();
    await admin.waitForURL(/\/admin\/accounts\?status=disabled/);
    await expect.poll(() => admin.locator('[data-account]').count()).toBe(1);
  });

  it('fits a phone and the dark theme', async () => {
    const phone = await watchedPage(adminBrowser, problems);
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.emulateMedia({ colorScheme: 'dark' });
    for (const page of ['overview', 'users', 'accounts', 'policy', 'audit']) {
      await phone.goto(`${popgate.url}/admin/${page}`);
      await phone.getByRole('heading', { level: 1 }).waitFor();
      await phone.locator('[role="status"]:has-text("Loading")').waitFor({ state: 'detached' });
      const width = await phone.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      await phone.screenshot({ path: screenshotPath(`admin-${page}-phone-dark`), fullPage: true });
      expect(await accessibilityViolations(phone)).toEqual([]);
    }
    await phone.close();
    expect(problems).toEqual([]);
  });
});
