import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations } from '../support/accessibility';
import { launchBrowser, screenshotPath } from '../support/browser';
import { pageApi } from '../support/page-api';
import { startPopgate, type Popgate } from '../support/popgate';

const ADMIN_EMAIL = 'ada@example.com';
const ADMIN_PASSWORD = 'admin password 123';
const USER_EMAIL = 'grace@example.com';
const USER_PASSWORD = 'user password 456';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;

describe('Signing up and in on a fresh Popgate', () => {
  let popgate: Popgate;
  let adminBrowser: Browser;
  let newcomerBrowser: Browser;
  let admin: Page;
  let newcomer: Page;
  const problems: string[] = [];

  async function openPage(browser: Browser): Promise<Page> {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => problems.push(error.message));
    return page;
  }

  beforeAll(async () => {
    [popgate, adminBrowser, newcomerBrowser] = await Promise.all([
      startPopgate(),
      launchBrowser(),
      launchBrowser(),
    ]);
    admin = await openPage(adminBrowser);
    newcomer = await openPage(newcomerBrowser);
  });

  afterAll(async () => {
    await Promise.all([adminBrowser?.close(), newcomerBrowser?.close()]);
    await popgate?.stop();
  });

  /** The message next to a field: the element its aria-describedby names. */
  const messageOf = (page: Page, label: string, exact = false) =>
    page.getByLabel(label, { exact }).evaluate((input) => {
      const id = input.getAttribute('aria-describedby');
      return input.getAttribute('aria-invalid') === 'true' && id
        ? (document.getElementById(id)?.textContent?.trim() ?? '')
        : '';
    });
  const signUpOffer = async (page: Page) =>
    (await page.getByTestId('sign-up-offer').textContent())?.replace(/\s+/g, ' ').trim();

  it('tells the first visitor that the first account becomes the administrator', async () => {
    await admin.goto(`${popgate.url}/signin`);
    await expect
      .poll(() => signUpOffer(admin))
      .toContain("The first person to sign up becomes this Popgate's administrator.");
    await admin.screenshot({ path: screenshotPath('signin-first-user') });
    await admin.getByRole('link', { name: 'Create the first account' }).click();
    await admin.waitForURL(/\/signup/);
    await admin.getByTestId('first-user').waitFor();
  });

  it('says next to each field what is wrong, in plain words, and sends nothing', async () => {
    await admin.getByRole('button', { name: 'Create account' }).click();
    expect(await messageOf(admin, 'Email')).toBe('Enter your email address.');
    expect(await messageOf(admin, 'Password', true)).toBe('Choose a password.');
    expect(await messageOf(admin, 'Password again')).toBe(
      'Type the password again, to be sure of it.',
    );

    await admin.getByLabel('Email').fill('ada.example.com');
    await admin.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: 'Create account' }).click();
    expect(await messageOf(admin, 'Email')).toBe(
      'This is not an email address: it looks like name@example.com.',
    );
    expect(await messageOf(admin, 'Password', true)).toBe('');
    expect(await messageOf(admin, 'Password again')).toBe(
      'Type the password again, to be sure of it.',
    );
    expect(await admin.locator('body').textContent()).not.toContain('must match format');
    await admin.screenshot({ path: screenshotPath('signup-field-messages') });
    expect(await accessibilityViolations(admin)).toEqual([]);
    expect(admin.url()).toMatch(/\/signup/);
  });

  it('signs up the first person, who becomes the admin', async () => {
    await admin.getByLabel('Email').fill(ADMIN_EMAIL);
    await admin.getByLabel('Password again').fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: 'Create account' }).click();
    await admin.waitForURL(/\/accounts$/);
    expect((await pageApi(admin, 'GET', '/api/auth/me')).body).toMatchObject({
      email: ADMIN_EMAIL,
      role: 'admin',
    });
  });

  it('is closed to the next newcomer, and the pages say so', async () => {
    await newcomer.goto(`${popgate.url}/signin`);
    await expect
      .poll(() => signUpOffer(newcomer))
      .toBe('New to this Popgate? Ask its administrator for an account.');
    expect(await newcomer.locator('body').textContent()).not.toContain('becomes');
    await newcomer.screenshot({ path: screenshotPath('signin-sign-up-closed') });

    await newcomer.goto(`${popgate.url}/signup`);
    await expect
      .poll(() => newcomer.getByRole('alert').textContent())
      .toBe('Sign-up is closed on this Popgate; ask an admin for an account.');
    expect(await newcomer.getByRole('button', { name: 'Create account' }).count()).toBe(0);
  });

  it('opens when the admin opens it, and the newcomer signs up as a user', async () => {
    expect((await pageApi(admin, 'PATCH', '/api/admin/policy', { signupOpen: true })).status).toBe(
      200,
    );
    await newcomer.goto(`${popgate.url}/signin`);
    await expect.poll(() => signUpOffer(newcomer)).toBe('New to this Popgate? Create an account');
    await newcomer.getByRole('link', { name: 'Create an account' }).click();
    await newcomer.waitForURL(/\/signup/);
    expect(await newcomer.getByTestId('first-user').count()).toBe(0);
    await newcomer.getByLabel('Email').fill(USER_EMAIL);
    await newcomer.getByLabel('Password', { exact: true }).fill(USER_PASSWORD);
    await newcomer.getByLabel('Password again').fill(USER_PASSWORD);
    await newcomer.getByRole('button', { name: 'Create account' }).click();
    await newcomer.waitForURL(/\/accounts$/);
    expect((await pageApi(newcomer, 'GET', '/api/auth/me')).body).toMatchObject({
      email: USER_EMAIL,
      role: 'user',
    });
  });

  it('says on the sign-in page what is wrong with the fields', async () => {
    await pageApi(newcomer, 'POST', '/api/auth/logout');
    await newcomer.goto(`${popgate.url}/signin`);
    await newcomer.getByRole('button', { name: 'Sign in' }).click();
    expect(await messageOf(newcomer, 'Email')).toBe('Enter your email address.');
    expect(await messageOf(newcomer, 'Password')).toBe('Enter your password.');
    await newcomer.getByLabel('Email').fill('grace@');
    await newcomer.getByLabel('Password').fill(USER_PASSWORD);
    await newcomer.getByRole('button', { name: 'Sign in' }).click();
    expect(await messageOf(newcomer, 'Email')).toBe(
      'This is not an email address: it looks like name@example.com.',
    );
    await newcomer.screenshot({ path: screenshotPath('signin-field-messages') });

    await newcomer.getByLabel('Email').fill(USER_EMAIL);
    await newcomer.getByRole('button', { name: 'Sign in' }).click();
    await newcomer.waitForURL(/\/mail\/inbox/);
    expect(problems).toEqual([]);
  });
});
