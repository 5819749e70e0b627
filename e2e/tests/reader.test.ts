import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { dovecotAvailable, startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { generateSelfSignedCert } from '@popgate/pop3-server';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath } from '../support/browser';
import { TINY_PDF } from '../support/mail-corpus';
import { pageApi } from '../support/page-api';
import { startPopgate, type Popgate } from '../support/popgate';

const EMAIL = 'reader@example.com';
const PASSWORD = 'correct horse battery';
const MAILBOX_USER = 'user';
const MAILBOX_PASSWORD = 'secret';
const CRLF = '\r\n';

/** The list's server: takes the one-click unsubscribe (RFC 8058) over HTTPS. */
async function startListServer() {
  const cert = await generateSelfSignedCert();
  const posts: Array<{ url: string; type: string; body: string }> = [];
  const server = https.createServer({ key: cert.key, cert: cert.cert }, (request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.method === 'POST')
        posts.push({ url: request.url!, type: request.headers['content-type'] ?? '', body });
      response.writeHead(200).end('Unsubscribed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-list-ca-')), 'ca.pem');
  fs.writeFileSync(caFile, cert.cert);
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caFile,
    posts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const date = (minutesAgo: number) =>
  new Date(Date.now() - minutesAgo * 60_000).toUTCString().replace('GMT', '+0000');

/** A list mail forwarding a report (message/rfc822), with a PDF, notes and an invitation. */
function forwardedReport(unsubscribeUrl: string): Buffer {
  const inner = [
    'From: Carol Finance <carol@example.com>',
    'To: Ada <ada@example.com>',
    'Subject: Quarterly report',
    `Date: ${date(600)}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="inner"',
    '',
    '--inner',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The numbers are in: north 12, south 9.',
    '--inner',
    'Content-Type: text/csv; name="q4.csv"',
    'Content-Disposition: attachment; filename="q4.csv"',
    '',
    'region,total',
    'north,12',
    '--inner--',
    '',
  ].join(CRLF);
  const invite = [
    'BEGIN:VCALENDAR',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    'SUMMARY:Budget review',
    'DTSTART:20261215T140000Z',
    'DTEND:20261215T150000Z',
    'LOCATION:Room 4',
    'ORGANIZER;CN=Carol:mailto:carol@example.com',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join(CRLF);
  return Buffer.from(
    [
      'From: Team News <news@list.example>',
      'To: user@example.com',
      'Subject: Fwd: Quarterly report',
      `Date: ${date(5)}`,
      'Message-ID: <fwd-report@list.example>',
      `List-Unsubscribe: <mailto:leave@list.example?subject=unsubscribe>, <${unsubscribeUrl}>`,
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      '--outer',
      'Content-Type: text/plain; charset=utf-8',
      '',
      ...Array.from({ length: 40 }, (_, i) => `Line ${i + 1} of the note before the forward.`),
      '--outer',
      'Content-Type: message/rfc822',
      'Content-Disposition: attachment',
      '',
      inner,
      '--outer',
      'Content-Type: application/pdf; name="Annual report 2026.pdf"',
      'Content-Disposition: attachment; filename="Annual report 2026.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      TINY_PDF.toString('base64'),
      '--outer',
      'Content-Type: text/plain; name="notes.txt"; charset=utf-8',
      'Content-Disposition: attachment; filename="notes.txt"',
      '',
      'Remember: <b>this is text</b>, not markup.',
      '--outer',
      'Content-Type: text/calendar; method=REQUEST; name="invite.ics"',
      'Content-Disposition: attachment; filename="invite.ics"',
      '',
      invite,
      '--outer--',
      '',
    ].join(CRLF),
  );
}

/** A Russian message in KOI8-R, 8bit: "Привет из Москвы". */
function koi8Message(): Buffer {
  const head = [
    'From: Ivan <ivan@example.ru>',
    'To: user@example.com',
    'Subject: =?KOI8-R?B?8NLJ18XUIMnaIO3P08vX2Q==?=',
    `Date: ${date(30)}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="KOI8-R"',
    'Content-Transfer-Encoding: 8bit',
    '',
    '',
  ].join(CRLF);
  const body = Buffer.from([
    0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4, 0x20, 0xc9, 0xda, 0x20, 0xed, 0xcf, 0xd3, 0xcb, 0xd7, 0xd9,
  ]);
  return Buffer.concat([Buffer.from(head), body, Buffer.from(CRLF)]);
}

