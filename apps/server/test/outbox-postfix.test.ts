import { createHash, randomBytes } from 'node:crypto';
import type { OutboxItemOut } from '@popgate/contracts';
import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { postfixAvailable, startPostfix, type Postfix } from '@popgate/postfix-harness';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import type { PopgateEvent } from '../src/events/event-bus';
import { syncAccount } from '../src/sync/account-sync';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';
import {
  maildirCopies,
  senderApp,
  sendDraft,
  userWithIdentity,
  waitForItem,
} from './support/outbox-setup';

/**
 * Sending from Popgate through a real Postfix (submission with STARTTLS, implicit TLS; SASL
 * through Dovecot), delivered into Dovecot's maildir, downloaded again by Popgate's POP3 sync.
 */
const available = await postfixAvailable();
const never = new AbortController().signal;
/** One secret key for every Popgate process of this file, as processes of one deployment share it. */
const secretKey = randomBytes(32);

let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof senderApp>>;
let dovecot: Dovecot;
let postfix: Postfix;
const events: PopgateEvent[] = [];

beforeAll(async () => {
  if (!available) return;
  [database, dovecot] = await Promise.all([
    createMigratedDatabase('popgate_test_outbox_postfix'),
    startDovecot({
      users: [
        { username: 'alice', password: 'alice-pw' },
        { username: 'bob', password: 'bob-pw' },
      ],
    }),
  ]);
  postfix = await startPostfix({ dovecot, domain: 'example.test' });
  await allowAnyPort(database.url);
  subject = await senderApp(database.url, { secretKey });
  await subject.prisma.policy.update({ where: { id: 1 }, data: { allowedSmtpPorts: [] } });
  subject.app.events.subscribe((event) => events.push(event));
}, 60_000);
afterAll(async () => {
  await subject?.close();
  await postfix?.stop();
  await dovecot?.stop();
  if (database) await dropDatabase(database.name);
});

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(!available)('sending through a real Postfix', () => {
  it.each([
    ['STARTTLS on submission', 'starttls' as const, () => postfix.submissionPort],
    ['implicit TLS', 'tls' as const, () => postfix.smtpsPort],
  ])(
    'with %s: delivered into Dovecot, downloaded by POP3 with its subject, body, attachment and threading headers; listed in Sent, not in the inbox',
    async (_name, security, port) => {
      const { browser, user, identity } = await userWithIdentity(
        subject.app,
        {
          port: port(),
          security,
          username: 'alice',
          password: 'alice-pw',
          tls: { caPem: postfix.caPem },
        },
        'alice@example.test',
      );
      // Bob's mailbox, linked to the same Popgate user, holds the message being answered.
      const bobAccount = await linkAccount(subject.prisma, subject.app.keyring, user.id, {
        label: 'bob',
        host: '127.0.0.1',
        port: dovecot.tlsPort,
        security: 'tls',
        username: 'bob',
        password: 'bob-pw',
        auth: 'auto',
        tls: { caPem: dovecot.caPem },
      });
      const tag = randomBytes(4).toString('hex');
      const originalId = `<original-${tag}@example.test>`;
      await dovecot.deliver(
        'bob',
        Buffer.from(
          [
            'From: Alice <alice@example.test>',
            'To: bob@example.test',
            `Subject: Lunch ${tag}`,
            `Message-ID: ${originalId}`,
            'References: <older@example.test>',
            'Date: Tue, 03 Nov 2026 10:00:00 +0000',
            '',
            'Shall we?',
            '',
          ].join('\r\n'),
        ),
      );
      await syncAccount(subject.app.syncContext, bobAccount.id, never);
      const original = await subject.prisma.message.findFirstOrThrow({
        where: { accountId: bobAccount.id, messageId: originalId },
      });

      const created = await browser.post('/api/drafts', {
        identityId: identity.id,
        inReplyTo: original.id,
        to: [{ name: 'Bob', address: 'bob@example.test' }],
      });
      expect(created.statusCode, created.body).toBe(201);
      const draft = created.json<{ id: string; subject: string; text: string }>();
      expect(draft.subject).toBe(`Re: Lunch ${tag}`);
      // The answer written above the quoted original (autosaved).
      const written = await browser.patch(`/api/drafts/${draft.id}`, {
        text: `Yes, at noon. ${tag}\n\n${draft.text}`,
        html: null,
      });
      expect(written.statusCode, written.body).toBe(200);
      const attachment = Buffer.from(`menu ${tag}\n`.repeat(2000));
      await subject.prisma.draftAttachment.create({
        data: {
          draftId: draft.id,
          filename: 'menu.txt',
          contentType: 'text/plain',
          size: attachment.length,
          sha256: sha(attachment),
          content: new Uint8Array(attachment),
        },
      });

      const queued = await sendDraft(browser, draft.id);
      const sent = await waitForItem(browser, queued.id, (item) => item.status === 'sent', 20_000);
      expect(sent.lastReply).toMatch(/^250 /);

      const delivered = await postfix.waitForDelivery(
        (message) => message.username === 'bob' && message.bytes.includes(queued.messageId),
      );
      await syncAccount(subject.app.syncContext, bobAccount.id, never);
      const received = await subject.prisma.message.findFirstOrThrow({
        where: { accountId: bobAccount.id, messageId: queued.messageId },
        select: { id: true, origin: true },
      });
      expect(received.origin).toBe('pop3');
      const raw = await browser.get(`/api/messages/${received.id}/raw`);
      expect(raw.statusCode).toBe(200);
      const mail = await simpleParser(raw.rawPayload);
      expect(mail.messageId).toBe(queued.messageId);
      expect(mail.subject).toBe(`Re: Lunch ${tag}`);
      expect(mail.text).toContain(`Yes, at noon. ${tag}`);
      expect(mail.inReplyTo).toBe(originalId);
      expect(mail.references).toEqual(['<older@example.test>', originalId]);
      expect(mail.from?.value).toEqual([{ name: 'Popgate Sender', address: 'alice@example.test' }]);
      expect(mail.attachments.map((a) => [a.filename, sha(a.content)])).toEqual([
        ['menu.txt', sha(attachment)],
      ]);
      // One copy in Bob's maildir, with the Message-ID Popgate gave it.
      expect(delivered.bytes.toString()).toMatch(
        new RegExp(`^Message-ID: ${queued.messageId}`, 'im'),
      );

      const sentList = (await browser.get('/api/messages?folder=sent')).json<{
        items: Array<{ id: string }>;
      }>();
      expect(sentList.items.map((m) => m.id)).toEqual([sent.sentMessageId]);
      const inbox = (await browser.get('/api/messages')).json<{ items: Array<{ id: string }> }>();
      const inboxIds = inbox.items.map((m) => m.id);
      expect(inboxIds).toEqual(expect.arrayContaining([original.id, received.id]));
      expect(inboxIds).not.toContain(sent.sentMessageId);

      const mine = events.filter((event) => event.userId === user.id);
      expect(mine.filter((e) => e.type === 'message.sent').map((e) => e.payload)).toEqual([
        {
          outboxId: queued.id,
          message: expect.objectContaining({ id: sent.sentMessageId, subject: `Re: Lunch ${tag}` }),
        },
      ]);
      expect(
        mine
          .filter((e) => e.type === 'outbox.status')
          .map((e) => (e.payload as OutboxItemOut).status),
      ).toEqual(['queued', 'sending', 'sent']);
    },
    60_000,
  );
});

