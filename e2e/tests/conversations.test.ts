import { dovecotAvailable, startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations } from '../support/accessibility';
import { launchBrowser, screenshotPath } from '../support/browser';
import { pageApi } from '../support/page-api';
import { startPopgate, type Popgate } from '../support/popgate';

const EMAIL = 'grace@example.com';
const PASSWORD = 'correct horse battery';
const MAILBOX_USER = 'user';
const MAILBOX_PASSWORD = 'secret';
/** How long the page may take to show what is expected (the machine is shared and slow). */
const SOON = { timeout: 15_000 };

const CAROL = 'Carol Jones <carol@example.net>';
const BOB = 'Bob Stone <bob@example.org>';
const DAVE = 'Dave Park <dave@example.com>';

/** A text/plain message with the threading headers a mail client writes. */
function mail(options: {
  id: string;
  from: string;
  subject: string;
  body: string;
  minutesAgo: number;
  replyTo?: string[];
}): Buffer {
  const date = new Date(Date.now() - options.minutesAgo * 60_000)
    .toUTCString()
    .replace('GMT', '+0000');
  const thread = options.replyTo ?? [];
  const lines = [
    `From: ${options.from}`,
    'To: user@example.com',
    `Subject: ${options.subject}`,
    `Date: ${date}`,
    `Message-ID: <${options.id}@e2e.test>`,
    ...(thread.length
      ? [
          `In-Reply-To: <${thread.at(-1)}@e2e.test>`,
          `References: ${thread.map((id) => `<${id}@e2e.test>`).join(' ')}`,
        ]
      : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    ...options.body.split('\n'),
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

/** In the order they reach the mailbox: three threads interleaved, and two single messages. */
const CORPUS = [
  mail({
    id: 'budget-1',
    from: CAROL,
    subject: 'Budget plan',
    body: 'Here is the budget plan for next year.\nPlease review it by Friday.',
    minutesAgo: 90,
  }),
  mail({
    id: 'picnic-1',
    from: DAVE,
    subject: 'Picnic on Sunday',
    body: 'Who brings the lemonade?',
    minutesAgo: 80,
  }),
  mail({
    id: 'report',
    from: 'Erin Fox <erin@example.com>',
    subject: 'Large quarterly report',
    body: Array.from({ length: 800 }, (_, i) => `Line ${i} of the quarterly figures.`).join('\n'),
    minutesAgo: 70,
  }),
  mail({
    id: 'budget-2',
    from: BOB,
    subject: 'Re: Budget plan',
    body: [
      'Looks fine to me.',
      '',
      'On Monday, Carol Jones <carol@example.net> wrote:',
      '> Here is the budget plan for next year.',
      '> Please review it by Friday.',
    ].join('\n'),
    minutesAgo: 60,
    replyTo: ['budget-1'],
  }),
  mail({
    id: 'picnic-2',
    from: CAROL,
    subject: 'Re: Picnic on Sunday',
    body: 'I will bring the lemonade.',
    minutesAgo: 50,
    replyTo: ['picnic-1'],
  }),
  mail({
    id: 'budget-3',
    from: CAROL,
    subject: 'Re: Budget plan',
    body: [
      'Thanks Bob, then it is approved.',
      '',
      'On Tuesday, Bob Stone <bob@example.org> wrote:',
      '> Looks fine to me.',
    ].join('\n'),
    minutesAgo: 40,
    replyTo: ['budget-1', 'budget-2'],
  }),
  mail({
    id: 'note',
    from: 'Frank Hill <frank@example.com>',
    subject: 'Tiny note',
    body: 'ok',
    minutesAgo: 30,
  }),
];

describe.skipIf(!dovecotAvailable())(
  'conversations, sorting and saved searches in Chromium',
  () => {
    let popgate: Popgate;
    let dovecot: Dovecot;
    let browser: Awaited<ReturnType<typeof launchBrowser>>;
    let page: Page;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      [popgate, dovecot, browser] = await Promise.all([
        startPopgate({ POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' }),
        startDovecot({ users: [{ username: MAILBOX_USER, password: MAILBOX_PASSWORD }] }),
        launchBrowser(),
      ]);
      for (const raw of CORPUS) await dovecot.deliver(MAILBOX_USER, raw);
      page = await browser.context.newPage();
      page.setDefaultTimeout(15_000);
      page.on('pageerror', (error) => pageErrors.push(error.message));
    });

    afterAll(async () => {
      await browser?.close();
      await Promise.all([popgate?.stop(), dovecot?.stop()]);
    });

    const conversationRows = () => page.getByTestId('conversation-row');
    const conversationRow = (text: string) =>
      page.getByTestId('conversation-row').filter({ hasText: text });
    const messageRows = () => page.locator('.message-list li');
    /** The conversation the address names, and the one the focused row shows. */
    const openInUrl = () => /\/conversation\/([^/?]+)/.exec(page.url())?.[1] ?? null;
    const focusedConversation = () =>
      page.evaluate(
        () =>
          document.activeElement?.closest<HTMLElement>('[data-conversation-id]')?.dataset
            .conversationId ?? null,
      );

    it('signs up and links the mailbox, whose seven messages arrive', async () => {
      // Signed up through the API: the sign-up form has its own browser test.
      await page.goto(`${popgate.url}/signin`);
      const signUp = await pageApi(page, 'POST', '/api/auth/signup', {
        email: EMAIL,
        password: PASSWORD,
      });
      expect(signUp.status).toBe(201);
      // Dovecot listens on a random port, which the default policy (110 and 995) refuses.
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
        tls: { pinSha256: dovecot.certSha256 },
      });
      expect(created.status).toBe(201);
      await expect
        .poll(
          async () =>
            ((await pageApi(page, 'GET', '/api/messages')).body as { items: unknown[] }).items
              .length,
          { timeout: 60_000 },
        )
        .toBe(CORPUS.length);
    });

    it('groups the mail into conversations, one row per thread', async () => {
      await page.goto(`${popgate.url}/mail/inbox`);
      await expect.poll(() => conversationRows().count(), SOON).toBe(4);
      await expect
        .poll(
          () => conversationRow('Budget plan').getByTestId('conversation-count').textContent(),
          SOON,
        )
        .toBe('3');
      expect(await conversationRow('Picnic').getByTestId('conversation-count').textContent()).toBe(
        '2',
      );
    });

    it('opens a conversation at its own address, which a reload keeps open', async () => {
      await conversationRow('Budget plan').getByRole('button').click();
      await page.waitForURL(/\/mail\/inbox\/conversation\/[^/?]+$/);
      const id = openInUrl();
      expect(id).toBeTruthy();
      const view = page.getByTestId('conversation-view');
      await expect
        .poll(() => view.locator('#conversation-subject').textContent(), SOON)
        .toContain('Budget plan');
      await page.reload();
      await expect
        .poll(() => view.locator('#conversation-subject').textContent(), SOON)
        .toContain('Budget plan');
      expect(openInUrl()).toBe(id);
      await expect
        .poll(() => page.locator('.conversation-row--active').textContent(), SOON)
        .toContain('Budget plan');
      // Back leads to the list.
      await page.goBack();
      await page.waitForURL(/\/mail\/inbox$/);
      await expect.poll(() => view.locator('#conversation-subject').count(), SOON).toBe(0);
      await page.goForward();
      await expect
        .poll(() => view.locator('#conversation-subject').textContent(), SOON)
        .toContain('Budget plan');
    });

    it('folds quoted text in the latest message, and shows it on request', async () => {
      const latest = page.getByTestId('conversation-message-body').last();
      await expect.poll(() => latest.textContent(), SOON).toContain('then it is approved');
      expect(await latest.textContent()).not.toContain('> Looks fine to me.');
      await latest.getByTestId('quoted-toggle').click();
      await expect.poll(() => latest.textContent(), SOON).toContain('Looks fine to me.');
      expect(await latest.getByTestId('quoted-toggle').getAttribute('aria-expanded')).toBe('true');
      await page.screenshot({ path: screenshotPath('conversation-open') });
      expect(await accessibilityViolations(page)).toEqual([]);
    });

    it('moves between conversations with j and k, the focus ring going along', async () => {
      const rowIds = await conversationRows().evaluateAll((rows) =>
        rows.map((row) => (row as HTMLElement).dataset.conversationId!),
      );
      const start = rowIds.indexOf(openInUrl()!);
      expect(start).toBeGreaterThanOrEqual(0);
      expect(start).toBeLessThan(rowIds.length - 1);
      // The keyboard in the list, on the open conversation's row.
      await conversationRow('Budget plan').getByRole('button').focus();
      await page.keyboard.press('j');
      await expect.poll(openInUrl, SOON).toBe(rowIds[start + 1]);
      await expect.poll(focusedConversation, SOON).toBe(rowIds[start + 1]);
      await expect
        .poll(() =>
          page.getByTestId('conversation-view').locator('#conversation-subject').textContent(),
        )
        .not.toContain('Budget plan');
      // One ring: only the row j moved to has the focus.
      expect(await page.locator('.conversation-row__button:focus').count()).toBe(1);
      await page.screenshot({ path: screenshotPath('conversation-keyboard') });
      await page.keyboard.press('k');
      await expect.poll(openInUrl, SOON).toBe(rowIds[start]);
      await expect.poll(focusedConversation, SOON).toBe(rowIds[start]);
      // x ticks the whole conversation; Escape clears the selection.
      const box = page.locator(`[data-conversation-id="${rowIds[start]}"] input[type="checkbox"]`);
      await page.keyboard.press('x');
      await expect.poll(() => box.isChecked(), SOON).toBe(true);
      await page.keyboard.press('Escape');
      await expect.poll(() => box.isChecked(), SOON).toBe(false);
      // j from one conversation to the next replaced the entry: back is the list.
      await page.goBack();
      await page.waitForURL(/\/mail\/inbox$/);
    });

    it('offers from: as the search is typed, and saves the search in the sidebar', async () => {
      const search = page.getByRole('combobox', { name: 'Search mail' });
      await search.click();
      await search.pressSequentially('fr');
      const suggestion = page.getByRole('option', { name: /from:/ });
      await suggestion.waitFor();
      await suggestion.click();
      expect(await search.inputValue()).toBe('from:');
      await search.pressSequentially('carol');
      await page.waitForURL(/q=from%3Acarol|q=from:carol/);
      // A search lists messages: Carol's three, across two conversations.
      await expect.poll(() => messageRows().count(), SOON).toBe(3);
      expect(await messageRows().allTextContents()).toEqual(
        Array(3).fill(expect.stringContaining('Carol Jones')),
      );
      // from:'s value is marked in each row's sender.
      await expect
        .poll(() => page.locator('.message-list .message-row__from mark').allTextContents(), SOON)
        .toEqual(['Carol', 'Carol', 'Carol']);

      await page.getByTestId('save-search').click();
      await page.getByLabel('Name of the saved search').fill('From Carol');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const entry = page.getByTestId('saved-search').filter({ hasText: 'From Carol' });
      await entry.waitFor();

      await page.getByRole('button', { name: 'Clear search' }).click();
      await expect.poll(() => conversationRows().count(), SOON).toBe(4);
      await entry.click();
      await page.waitForURL(/q=from%3Acarol|q=from:carol/);
      await expect.poll(() => messageRows().count(), SOON).toBe(3);
      expect(await entry.getAttribute('aria-current')).toBe('page');
      await page.screenshot({ path: screenshotPath('saved-search') });
      expect(await accessibilityViolations(page)).toEqual([]);
    });

    it('renames a saved search from the sidebar with the keyboard alone', async () => {
      const edit = page.getByRole('button', { name: 'Edit the saved search From Carol' });
      await edit.focus();
      await page.keyboard.press('Enter');
      const name = page.getByLabel('Name', { exact: true });
      await expect.poll(() => name.inputValue(), SOON).toBe('From Carol');
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath('saved-search-rename') });
      await name.fill('Carol’s mail');
      await page.keyboard.press('Enter');
      const renamed = page.getByTestId('saved-search').filter({ hasText: 'Carol’s mail' });
      await renamed.waitFor();
      expect(await page.getByTestId('saved-search').allTextContents()).toEqual(['Carol’s mail']);
      // Focus is back on the button that opened the dialog.
      expect(
        await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null),
      ).toBe('Edit the saved search Carol’s mail');
      // The name is kept on the server.
      await page.reload();
      await renamed.waitFor({ timeout: 30_000 });
    });

    it('sorts the conversations by size, largest first, in the address too', async () => {
      await page.getByRole('button', { name: 'Clear search' }).click();
      await expect.poll(() => conversationRows().count(), SOON).toBe(4);
      const subjects = () => page.locator('.conversation-row__subject').allTextContents();
      await page.getByLabel('Sort messages').selectOption('size');
      await page.waitForURL(/sort=size/);
      // Still one row per conversation: the report alone outweighs the three budget messages.
      await expect
        .poll(subjects, SOON)
        .toEqual(['Large quarterly report', 'Budget plan', 'Picnic on Sunday', 'Tiny note']);
      expect(
        await conversationRow('Budget plan').getByTestId('conversation-count').textContent(),
      ).toBe('3');
      await page.screenshot({ path: screenshotPath('sort-by-size') });
      await page.reload();
      await expect
        .poll(() => conversationRows().first().textContent(), { timeout: 30_000 })
        .toContain('Large quarterly report');
      expect(await page.getByLabel('Sort messages').inputValue()).toBe('size');
      // By the sender of each conversation's latest message: Carol (twice), Erin, Frank.
      await page.getByLabel('Sort messages').selectOption('sender');
      await page.waitForURL(/sort=sender/);
      await expect
        .poll(async () => (await subjects()).slice(2), SOON)
        .toEqual(['Large quarterly report', 'Tiny note']);
      await page.getByLabel('Sort messages').selectOption('arrival');
      await expect.poll(() => page.url(), SOON).not.toContain('sort=');
      await expect.poll(() => conversationRows().count(), SOON).toBe(4);
    });

    it('reads messages one by one with j, the focus moving along with the open message', async () => {
      await page.getByTestId('conversations-toggle').uncheck();
      await expect.poll(() => messageRows().count(), SOON).toBe(CORPUS.length);
      const link = (index: number) => messageRows().nth(index).getByRole('link');
      await link(1).click();
      await page.waitForURL(/\/mail\/inbox\/[^/?]+$/);
      const opened = () => new URL(page.url()).pathname.split('/').pop();
      const first = opened();
      await link(1).focus();
      await page.keyboard.press('j');
      await expect.poll(opened, SOON).not.toBe(first);
      const focusedMessage = () =>
        page.evaluate(
          () =>
            document.activeElement?.closest<HTMLElement>('[data-message-id]')?.dataset.messageId,
        );
      await expect.poll(focusedMessage, SOON).toBe(opened());
      expect(await page.locator('.message-row__open:focus').count()).toBe(1);
      await page.screenshot({ path: screenshotPath('message-keyboard') });
      await page.getByTestId('conversations-toggle').check();
      expect(pageErrors).toEqual([]);
    });
  },
);