function plain(subject: string, minutesAgo: number): Buffer {
  return Buffer.from(
    [
      'From: Shop <offers@shop.example>',
      'To: user@example.com',
      `Subject: ${subject}`,
      `Date: ${date(minutesAgo)}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Ten percent off.',
      '',
    ].join(CRLF),
  );
}

/** The Chromium PDF viewer's title (its own frame, inside the preview's). */
async function pdfViewerTitle(page: Page): Promise<string | null> {
  const viewer = page
    .frames()
    .find((frame: Frame) => frame.url().startsWith('chrome-extension://'));
  if (!viewer) return null;
  return viewer.evaluate(() => document.title).catch(() => null);
}

describe.skipIf(!dovecotAvailable())('the reader in Chromium, against Dovecot', () => {
  let popgate: Popgate;
  let dovecot: Dovecot;
  let list: Awaited<ReturnType<typeof startListServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const pageErrors: string[] = [];
  let accountId: string;

  beforeAll(async () => {
    list = await startListServer();
    [popgate, dovecot, browser] = await Promise.all([
      startPopgate({ POPGATE_ALLOW_PRIVATE_NETWORKS: 'true', NODE_EXTRA_CA_CERTS: list.caFile }),
      startDovecot({ users: [{ username: MAILBOX_USER, password: MAILBOX_PASSWORD }] }),
      launchBrowser(),
    ]);
    await dovecot.deliver(MAILBOX_USER, plain('Old offer', 120));
    await dovecot.deliver(MAILBOX_USER, koi8Message());
    await dovecot.deliver(MAILBOX_USER, forwardedReport(`${list.url}/unsubscribe/42`));
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([popgate?.stop(), dovecot?.stop(), list?.close()]);
  });

  const row = (subject: string) => page.locator('.message-list li', { hasText: subject });
  const reader = () => page.getByTestId('message-view');

  it('signs up, links the Dovecot mailbox and downloads its three messages', async () => {
    // Signing up in the form is the webmail file's; here the page signs up through the API.
    await page.goto(`${popgate.url}/signin`);
    const signUp = await pageApi(page, 'POST', '/api/auth/signup', {
      email: EMAIL,
      password: PASSWORD,
    });
    expect(signUp.status).toBe(201);
    // This file reads messages one by one (the choice is remembered on the device).
    await page.evaluate(() => localStorage.setItem('popgate.conversations', 'off'));
    expect((await pageApi(page, 'PATCH', '/api/admin/policy', { allowedPorts: [] })).status).toBe(
      200,
    );
    const created = await pageApi(page, 'POST', '/api/accounts', {
      label: 'Dovecot',
      host: '127.0.0.1',
      port: dovecot.tlsPort,
      security: 'tls',
      username: MAILBOX_USER,
      password: MAILBOX_PASSWORD,
      auth: 'auto',
      tls: { caPem: dovecot.caPem },
    });
    expect(created.status).toBe(201);
    accountId = (created.body as { id: string }).id;
    await expect
      .poll(
        async () =>
          ((await pageApi(page, 'GET', '/api/messages')).body as { items: unknown[] }).items.length,
        { timeout: 60_000 },
      )
      .toBe(3);
    await page.goto(`${popgate.url}/mail/inbox`);
    await row('Fwd: Quarterly report').waitFor();
  });

  it('shows a forwarded message inline, with its attachments and its .eml', async () => {
    await row('Fwd: Quarterly report').click();
    const forwarded = reader().getByTestId('forwarded-message');
    await expect
      .poll(() => forwarded.textContent(), { timeout: 20_000 })
      .toContain('The numbers are in');
    const text = (await forwarded.textContent())!;
    expect(text).toContain('Quarterly report');
    expect(text).toContain('Carol Finance');
    expect(text).toContain('q4.csv');
    expect(await forwarded.getByTestId('forwarded-eml').getAttribute('download')).toBe(
      'Quarterly report.eml',
    );
    // Not listed again as an anonymous attachment: the PDF, the notes and the invitation only.
    await expect
      .poll(() => reader().locator('.message-view__attachments').textContent())
      .toContain('3 attachments');
    await page.screenshot({ path: screenshotPath('reader-forwarded') });
  });

  it('previews a PDF titled with its file name, text as text, and an invitation’s what/when/where', async () => {
    await reader().getByRole('button', { name: 'Preview Annual report 2026.pdf' }).click();
    const dialog = page.getByRole('dialog');
    await expect
      .poll(() => dialog.locator('iframe').getAttribute('src'))
      .toMatch(/\/attachments\/[0-9a-f-]+\?inline=1$/);
    await expect
      .poll(() => pdfViewerTitle(page), { timeout: 20_000 })
      .toBe('Annual report 2026.pdf');
    await page.screenshot({ path: screenshotPath('reader-pdf-preview') });
    await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();

    await reader().getByRole('button', { name: 'Preview notes.txt' }).click();
    await expect
      .poll(() => page.getByTestId('text-preview').textContent())
      .toBe('Remember: <b>this is text</b>, not markup.');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Close', exact: true })
      .last()
      .click();

    await reader().getByRole('button', { name: 'Preview invite.ics' }).click();
    const event = page.getByTestId('calendar-preview');
    await expect.poll(() => event.textContent()).toContain('Budget review');
    expect(await event.textContent()).toContain('Room 4');
    expect(await event.textContent()).toContain('2026');
    await page.screenshot({ path: screenshotPath('reader-invitation') });
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Close', exact: true })
      .last()
      .click();
  });

  it('unsubscribes in one click after asking: the server POSTs to the list', async () => {
    await reader().getByTestId('unsubscribe').click();
    const dialog = page.getByRole('dialog');
    await expect
      .poll(() => dialog.getByTestId('unsubscribe-how').textContent())
      .toContain('Popgate will ask 127.0.0.1 to stop sending you this mail');
    expect(list.posts).toEqual([]);
    await page.screenshot({ path: screenshotPath('reader-unsubscribe') });
    await dialog.getByTestId('confirm').click();
    await expect.poll(() => list.posts.length).toBe(1);
    expect(list.posts[0]).toEqual({
      url: '/unsubscribe/42',
      type: 'application/x-www-form-urlencoded',
      body: 'List-Unsubscribe=One-Click',
    });
    await expect
      .poll(() => page.locator('.toast').last().textContent())
      .toContain('Unsubscribe request sent to 127.0.0.1');
  });

  it('prints the message alone', async () => {
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation', { name: 'Mailboxes' }).isVisible()).toBe(false);
    expect(await reader().getByRole('toolbar').isVisible()).toBe(false);
    expect(await page.locator('#message-subject').isVisible()).toBe(true);
    // Nothing is cut off: no box scrolls, the whole text is laid out above the attachments.
    expect(
      await reader().evaluate((view) =>
        [view, view.querySelector('.message-view__body')!].map(
          (element) => element.scrollHeight <= element.clientHeight + 1,
        ),
      ),
    ).toEqual([true, true]);
    expect(await reader().getByRole('button', { name: 'Unsubscribe' }).isVisible()).toBe(false);
    expect(await reader().evaluate((element) => getComputedStyle(element).backgroundColor)).toBe(
      'rgb(255, 255, 255)',
    );
    await page.screenshot({ path: screenshotPath('reader-print') });
    // Printed for real: the 40 lines, the forward and the attachments run onto a second page.
    const printed = await page.pdf({ format: 'A4' });
    expect(printed.toString('latin1').match(/\/Type\s*\/Page[^s]/g)!.length).toBeGreaterThan(1);
    await page.emulateMedia({ media: 'screen' });
  });

  it('shows the source of a KOI8-R message in its charset', async () => {
    await row('Привет из Москвы').click();
    await expect.poll(() => page.locator('#message-subject').textContent()).toContain('Привет');
    await reader().getByRole('button', { name: 'View source' }).click();
    const source = page.getByTestId('raw-source');
    await expect.poll(() => source.textContent()).toContain('Привет из Москвы');
    expect(await source.textContent()).not.toContain('\ufffd');
    expect(await page.getByTestId('source-charset').textContent()).toContain('KOI8-R');
    await page.screenshot({ path: screenshotPath('reader-source-koi8r') });
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Close', exact: true })
      .last()
      .click();
  });

  it('at phone width, scrolls the message and its attachments as one, in light and dark', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${popgate.url}/mail/inbox`);
    await row('Fwd: Quarterly report').click();
    await reader().getByTestId('forwarded-message').waitFor();
    await reader().locator('.message-view__attachments').waitFor();
    const scrolling = await reader().evaluate((view) => {
      const scrolls = (element: Element | null) =>
        !!element &&
        element.scrollHeight > element.clientHeight + 1 &&
        ['auto', 'scroll'].includes(getComputedStyle(element).overflowY);
      return {
        view: scrolls(view),
        body: scrolls(view.querySelector('.message-view__body')),
        attachments: scrolls(view.querySelector('.message-view__attachments')),
      };
    });
    expect(scrolling).toEqual({ view: true, body: false, attachments: false });
    await page.screenshot({ path: screenshotPath('reader-phone') });
    await reader().evaluate((view) => (view.scrollTop = view.scrollHeight));
    await page.screenshot({ path: screenshotPath('reader-phone-attachments') });

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await reader().getByTestId('forwarded-message').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.screenshot({ path: screenshotPath('reader-phone-dark') });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: screenshotPath('reader-dark') });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('empties the Trash after showing the count; a copy the account leaves on the server never comes back', async () => {
    const list = async () =>
      (
        (await pageApi(page, 'GET', '/api/messages')).body as {
          items: Array<{ id: string; subject: string }>;
        }
      ).items;
    const old = (await list()).find((m) => m.subject === 'Old offer')!;
    expect((await pageApi(page, 'DELETE', `/api/messages/${old.id}`)).status).toBe(200);
    await page.goto(`${popgate.url}/mail/inbox`);
    await page.getByRole('link', { name: 'Trash' }).click();
    await row('Old offer').waitFor();
    await page.getByTestId('empty-trash').click();
    const dialog = page.getByRole('dialog');
    await expect
      .poll(() => dialog.textContent())
      .toContain('1 message will be deleted permanently from Popgate.');
    // The account leaves mail on the server (the default).
    expect(await dialog.textContent()).toContain(
      'Its copy stays on the mail server (the account leaves mail there); Popgate will not download it again.',
    );
    await page.screenshot({ path: screenshotPath('reader-empty-trash') });
    await dialog.getByTestId('confirm').click();
    await expect.poll(() => row('Old offer').count()).toBe(0);
    await expect
      .poll(() => page.locator('.toast').last().textContent())
      .toContain('Message deleted permanently.');

    // A check now: the server still has it, and it is not downloaded again.
    const before = (await pageApi(page, 'GET', `/api/accounts/${accountId}`)).body as {
      lastSyncAt: string;
    };
    expect((await pageApi(page, 'POST', `/api/accounts/${accountId}/sync`)).status).toBeLessThan(
      300,
    );
    await expect
      .poll(
        async () =>
          (
            (await pageApi(page, 'GET', `/api/accounts/${accountId}`)).body as {
              lastSyncAt: string;
            }
          ).lastSyncAt,
        { timeout: 60_000 },
      )
      .not.toBe(before.lastSyncAt);
    expect((await dovecot.messageFiles(MAILBOX_USER)).length).toBe(3);
    expect((await list()).map((m) => m.subject)).not.toContain('Old offer');
    expect(pageErrors).toEqual([]);
  });
});
