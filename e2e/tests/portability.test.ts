import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath } from '../support/browser';
import { pageApi } from '../support/page-api';
import { startPopgate, type Popgate } from '../support/popgate';

const EMAIL = 'porter@example.com';
const PASSWORD = 'correct horse battery';

const message = (n: number, body: string) =>
  [
    `From: Sender ${n} <sender${n}@example.test>`,
    'To: porter@example.com',
    `Subject: Brought along ${n}`,
    `Date: Mon, 02 Nov 2026 08:0${n}:00 +0000`,
    `Message-ID: <along${n}@example.test>`,
    '',
    body,
    '',
  ].join('\r\n');

/** Two good messages and, at the end, one cut off mid-line. */
const MBOX = [
  'From sender1@example.test Mon Nov  2 08:01:00 2026',
  message(1, 'First.\r\n>From a quoted line'),
  'From sender2@example.test Mon Nov  2 08:02:00 2026',
  message(2, 'Second.'),
  'From sender3@example.test Mon Nov  2 08:03:00 2026',
  'From: Sender 3 <sender3@example.test>\r\nSubject: cut',
].join('\n');

describe('Settings: export, import and leaving; the admin deleting a user', () => {
  let popgate: Popgate;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    [popgate, browser] = await Promise.all([startPopgate(), launchBrowser()]);
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${popgate.url}/signin`);
    // The first user is the admin, who cannot leave while the only one: a user of its own here.
    await pageApi(page, 'POST', '/api/auth/signup', {
      email: 'admin@example.com',
      password: PASSWORD,
    });
    const created = await pageApi(page, 'POST', '/api/admin/users', {
      email: EMAIL,
      password: PASSWORD,
    });
    expect(created.status).toBe(201);
    await pageApi(page, 'POST', '/api/auth/logout');
    expect(
      (await pageApi(page, 'POST', '/api/auth/login', { email: EMAIL, password: PASSWORD })).status,
    ).toBe(200);
    await page.goto(`${popgate.url}/settings`);
  });
  afterAll(async () => {
    await browser?.close();
    await popgate?.stop();
  });

  it('imports an mbox into the "Imported" source and shows what could not be read', async () => {
    await page.locator('#import-file').setInputFiles({
      name: 'old-mail.mbox',
      mimeType: 'application/mbox',
      buffer: Buffer.from(MBOX),
    });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const summary = page.getByTestId('import-summary');
    await expect
      .poll(async () => (await summary.textContent())?.replace(/\s+/g, ' '), { timeout: 30_000 })
      .toContain('Done. 2 imported, 0 already here, 1 could not be read.');
    expect(await summary.textContent()).toContain('cut off');
    await summary.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('settings-import'), fullPage: true });
    const list = await pageApi(page, 'GET', '/api/messages?folder=inbox');
    expect(
      (list.body as { items: Array<{ subject: string }> }).items.map((m) => m.subject).sort(),
    ).toEqual(['Brought along 1', 'Brought along 2']);
  });

  it('exports as mbox from the link the form builds (a search narrows it)', async () => {
    await page.getByLabel('Only messages matching (optional)').fill('subject:"Brought along 1"');
    const href = await page.getByTestId('export-download').getAttribute('href');
    expect(href).toContain('/api/export?format=mbox');
    const exported = await pageApi(page, 'GET', href!);
    expect(exported.status).toBe(200);
    const text = exported.body as string;
    expect(text.match(/^From /gm)).toHaveLength(1);
    // Read back unquoted (mboxrd), written quoted again.
    expect(text).toContain('\n>From a quoted line');
    await page.getByRole('radio', { name: 'zip of .eml files' }).check();
    expect(await page.getByTestId('export-download').getAttribute('href')).toContain('format=zip');
    // A prepared file, for large mailboxes: its download resumes with a Range request.
    await page.getByRole('button', { name: 'Prepare a file (large mailboxes)' }).click();
    const ready = page.getByTestId('export-prepared');
    await expect
      .poll(async () => await ready.textContent(), { timeout: 30_000 })
      .toContain('Ready');
    const file = await ready.getByRole('link', { name: 'Download' }).getAttribute('href');
    const resumed = await page.evaluate(async (url) => {
      const response = await fetch(url, { headers: { range: 'bytes=2-' } });
      return { status: response.status, head: new Uint8Array(await response.arrayBuffer())[0] };
    }, file!);
    // The zip from its third byte: "PK" skipped, the local header's version follows (3, 4).
    expect(resumed).toEqual({ status: 206, head: 3 });
    await page.getByRole('heading', { name: 'Export your mail' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('settings-export') });
  });

  it('deletes the account only with the password and the acknowledgement, then signs out', async () => {
    const button = page.getByRole('button', { name: 'Delete my account' });
    await page.getByLabel('Your password').fill('not my password');
    expect(await button.isDisabled()).toBe(true);
    await page.getByText('I understand that this cannot be undone.').click();
    await button.click();
    await page.getByText('The password is wrong; nothing was deleted.').waitFor();
    await page.screenshot({ path: screenshotPath('settings-delete-account') });
    await page.getByLabel('Your password').fill(PASSWORD);
    await button.click();
    await page.waitForURL(/\/signin/);
    expect((await pageApi(page, 'GET', '/api/auth/me')).status).toBe(401);
    const signIn = await pageApi(page, 'POST', '/api/auth/login', {
      email: EMAIL,
      password: PASSWORD,
    });
    expect(signIn.status).toBe(401);
    expect(problems).toEqual([]);
  });

  it('lets the admin delete a user from the users page, after a confirmation', async () => {
    expect(
      (
        await pageApi(page, 'POST', '/api/auth/login', {
          email: 'admin@example.com',
          password: PASSWORD,
        })
      ).status,
    ).toBe(200);
    await pageApi(page, 'POST', '/api/admin/users', {
      email: 'leaving@example.com',
      password: PASSWORD,
    });
    await page.goto(`${popgate.url}/admin/users`);
    await page.getByRole('button', { name: 'Delete: leaving@example.com' }).click();
    await page.getByRole('button', { name: 'Delete user' }).click();
    await page.getByText('leaving@example.com was deleted.').waitFor();
    await page.screenshot({ path: screenshotPath('admin-user-deleted') });
    const list = await pageApi(page, 'GET', '/api/admin/users');
    expect((list.body as { items: Array<{ email: string }> }).items.map((u) => u.email)).toEqual([
      'admin@example.com',
    ]);
    expect(await page.getByRole('button', { name: 'Delete: admin@example.com' }).isDisabled()).toBe(
      true,
    );
    expect(problems).toEqual([]);
  });
});
