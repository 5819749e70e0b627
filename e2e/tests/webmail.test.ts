import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dovecotAvailable, startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations } from '../support/accessibility';
import { launchBrowser, screenshotPath } from '../support/browser';
import {
  htmlMessage,
  messageWithImageAttachment,
  PIXEL_PNG,
  plainMessage,
} from '../support/mail-corpus';
import { pageApi } from '../support/page-api';
import { startPopgate, type Popgate } from '../support/popgate';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const MAILBOX_USER = 'user';
const MAILBOX_PASSWORD = 'secret';
/** Enough for more than one page of the list (100 rows a page). */
const FILLER = 120;

/** Counts the requests for the "remote" image of the newsletter. */
async function startImageServer() {
  let hits = 0;
  const server = http.createServer((_request, response) => {
    hits++;
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': PIXEL_PNG.length });
    response.end(PIXEL_PNG);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/pixel.png`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A request from the signed-in page; its HTTP status. */
const api = async (page: Page, method: string, path: string, body?: unknown) =>
  (await pageApi(page, method, path, body)).status;

describe.skipIf(!dovecotAvailable())('Popgate in Chromium, against Dovecot', () => {
  let popgate: Popgate;
  let dovecot: Dovecot;
  let images: Awaited<ReturnType<typeof startImageServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];

  beforeAll(async () => {
    [popgate, dovecot, images, browser] = await Promise.all([
      startPopgate({ POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' }),
      startDovecot({ users: [{ username: MAILBOX_USER, password: MAILBOX_PASSWORD }] }),
      startImageServer(),
      launchBrowser(),
    ]);
    for (let i = 0; i < FILLER; i++) {
      const zebra = i % 40 === 0;
      await dovecot.deliver(
        MAILBOX_USER,
        plainMessage({
          subject: zebra ? `Zebra crossing report ${i}` : `Weekly update ${i}`,
          body: `Message number ${i}.\nSee https://example.com/updates/${i} for more.`,
          minutesAgo: 120 + i,
        }).raw,
      );
    }
    await dovecot.deliver(
      MAILBOX_USER,
      messageWithImageAttachment({ subject: 'Chart for the board', minutesAgo: 10 }).raw,
    );
    await dovecot.deliver(
      MAILBOX_USER,
      htmlMessage({ subject: 'Quarterly newsletter', imageUrl: images.url, minutesAgo: 2 }).raw,
    );
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
        cspViolations.push(message.text());
      }
    });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([popgate?.stop(), dovecot?.stop(), images?.close()]);
  });

  const total = FILLER + 2;
  const rows = () => page.locator('.message-list li');
  const row = (subject: string) => page.locator('.message-list li', { hasText: subject });

  it('sends a first visit to sign in, and signs up the first user', async () => {
    await page.goto(popgate.url);
    await page.waitForURL(/\/signin/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
    await page.screenshot({ path: screenshotPath('sign-in') });
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Create the first account' }).click();
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/accounts$/);
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Mail accounts');
    // The first user is the admin; Dovecot listens on a random port, which the default policy
    // (ports 110 and 995) refuses.
    expect(await api(page, 'PATCH', '/api/admin/policy', { allowedPorts: [] })).toBe(200);
  });

  it('adds the Dovecot account: the test explains the untrusted certificate, which the user pins', async () => {
    await page.getByRole('link', { name: 'Add account' }).click();
    await page.getByRole('heading', { name: 'Add a POP3 account' }).waitFor();
    await page.getByLabel('Name in Popgate').fill('Dovecot');
    await page.getByLabel('Server (incoming, POP3)').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(dovecot.tlsPort));
    await page.getByLabel('User name').fill(MAILBOX_USER);
    await page.getByLabel('Password', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('test-result');
    await expect
      .poll(() => result.textContent(), { timeout: 20_000 })
      .toContain('certificate is not trusted');
    const fingerprint = (await page.getByTestId('fingerprint').textContent())!
      .replace(/:/g, '')
      .toLowerCase();
    expect(fingerprint).toBe(dovecot.certSha256);
    await page.screenshot({ path: screenshotPath('account-test-untrusted'), fullPage: true });

    await page.getByRole('button', { name: 'Trust this certificate' }).click();
    await expect
      .poll(() => result.textContent(), { timeout: 20_000 })
      .toContain('rejected the user name or password');
    await page.getByRole('button', { name: 'Update the password' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('account-password');
    await page.getByLabel('Password', { exact: true }).fill(MAILBOX_PASSWORD);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => result.textContent(), { timeout: 20_000 })
      .toContain('Connected and signed in');
    await page.screenshot({ path: screenshotPath('account-form'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);

    // Record the progress bar of the first sync, however briefly it shows.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid="sync-progress"]');
        if (bar) seen.push(bar.textContent ?? '');
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.waitForURL(/\/accounts$/, { waitUntil: 'commit' });
  });

  it('shows the first sync’s progress, then the account up to date', async () => {
    const card = page.getByTestId('account-card');
    await expect
      .poll(() => card.getByTestId('account-status').textContent(), { timeout: 60_000 })
      .toContain('Up to date');
    const progress = await page.evaluate(
      () => (window as unknown as { progressSeen: string[] }).progressSeen,
    );
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatch(/of 122 messages/);
    await expect.poll(() => card.textContent()).toContain(`${total} (${total} unread)`);
    await card.getByText('Server information').click();
    await expect.poll(() => card.textContent()).toContain('Dovecot');
    await page.screenshot({ path: screenshotPath('accounts'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('lists the mail newest first, pages as it scrolls, and counts unread mail in the title', async () => {
    await page.getByRole('link', { name: /^Inbox/ }).click();
    await page.waitForURL(/\/mail\/inbox/);
    // Conversations are on at first: one row per thread. This file reads messages one by one;
    // the choice is remembered on the device.
    await page.getByTestId('conversation-row').first().waitFor();
    await page.getByTestId('conversations-toggle').uncheck();
    await expect.poll(() => rows().first().textContent()).toContain('Quarterly newsletter');
    await expect.poll(() => page.title()).toBe(`(${total}) Inbox – Popgate`);
    const scroller = page.locator('.message-list .virtual-list');
    await scroller.evaluate((element) => (element.scrollTop = element.scrollHeight));
    await expect
      .poll(() => page.locator('.message-list li').last().getAttribute('aria-setsize'), {
        timeout: 10_000,
      })
      .toBe(String(total));
    await scroller.evaluate((element) => (element.scrollTop = 0));
    await page.screenshot({ path: screenshotPath('inbox') });
  });

  it('shows HTML mail in a sandbox: no script runs, the remote image waits until allowed', async () => {
    await row('Quarterly newsletter').getByRole('link').click();
    await expect
      .poll(() => page.locator('#message-subject').textContent())
      .toContain('Quarterly newsletter');
    const frameElement = page.getByTestId('mail-frame');
    const sandbox = await frameElement.getAttribute('sandbox');
    expect(sandbox).not.toContain('allow-scripts');
    expect(sandbox).not.toContain('allow-same-origin');
    const frame = page.frameLocator('[data-testid="mail-frame"]');
    await expect.poll(() => frame.locator('h1').textContent()).toBe('Quarterly newsletter');
    expect(await frame.locator('body').getAttribute('data-script-ran')).toBeNull();
    expect(await frame.locator('body').getAttribute('data-onerror-ran')).toBeNull();
    expect(await page.title()).not.toBe('pwned');
    expect(await page.getByTestId('images-blocked').isVisible()).toBe(true);
    expect(images.hits()).toBe(0);
    // Opening marked it read.
    await expect.poll(() => page.title()).toBe(`(${total - 1}) Inbox – Popgate`);
    await page.screenshot({ path: screenshotPath('message-html-images-blocked') });

    await page.getByRole('button', { name: 'Show images', exact: true }).click();
    await expect.poll(() => images.hits(), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect
      .poll(() =>
        frame
          .locator('img[alt="Remote picture"]')
          .evaluate((image: HTMLImageElement) => image.naturalWidth),
      )
      .toBe(1);
    expect(await frame.locator('img[alt="Remote picture"]').getAttribute('src')).toMatch(
      /^data:image\/png/,
    );
    await page.screenshot({ path: screenshotPath('message-html') });
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('shows plain text with safe links, an attachment to preview, and the source', async () => {
    await row('Chart for the board').getByRole('link').click();
    await expect
      .poll(() => page.getByTestId('plain-text').textContent())
      .toContain('The chart is attached');
    const link = page.getByTestId('plain-text').getByRole('link');
    expect(await link.getAttribute('href')).toBe('https://example.com/charts?id=7');
    expect(await page.getByTestId('plain-text').locator('b').count()).toBe(0);
    await page.getByRole('button', { name: 'Preview chart.png' }).click();
    const preview = page.getByRole('dialog', { name: 'chart.png' });
    await expect
      .poll(() =>
        preview
          .getByRole('img', { name: 'chart.png' })
          .evaluate((image: HTMLImageElement) => image.naturalWidth),
      )
      .toBe(1);
    await preview.getByRole('button', { name: 'Close' }).first().click();
    await page.getByRole('button', { name: 'Preview minutes.pdf' }).click();
    const pdf = page.getByRole('dialog', { name: 'minutes.pdf' });
    // Served inline by Popgate itself, so the browser's viewer is titled with the file name.
    await expect
      .poll(() => pdf.locator('iframe').getAttribute('src'))
      .toMatch(/^\/api\/messages\/.+\/attachments\/.+\?inline=1$/);
    await pdf.getByRole('button', { name: 'Close' }).first().click();
    expect(
      await page.getByRole('link', { name: 'Download minutes.pdf' }).getAttribute('href'),
    ).toMatch(/^\/api\/messages\/.+\/attachments\//);
    await page.getByRole('button', { name: 'View source' }).click();
    await expect
      .poll(() => page.getByTestId('raw-source').textContent())
      .toContain('Subject: Chart for the board');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('raw-source').count()).toBe(0);
  });

  it('searches as the user types and marks the words found', async () => {
    await page.getByRole('combobox', { name: 'Search mail' }).fill('zebra');
    await page.waitForURL(/q=zebra/);
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(3);
    const marks = await page.locator('.message-list mark').allTextContents();
    expect(marks.length).toBeGreaterThan(0);
    expect(marks.every((mark) => mark.toLowerCase() === 'zebra')).toBe(true);
    await page.screenshot({ path: screenshotPath('search') });
    // Opened from a search, a message marks the words the server found it by: "numbers" finds
    // and marks "number" in the body, as the search itself does.
    await page.getByRole('combobox', { name: 'Search mail' }).fill('zebra numbers');
    await page.waitForURL(/q=zebra(\+|%20)numbers/);
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(3);
    await rows().first().click();
    await expect
      .poll(() => page.getByTestId('message-view').locator('mark').allTextContents())
      .toEqual(['number']);
    await page.goBack();
    await page.getByRole('button', { name: 'Clear search' }).click();
    await expect
      .poll(() => rows().first().textContent(), { timeout: 10_000 })
      .toContain('Quarterly newsletter');
  });

  it('moves a message to the trash with the keyboard and restores it', async () => {
    await page.goto(`${popgate.url}/mail/inbox`);
    await expect.poll(() => rows().first().textContent()).toContain('Quarterly newsletter');
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.closest('li')?.textContent))
      .toContain('Chart for the board');
    await page.keyboard.press('#');
    await expect.poll(() => row('Chart for the board').count()).toBe(0);
    await expect
      .poll(() => page.getByTestId('toast').first().textContent())
      .toContain('moved to Trash');

    await page.getByRole('link', { name: 'Trash' }).click();
    await expect.poll(() => row('Chart for the board').count()).toBe(1);
    await row('Chart for the board').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Restore to the inbox' }).click();
    await expect.poll(() => row('Chart for the board').count()).toBe(0);
    await page.keyboard.press('g');
    await page.keyboard.press('i');
    await page.waitForURL(/\/mail\/inbox/);
    await expect.poll(() => row('Chart for the board').count()).toBe(1);
  });

  it('shows new mail delivered to Dovecot without a reload', async () => {
    let reloaded = false;
    page.once('load', () => (reloaded = true));
    await dovecot.deliver(
      MAILBOX_USER,
      plainMessage({ subject: 'Fresh off the press', body: 'Just arrived.', minutesAgo: 0 }).raw,
    );
    // "Check now", as another tab or the accounts page would ask.
    const accountId = await page.evaluate(
      async () => (await (await fetch('/api/accounts')).json())[0].id,
    );
    expect(await api(page, 'POST', `/api/accounts/${accountId}/sync`)).toBe(202);
    await expect
      .poll(() => rows().first().textContent(), { timeout: 30_000 })
      .toContain('Fresh off the press');
    await expect
      .poll(() => page.getByTestId('toast').allTextContents())
      .toContainEqual(expect.stringContaining('Fresh off the press'));
    expect(reloaded).toBe(false);
    await page.screenshot({ path: screenshotPath('new-mail') });
  });

  it('reads opened messages offline, says so, and catches up on what arrived meanwhile', async () => {
    // The service worker has the app shell by now.
    await expect
      .poll(() =>
        page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.active),
      )
      .toBe(true);
    await browser.context.setOffline(true);
    await page.reload();
    await page.getByText('You are offline.').waitFor();
    await page.getByText('Offline: this is the list as this device last saw it.').waitFor();
    await expect.poll(() => row('Quarterly newsletter').count()).toBe(1);
    await row('Quarterly newsletter').getByRole('link').click();
    const frame = page.frameLocator('[data-testid="mail-frame"]');
    await expect.poll(() => frame.locator('h1').textContent()).toBe('Quarterly newsletter');
    expect(await frame.locator('img[alt="Remote picture"]').getAttribute('src')).toMatch(
      /^data:image\/png/,
    );
    await page.screenshot({ path: screenshotPath('offline-message') });
    await row('Weekly update 117').getByRole('link').click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain('never opened on this device');

    // Mail arrives while this browser is away; the server keeps it as events to replay.
    await dovecot.deliver(
      MAILBOX_USER,
      plainMessage({ subject: 'Sent while you were away', body: 'Caught up.', minutesAgo: 0 }).raw,
    );
    const cookies = await browser.context.cookies(popgate.url);
    const cookie = cookies.map(({ name, value }) => `${name}=${value}`).join('; ');
    // The CSRF token belongs to this browser's session: ask for it with the browser's cookies.
    const { token: csrf } = (await (
      await fetch(`${popgate.url}/api/auth/csrf`, { headers: { cookie } })
    ).json()) as { token: string };
    const accounts = (await (
      await fetch(`${popgate.url}/api/accounts`, { headers: { cookie } })
    ).json()) as { id: string }[];
    const sync = await fetch(`${popgate.url}/api/accounts/${accounts[0]!.id}/sync`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(sync.status).toBe(202);

    await browser.context.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect
      .poll(() => page.getByTestId('plain-text').textContent(), { timeout: 15_000 })
      .toContain('Message number 117');
    await expect
      .poll(() => rows().first().textContent(), { timeout: 30_000 })
      .toContain('Sent while you were away');
    await expect.poll(() => page.getByText('You are offline.').count()).toBe(0);
  });

  it('fits a phone: the list, then one message with a way back', async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${popgate.url}/mail/inbox`);
    const phoneRows = phone.locator('.message-list li');
    await expect.poll(() => phoneRows.first().textContent()).toContain('Sent while you were away');
    expect(await phone.getByTestId('message-view').isVisible()).toBe(false);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: screenshotPath('phone-list') });
    expect(await accessibilityViolations(phone)).toEqual([]);
    await phone.getByRole('button', { name: 'Mailboxes' }).click();
    await expect
      .poll(() => phone.getByRole('navigation', { name: 'Mailboxes' }).isVisible())
      .toBe(true);
    await phone.screenshot({ path: screenshotPath('phone-menu') });
    expect(await phone.evaluate(() => document.activeElement?.textContent)).toContain('Inbox');
    await phone.keyboard.press('Escape');
    await expect
      .poll(() => phone.getByRole('navigation', { name: 'Mailboxes' }).isVisible())
      .toBe(false);
    await phone
      .locator('.message-list li', { hasText: 'Quarterly newsletter' })
      .getByRole('link')
      .click();
    await expect.poll(() => phone.getByTestId('message-view').isVisible()).toBe(true);
    await expect
      .poll(() => phone.locator('#message-subject').textContent())
      .toContain('Quarterly newsletter');
    expect(await phone.locator('.message-list').isVisible()).toBe(false);
    await phone.screenshot({ path: screenshotPath('phone-message') });
    await phone.getByRole('button', { name: 'Back to the list' }).click();
    await expect.poll(() => phone.locator('.message-list').isVisible()).toBe(true);
    await phone.emulateMedia({ colorScheme: 'dark' });
    await phone.screenshot({ path: screenshotPath('phone-list-dark') });
    await phone.close();
  });

  it('follows the system’s dark mode and has a switch for it', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${popgate.url}/mail/inbox`);
    await expect.poll(() => rows().count()).toBeGreaterThan(0);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background()).toBe('rgb(17, 20, 24)');
    await page.screenshot({ path: screenshotPath('inbox-dark') });
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Dark theme' }).click();
    expect(await background()).toBe('rgb(255, 255, 255)');
    await page.getByRole('button', { name: 'Dark theme' }).click();
  });

  it('signs out, leaving nothing readable behind', async () => {
    await page.keyboard.press('?');
    await expect
      .poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).isVisible())
      .toBe(true);
    await page.screenshot({ path: screenshotPath('shortcuts') });
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: /Account menu/ }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin/);
    const saved = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const open = indexedDB.open('popgate');
          open.onsuccess = () => {
            const count = open.result.transaction('messages').objectStore('messages').count();
            count.onsuccess = () => resolve(count.result);
          };
        }),
    );
    expect(saved).toBe(0);
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