describe.skipIf(!available)('two Popgate processes sending from one database', () => {
  it('deliver each of 50 queued messages exactly once', async () => {
    const senders = await Promise.all(
      [1, 2].map(() =>
        senderApp(database.url, {
          secretKey,
          sender: { messagesPerConnection: 5, maxConnections: 2 },
        }),
      ),
    );
    try {
      const { browser, identity } = await userWithIdentity(
        subject.app,
        {
          port: postfix.submissionPort,
          security: 'starttls',
          username: 'alice',
          password: 'alice-pw',
          tls: { caPem: postfix.caPem },
        },
        'alice@example.test',
      );
      // Queued through the first app, held back until all 50 are in, then due at once for all three.
      await subject.app.outboxSender!.stop();
      const items: OutboxItemOut[] = [];
      for (let n = 0; n < 50; n++) {
        const created = await browser.post('/api/drafts', {
          identityId: identity.id,
          to: [{ name: '', address: 'bob@example.test' }],
          subject: `Race ${n}`,
          text: `Message ${n}`,
        });
        items.push(await sendDraft(browser, created.json<{ id: string }>().id));
      }
      subject.app.outboxSender!.start();
      for (const item of items) {
        await waitForItem(browser, item.id, (i) => i.status === 'sent', 60_000);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const copies = await maildirCopies(dovecot.maildirPath('bob'));
      expect(items.map((item) => copies.get(item.messageId) ?? 0)).toEqual(items.map(() => 1));
      const rows = await subject.prisma.outboxItem.findMany({
        where: { id: { in: items.map((i) => i.id) } },
        select: { attempts: true },
      });
      expect(rows.every((row) => row.attempts === 1)).toBe(true);
    } finally {
      await Promise.all(senders.map((sender) => sender.close()));
    }
  }, 120_000);
});
