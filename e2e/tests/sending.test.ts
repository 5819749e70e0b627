import { dovecotAvailable, startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { postfixAvailable, startPostfix, type Postfix } from '@popgate/postfix-harness';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations } from '../support/accessibility';
import { launchBrowser, screenshotPath } from '../support/browser';
import { messageWithImageAttachment } from '../support/mail-corpus';
import { pageApi } from '../support/page-api';
import { startPopgate, type Popgate } from '../support/popgate';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const MAILBOX_USER = 'user';
const MAILBOX_PASSWORD = 'secret';
/** Postfix delivers this address into the Dovecot user's maildir: what is sent there comes back. */
const ADDRESS = 'user@example.test';
const UNDO_SECONDS = 3;
const ORIGINAL_ID = '<lunch-1@example.test>';

/** A message from the user to themselves: "Reply" answers the original recipients, this address. */
function lunchMessage(): Buffer {
  return Buffer.from(
    [
      `From: Ada Lovelace <${ADDRESS}>`,
      `To: ${ADDRESS}`,
      'Subject: Lunch on Friday?',
      `Date: ${new Date(Date.now() - 30 * 60_000).toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: ${ORIGINAL_ID}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Shall we meet at noon by the fountain?',
      '',
    ].join('\r\n'),
  );
}

/** expect.poll with room for a busy machine (its default is 1 s). */
const eventually = <T>(read: () => T | Promise<T>, timeout = 10_000) =>
  expect.poll(read, { timeout });

/** The parts of GET /api/messages/:id and GET /api/outbox this test reads. */
interface MessageDetail {
  subject: string;
  messageId: string | null;
  headers: [string, string][];
  text: string | null;
}
interface OutboxList {
  items: { subject: string; status: string }[];
}

const has = (text: string) => (message: { username?: string; bytes: Buffer }) =>
  message.username === MAILBOX_USER && message.bytes.toString('latin1').includes(text);

describe.skipIf(!dovecotAvailable() || !postfixAvailable())(
  'Sending from Popgate in Chromium, through Postfix into Dovecot',
  () => {
    let popgate: Popgate;
    let dovecot: Dovecot;
    let postfix: Postfix;
    let browser: Awaited<ReturnType<typeof launchBrowser>>;
    let page: Page;
    let accountId = '';
    const pageErrors: string[] = [];

    beforeAll(async () => {
      [popgate, dovecot, browser] = await Promise.all([
        startPopgate({
          POPGATE_ALLOW_PRIVATE_NETWORKS: 'true',
          POPGATE_UNDO_SEND_SECONDS: String(UNDO_SECONDS),
        }),
        startDovecot({ users: [{ username: MAILBOX_USER, password: MAILBOX_PASSWORD }] }),
        launchBrowser(),
      ]);
      postfix = await startPostfix({ dovecot, domain: 'example.test' });
      await dovecot.deliver(
        MAILBOX_USER,
        messageWithImageAttachment({ subject: 'Chart for the board', minutesAgo: 60 }).raw,
      );
      await dovecot.deliver(MAILBOX_USER, lunchMessage());
      page = await browser.context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('pageerror', (error) => pageErrors.push(error.message));
    });

    afterAll(async () => {
      await browser?.close();
      await popgate?.stop();
      await postfix?.stop();
      await dovecot?.stop();
    });

    const rows = () => page.locator('.message-list li');
    const row = (subject: string) => page.locator('.message-list li', { hasText: subject });
    const compose = () => page.getByTestId('compose');
    const toasts = () => page.getByTestId('toast');
    const checkNow = async () =>
      expect((await pageApi(page, 'POST', `/api/accounts/${accountId}/sync`)).status).toBe(202);
    /** Opens a message of the inbox by its exact subject. */
    async function open(subject: string): Promise<string> {
      await page
        .locator('.message-list li')
        .filter({ has: page.getByText(subject, { exact: true }) })
        .first()
        .getByRole('link')
        .click();
      await eventually(() => page.locator('#message-subject').textContent()).toContain(subject);
      return /\/mail\/\w+\/([^/?#]+)/.exec(page.url())![1]!;
    }
    async function expectSentToast(): Promise<void> {
      await eventually(() => toasts().allTextContents()).toContainEqual(
        expect.stringContaining('Sending…'),
      );
      await eventually(() => toasts().allTextContents(), 20_000).toContainEqual(
        expect.stringMatching(/^Sent/),
      );
    }

    it('signs up the first user, who lets Popgate reach the test servers’ ports', async () => {
      await page.goto(`${popgate.url}/signup`);
      await page.getByRole('heading', { name: 'Create your account' }).waitFor();
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Password again').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(/\/accounts$/);
      // This file opens messages one by one: conversations off, as the list's switch remembers it.
      await page.evaluate(() => localStorage.setItem('popgate.conversations', 'off'));
      // Dovecot and Postfix listen on random ports; the default policy allows 110/995 and 465/587.
      const policy = { allowedPorts: [], allowedSmtpPorts: [] };
      expect((await pageApi(page, 'PATCH', '/api/admin/policy', policy)).status).toBe(200);
    });

    it('adds the Dovecot account, trusting its certificate, and is offered sending', async () => {
      await page.getByRole('link', { name: 'Add account' }).click();
      await page.getByRole('heading', { name: 'Add a POP3 account' }).waitFor();
      await page.getByLabel('Name in Popgate').fill('Dovecot');
      await page.getByLabel('Server (incoming, POP3)').fill('127.0.0.1');
      await page.getByLabel('Port').fill(String(dovecot.tlsPort));
      await page.getByLabel('User name').fill(MAILBOX_USER);
      await page.getByLabel('Password', { exact: true }).fill(MAILBOX_PASSWORD);
      await page.getByRole('button', { name: 'Test connection' }).click();
      const result = page.getByTestId('test-result');
      await eventually(() => result.textContent(), 20_000).toContain('certificate is not trusted');
      await page.getByRole('button', { name: 'Trust this certificate' }).click();
      await eventually(() => result.textContent(), 20_000).toContain('Connected and signed in');
      await page.getByRole('button', { name: 'Add account' }).click();
      // The accounts page shows the first check; its card offers to set up sending, with a proposal.
      // The account's page is a chunk loaded on first use: on a busy machine (the whole suite
      // runs beside it) that has taken over 10 s.
      await page.waitForURL(/\/accounts$/, { timeout: 30_000 });
      await page.getByRole('link', { name: 'Set up sending' }).first().click();
      await page.waitForURL(/\/accounts\/[^/?]+\?setup=sending/, { timeout: 30_000 });
      accountId = /\/accounts\/([^/?]+)/.exec(page.url())![1]!;
      await page.getByRole('heading', { name: 'Sending (SMTP)' }).waitFor();
      await page.getByTestId('identity-offer').waitFor();
    });

    it('sets up sending through Postfix: the test explains its certificate, which the user trusts', async () => {
      await page.locator('#identity-name').fill('Ada Lovelace');
      await page.locator('#identity-address').fill(ADDRESS);
      await page.locator('#identity-host').fill('127.0.0.1');
      await page.locator('#identity-security').selectOption('starttls');
      await page.locator('#identity-port').fill(String(postfix.submissionPort));
      await page.locator('#identity-username').fill(MAILBOX_USER);
      await page.getByRole('radio', { name: 'Use the same password as for receiving' }).check();
      await page.getByRole('button', { name: 'Test sending server' }).click();
      const result = page.getByTestId('smtp-test-result');
      await eventually(() => result.textContent(), 20_000).toContain('certificate is not trusted');
      const fingerprint = (await page.getByTestId('smtp-fingerprint').textContent())!
        .trim()
        .replace(/:/g, '')
        .toLowerCase();
      expect(fingerprint).toBe(postfix.certSha256);
      await page.getByRole('button', { name: 'Trust this certificate' }).click();
      await eventually(() => result.textContent(), 20_000).toContain('Connected and signed in');
      expect(await result.textContent()).toContain('Postfix');
      await page.screenshot({ path: screenshotPath('sending-setup'), fullPage: true });
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.locator('#main').getByRole('button', { name: 'Set up sending' }).click();
      await page.getByText('Sending is set up.').waitFor();
      await eventually(() =>
        page.getByRole('button', { name: 'Save sending settings' }).count(),
      ).toBe(1);
      const identities = (await pageApi(page, 'GET', '/api/identities')).body as {
        smtp: { tls: { pinSha256: string | null } };
      }[];
      expect(identities).toHaveLength(1);
      expect(identities[0]!.smtp.tls.pinSha256?.replace(/:/g, '').toLowerCase()).toBe(
        postfix.certSha256,
      );
    });

    it('replies: "Sending…", "Sent", the copy in Sent, and the reply back in the inbox', async () => {
      // The first sync has brought the two messages in.
      await page.goto(`${popgate.url}/mail/inbox`);
      await eventually(() => rows().count(), 30_000).toBe(2);
      const originalId = await open('Lunch on Friday?');
      const original = (await pageApi(page, 'GET', `/api/messages/${originalId}`))
        .body as MessageDetail;
      expect(original.messageId).toContain('lunch-1@example.test');

      await page.getByRole('button', { name: 'Reply', exact: true }).click();
      await compose().waitFor();
      expect(await compose().getAttribute('aria-labelledby')).toBe('compose-title');
      await eventually(() => page.locator('#compose-subject').inputValue()).toBe(
        'Re: Lunch on Friday?',
      );
      // One recipient, the original's: the chip shows the name, its button the address.
      await eventually(() => compose().getByTestId('recipient-chip').count()).toBe(1);
      await compose()
        .getByRole('button', { name: `Remove ${ADDRESS}` })
        .waitFor();
      expect(await page.locator('#compose-from').inputValue()).not.toBe('');
      const body = page.getByRole('textbox', { name: 'Message' });
      await eventually(() => body.textContent()).toContain('Shall we meet at noon');
      // The reply starts with an empty line above the quote: the user writes there.
      await body.locator('p').first().click();
      await page.keyboard.type('Noon works for me. See you there!');
      await eventually(() => compose().getByTestId('save-state').textContent()).toBe('Saved');
      await page.screenshot({ path: screenshotPath('compose-reply') });
      expect(await accessibilityViolations(page)).toEqual([]);

      await compose().getByRole('button', { name: 'Send', exact: true }).click();
      await eventually(() => compose().count()).toBe(0);
      await expectSentToast();
      const delivered = await postfix.waitForDelivery(has('Subject: Re: Lunch on Friday?'), 10_000);
      const raw = delivered.bytes.toString('utf8');
      expect(raw).toMatch(/^In-Reply-To: <lunch-1@example\.test>/im);
      expect(raw).toMatch(/with ESMTPSA/);

      await page.getByRole('link', { name: /^Sent/ }).click();
      await page.waitForURL(/\/mail\/sent/);
      await eventually(() => rows().allTextContents(), 10_000).toContainEqual(
        expect.stringContaining('Re: Lunch on Friday?'),
      );

      await page.getByRole('link', { name: /^Inbox/ }).click();
      await page.waitForURL(/\/mail\/inbox/);
      await checkNow();
      await eventually(() => row('Re: Lunch on Friday?').count(), 30_000).toBe(1);
      const replyId = await open('Re: Lunch on Friday?');
      expect(await page.locator('#message-subject').textContent()).not.toContain('Re: Re:');
      const reply = (await pageApi(page, 'GET', `/api/messages/${replyId}`)).body as MessageDetail;
      expect(reply.subject).toBe('Re: Lunch on Friday?');
      const inReplyTo = reply.headers.find(([name]) => name.toLowerCase() === 'in-reply-to');
      expect(inReplyTo?.[1]).toBe(original.messageId);
      expect(reply.text).toContain('Noon works for me.');
      expect(reply.text).toContain('Shall we meet at noon by the fountain?');
      // Above the quote, once.
      expect(reply.text!.indexOf('Noon works for me.')).toBeLessThan(
        reply.text!.indexOf('Shall we meet'),
      );
      expect(reply.text!.split('Noon works for me.')).toHaveLength(2);
      const frame = page.frameLocator('[data-testid="mail-frame"]');
      await eventually(() => frame.locator('body').textContent()).toContain(
        'Shall we meet at noon by the fountain?',
      );
      expect(await frame.locator('body').textContent()).toContain('Noon works for me.');
      await page.screenshot({ path: screenshotPath('reply-received') });
    });

    it('forwards a message with its attachments, which arrive with it', async () => {
      await open('Chart for the board');
      await page.getByRole('button', { name: 'Forward', exact: true }).click();
      await compose().waitFor();
      await eventually(() => page.locator('#compose-subject').inputValue()).toBe(
        'Fwd: Chart for the board',
      );
      await eventually(() => compose().textContent()).toContain('chart.png');
      expect(await compose().textContent()).toContain('minutes.pdf');
      await page.locator('#compose-to').fill(ADDRESS);
      await page.locator('#compose-to').press('Enter');
      await eventually(() => compose().getByTestId('recipient-chip').count()).toBe(1);
      await compose().getByRole('button', { name: 'Send', exact: true }).click();
      await expectSentToast();
      const delivered = await postfix.waitForDelivery(
        has('Subject: Fwd: Chart for the board'),
        10_000,
      );
      expect(delivered.bytes.toString('latin1')).toMatch(/filename="?chart\.png/);

      await checkNow();
      await eventually(() => row('Fwd: Chart for the board').count(), 30_000).toBe(1);
      await open('Fwd: Chart for the board');
      await page.getByRole('button', { name: 'Preview chart.png' }).waitFor();
      expect(
        await page.getByRole('link', { name: 'Download minutes.pdf' }).getAttribute('href'),
      ).toMatch(/^\/api\/messages\/.+\/attachments\//);
      await page.screenshot({ path: screenshotPath('forward-received') });
    });

    it('keeps a draft through a reload', async () => {
      await page.getByRole('button', { name: 'Compose' }).click();
      await compose().waitFor();
      await page.locator('#compose-to').fill(ADDRESS);
      await page.locator('#compose-to').press('Enter');
      await page.locator('#compose-subject').fill('Plans for the weekend');
      await page.getByRole('textbox', { name: 'Message' }).click();
      await page.keyboard.type('Hiking on Saturday, if the weather holds.');
      // "Saved" once the server has the text (the indicator keeps its last state while the next
      // save waits for the typing to pause).
      await eventually(async () =>
        JSON.stringify((await pageApi(page, 'GET', '/api/drafts')).body),
      ).toContain('if the weather holds.');
      await eventually(() => compose().getByTestId('save-state').textContent()).toBe('Saved');

      await page.reload();
      // A click while the reloaded app is still deciding where to land can be overridden by it:
      // click again until the Drafts folder is where the app is.
      await expect
        .poll(
          async () => {
            await page.getByRole('link', { name: /^Drafts/ }).click();
            return new URL(page.url()).pathname;
          },
          { timeout: 30_000 },
        )
        .toMatch(/\/mail\/drafts/);
      const draft = page.getByTestId('draft-row').filter({ hasText: 'Plans for the weekend' });
      await eventually(() => draft.count()).toBe(1);
      await draft.getByRole('button').first().click();
      await compose().waitFor();
      await eventually(() =>
        page.getByRole('textbox', { name: 'Message' }).textContent(),
      ).toContain('Hiking on Saturday, if the weather holds.');
      expect(await page.locator('#compose-subject').inputValue()).toBe('Plans for the weekend');
    });

    it('undoes a send: the draft is back in the editor and nothing reaches Postfix', async () => {
      await compose().getByRole('button', { name: 'Send', exact: true }).click();
      const sending = toasts().filter({ hasText: 'Sending…' });
      await sending.getByRole('button', { name: 'Undo' }).click();
      await compose().waitFor();
      await eventually(() =>
        page.getByRole('textbox', { name: 'Message' }).textContent(),
      ).toContain('Hiking on Saturday, if the weather holds.');
      expect(await page.locator('#compose-subject').inputValue()).toBe('Plans for the weekend');
      await eventually(() => toasts().allTextContents()).toContainEqual(
        expect.stringContaining('Sending undone'),
      );
      await expect(
        postfix.waitForDelivery(has('Plans for the weekend'), (UNDO_SECONDS + 3) * 1000),
      ).rejects.toThrow(/no message/);
      const outbox = (await pageApi(page, 'GET', '/api/outbox')).body as OutboxList;
      const item = outbox.items.find((entry) => entry.subject === 'Plans for the weekend');
      if (item) expect(item.status).toBe('cancelled');
    });

    it('says next to the field when a recipient is not an address, and sends nothing', async () => {
      const before = ((await pageApi(page, 'GET', '/api/outbox')).body as OutboxList).items.length;
      const to = page.locator('#compose-to');
      await to.fill('not an address');
      await to.press('Enter');
      await compose().getByRole('button', { name: 'Send', exact: true }).click();
      await eventually(() => to.getAttribute('aria-invalid')).toBe('true');
      const describedBy = await to.getAttribute('aria-describedby');
      expect(describedBy).toBeTruthy();
      const message = page.locator(`[id="${describedBy}"]`);
      await eventually(() => message.textContent()).toContain('not an address');
      await page.screenshot({ path: screenshotPath('compose-invalid-recipient') });
      // Still open, nothing queued, no "Sending…".
      expect(await compose().count()).toBe(1);
      expect(await toasts().filter({ hasText: 'Sending…' }).count()).toBe(0);
      const after = ((await pageApi(page, 'GET', '/api/outbox')).body as OutboxList).items.length;
      expect(after).toBe(before);
      await expect(postfix.waitForDelivery(has('Plans for the weekend'), 1000)).rejects.toThrow(
        /no message/,
      );
      await compose().getByRole('button', { name: 'Discard draft' }).click();
      await eventually(() => compose().count()).toBe(0);
      expect(pageErrors).toEqual([]);
    });
  },
);
