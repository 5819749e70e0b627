import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath } from '../support/browser';
import { startPopgate, type Popgate } from '../support/popgate';

describe('the web app in Chromium', () => {
  let popgate: Popgate;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    popgate = await startPopgate();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await popgate?.stop();
  });

  it('loads from the server and shows that the server is ready', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(popgate.url);
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('The server is ready.');
    expect(await page.title()).toBe('Popgate');
    await page.screenshot({ path: screenshotPath('app-shell') });
    expect(errors).toEqual([]);
  });

  it('serves the app for a client-side route on reload', async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(`${popgate.url}/mail/inbox`);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Popgate');
  });
});
