import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations } from '../support/accessibility';
import { launchBrowser, screenshotPath } from '../support/browser';
import { startPopgate, type Popgate } from '../support/popgate';

const PHONE = { width: 390, height: 844 };

/** The sign-in and sign-up pages at phone width in the dark theme, as they are and with errors. */
describe('The sign-in and sign-up pages on a phone in the dark', () => {
  let popgate: Popgate;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let phone: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    [popgate, browser] = await Promise.all([startPopgate(), launchBrowser()]);
    phone = await browser.context.newPage();
    phone.setDefaultTimeout(10_000);
    phone.on('pageerror', (error) => problems.push(error.message));
    await phone.setViewportSize(PHONE);
    await phone.emulateMedia({ colorScheme: 'dark' });
  });

  afterAll(async () => {
    await browser?.close();
    await popgate?.stop();
  });

  /** Fits the width (no sideways scrolling), is dark, and passes axe (contrast included). */
  async function expectFitsAndReads(name: string): Promise<void> {
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      PHONE.width,
    );
    const background = await phone.evaluate(
      () => getComputedStyle(document.querySelector('main')!).backgroundColor,
    );
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect(r! + g! + b!, background).toBeLessThan(3 * 80);
    await phone.screenshot({ path: screenshotPath(`${name}-phone-dark`), fullPage: true });
    expect(await accessibilityViolations(phone)).toEqual([]);
  }

  it('lays out the sign-in page', async () => {
    await phone.goto(`${popgate.url}/signin`);
    await phone.getByTestId('sign-up-offer').waitFor();
    await expectFitsAndReads('signin');
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.locator('.error-text').first().waitFor();
    await expectFitsAndReads('signin-errors');
  });

  it('lays out the sign-up page', async () => {
    await phone.goto(`${popgate.url}/signup`);
    await phone.getByTestId('first-user').waitFor();
    await expectFitsAndReads('signup');
    await phone.getByLabel('Email').fill('not an address');
    await phone.getByRole('button', { name: 'Create account' }).click();
    await phone.locator('.error-text').first().waitFor();
    await expectFitsAndReads('signup-errors');
    expect(problems).toEqual([]);
  });
});
