import type { OutboxItemOut } from '@popgate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PopgateEvent } from '../src/events/event-bus';
import { createMigratedDatabase, dropDatabase } from './support/databases';
import {
  createDraft,
  senderApp,
  sendDraft,
  userWithIdentity,
  waitForItem,
} from './support/outbox-setup';
import { startSmtpFaults, type SmtpFaults, type SmtpFaultsOptions } from './support/smtp-faults';

let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof senderApp>>;
const servers: SmtpFaults[] = [];
const events: PopgateEvent[] = [];

beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_outbox');
  subject = await senderApp(database.url, {
    // A temporary failure is tried again after 1 s here (a minute and more in production).
    sender: { retry: { backoffSeconds: [1], maxAttempts: 3, giveUpAfterSeconds: 3600 } },
  });
  await subject.prisma.policy.update({ where: { id: 1 }, data: { allowedSmtpPorts: [] } });
  subject.app.events.subscribe((event) => events.push(event));
});
afterAll(async () => {
  await subject?.close();
  await Promise.all(servers.map((server) => server.close()));
  if (database) await dropDatabase(database.name);
});

/** A scripted SMTP server (STARTTLS, pinned certificate) and a user who sends through it. */
async function senderThrough(options: SmtpFaultsOptions = {}) {
  // The same options object: a test changes the server's behaviour by changing it.
  options.users ??= { alice: 'alice-pw' };
  const smtp = await startSmtpFaults(options);
  servers.push(smtp);
  const sender = await userWithIdentity(subject.app, {
    port: smtp.port,
    security: options.secure ? 'tls' : 'starttls',
    username: 'alice',
    password: 'alice-pw',
    tls: { pinSha256: smtp.certificate.sha256 },
  });
  return { smtp, ...sender };
}

const eventsOf = (userId: string, type: PopgateEvent['type']) =>
  events.filter((event) => event.userId === userId && event.type === type);

describe('sending a draft', () => {
  it('queues it (202), hands it to the server once, keeps a read copy in Sent and removes the draft', async () => {
    const { smtp, browser, user, identity } = await senderThrough();
    const draft = await createDraft(browser, identity.id, {
      to: ['bob@example.org'],
      subject: 'Hello Bob',
    });
    const queued = await sendDraft(browser, draft.id);
    expect(queued).toMatchObject({
      status: 'queued',
      draftId: draft.id,
      recipients: ['bob@example.org'],
    });
    expect(queued.messageId).toMatch(/^<.+@.+>$/);
    const sent = await waitForItem(browser, queued.id, (item) => item.status === 'sent');
    expect(sent).toMatchObject({ attempts: 1, lastErrorCode: null, rejectedRecipients: [] });
    expect(sent.sentMessageId).not.toBeNull();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.to).toEqual(['bob@example.org']);
    expect(smtp.received[0]!.data.toString()).toContain(`Message-ID: ${queued.messageId}`);

    expect((await browser.get(`/api/drafts/${draft.id}`)).statusCode).toBe(404);
    const sentList = (await browser.get('/api/messages?folder=sent')).json<{
      items: Array<{ id: string; subject: string; seen: boolean }>;
    }>();
    expect(sentList.items).toEqual([
      expect.objectContaining({ id: sent.sentMessageId, subject: 'Hello Bob', seen: true }),
    ]);
    const inbox = (await browser.get('/api/messages')).json<{ items: unknown[] }>();
    expect(inbox.items).toEqual([]);

    const sentEvents = eventsOf(user.id, 'message.sent');
    expect(sentEvents.map((e) => e.payload)).toEqual([
      {
        outboxId: queued.id,
        message: expect.objectContaining({ id: sent.sentMessageId, subject: 'Hello Bob' }),
      },
    ]);
    const statuses = eventsOf(user.id, 'outbox.status').map(
      (e) => (e.payload as OutboxItemOut).status,
    );
    expect(statuses).toEqual(['queued', 'sending', 'sent']);
  });

  it('refuses a draft that is already queued (409) and one that cannot be sent (422, nothing queued)', async () => {
    const { browser, identity } = await senderThrough();
    const draft = await createDraft(browser, identity.id, {
      to: ['bob@example.org'],
      subject: 'Once',
    });
    const first = await browser.post(`/api/drafts/${draft.id}/send`);
    expect(first.statusCode).toBe(202);
    const item = first.json<OutboxItemOut>();
    // A long undo window keeps it queued.
    await subject.prisma.outboxItem.update({
      where: { id: item.id },
      data: { notBefore: new Date(Date.now() + 60_000) },
    });
    const again = await browser.post(`/api/drafts/${draft.id}/send`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('ALREADY_SENDING');

    const bad = await createDraft(browser, identity.id, { to: ['not an address'], subject: 'Bad' });
    const refused = await browser.post(`/api/drafts/${bad.id}/send`);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.problems).toEqual([
      expect.objectContaining({ field: 'to', value: 'not an address' }),
    ]);
    const outbox = (await browser.get('/api/outbox')).json<{ items: OutboxItemOut[] }>();
    expect(outbox.items.map((i) => i.id)).toEqual([item.id]);
  });

  it('can be undone while queued: never sent, and the draft is back in Drafts', async () => {
    const { smtp, browser, identity } = await senderThrough();
    const draft = await createDraft(browser, identity.id, {
      to: ['bob@example.org'],
      subject: 'Oops',
    });
    const item = await sendDraft(browser, draft.id);
    await subject.prisma.outboxItem.update({
      where: { id: item.id },
      data: { notBefore: new Date(Date.now() + 2_000) },
    });
    const hidden = (await browser.get('/api/drafts')).json<{ items: Array<{ id: string }> }>();
    expect(hidden.items.map((d) => d.id)).not.toContain(draft.id);
    const cancelled = await browser.post(`/api/outbox/${item.id}/cancel`);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(smtp.received).toHaveLength(0);
    const drafts = (await browser.get('/api/drafts')).json<{ items: Array<{ id: string }> }>();
    expect(drafts.items.map((d) => d.id)).toContain(draft.id);
    expect((await browser.post(`/api/outbox/${item.id}/cancel`)).statusCode).toBe(409);
  });

  it("is another user's business only: their outbox items are 404 to cancel and retry, and not listed", async () => {
    const owner = await senderThrough();
    const other = await senderThrough();
    const draft = await createDraft(owner.browser, owner.identity.id, {
      to: ['bob@example.org'],
      subject: 'Mine',
    });
    const item = await sendDraft(owner.browser, draft.id);
    for (const action of ['cancel', 'retry']) {
      expect((await other.browser.post(`/api/outbox/${item.id}/${action}`)).statusCode).toBe(404);
    }
    expect((await other.browser.post(`/api/outbox/not-a-uuid/cancel`)).statusCode).toBe(404);
    expect((await other.browser.get('/api/outbox')).json().items).toEqual([]);
    expect((await other.browser.post(`/api/drafts/${draft.id}/send`)).statusCode).toBe(404);
  });
});

describe('SMTP failures', () => {
  it('a sender refused with 553: failed with the reply, never retried', async () => {
    const { smtp, browser, identity } = await senderThrough({
      mailFrom: { code: 553, text: '5.7.1 Sender address rejected: not owned by user alice' },
    });
    const draft = await createDraft(browser, identity.id, {
      to: ['bob@example.org'],
      subject: 'Refused',
    });
    const item = await sendDraft(browser, draft.id);
    const failed = await waitForItem(browser, item.id, (i) => i.status === 'failed');
    expect(failed.lastErrorCode).toBe('SMTP_REJECTED');
    expect(failed.lastReply).toContain('553 5.7.1 Sender address rejected');
    expect(failed.attempts).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const still = await waitForItem(browser, item.id, () => true);
    expect(still).toMatchObject({ status: 'failed', attempts: 1 });
    expect(smtp.received).toHaveLength(0);
    // A failed send is back in Drafts, to edit and send again.
    const drafts = (await browser.get('/api/drafts')).json<{ items: Array<{ id: string }> }>();
    expect(drafts.items.map((d) => d.id)).toContain(draft.id);
  });

  it('a greylisting 451: queued again with a later attempt, then sent on the retry', async () => {
    const options: SmtpFaultsOptions = {
      rcptTo: { 'bob@example.org': { code: 451, text: '4.7.1 Greylisted, try again later' } },
    };
    const { smtp, browser, identity } = await senderThrough(options);
    const draft = await createDraft(browser, identity.id, {
      to: ['bob@example.org'],
      subject: 'Greylisted',
    });
    const item = await sendDraft(browser, draft.id);
    const deferred = await waitForItem(
      browser,
      item.id,
      (i) => i.status === 'queued' && i.attempts === 1,
    );
    expect(deferred.lastErrorCode).toBe('SMTP_TEMPORARY');
    expect(deferred.lastReply).toContain('451 4.7.1 Greylisted');
    expect(new Date(deferred.nextAttemptAt!).getTime()).toBeGreaterThan(Date.now() - 200);
    delete options.rcptTo; // the greylist lets it through now
    const sent = await waitForItem(browser, item.id, (i) => i.status === 'sent');
    expect(sent.attempts).toBe(2);
    expect(smtp.received).toHaveLength(1);
  });

  it('a connection closed in the middle of DATA: unknown, the user told it may have gone; retry sends the same bytes', async () => {
    const options: SmtpFaultsOptions = { data: 'close' };
    const { smtp, browser, identity } = await senderThrough(options);
    const draft = await createDraft(browser, identity.id, {
      to: ['bob@example.org'],
      subject: 'Cut off',
    });
    const item = await sendDraft(browser, draft.id);
    const unknown = await waitForItem(browser, item.id, (i) => i.status === 'unknown');
    expect(unknown.lastErrorCode).toBe('OUTCOME_UNKNOWN');
    expect(unknown.lastReply).toMatch(/may or may not have been sent/);
    expect(unknown.lastReply).toMatch(/retry \(it may arrive twice\) or discard/);
    // Not tried again by itself, and the draft cannot be sent a second time meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await waitForItem(browser, item.id, () => true)).status).toBe('unknown');
    expect((await browser.post(`/api/drafts/${draft.id}/send`)).statusCode).toBe(409);

    options.data = 'accept';
    const retried = await browser.post(`/api/outbox/${item.id}/retry`);
    expect(retried.statusCode).toBe(200);
    const sent = await waitForItem(browser, item.id, (i) => i.status === 'sent');
    expect(sent.messageId).toBe(item.messageId);
    expect(smtp.received.at(-1)!.data.toString()).toContain(`Message-ID: ${item.messageId}`);
  });

  it('a server that stalls after the data: the hand-over is bounded, and the outcome unknown', async () => {
    const { browser, identity } = await senderThrough({ data: 'stall' });
    // The session's own reply timeout (30 s) is longer than this test: shorten the sender's bound.
    const sender = subject.app.outboxSender as unknown as {
      options: { messageTimeoutMs: () => number };
    };
    const before = sender.options.messageTimeoutMs;
    sender.options.messageTimeoutMs = () => 1_000;
    try {
      const draft = await createDraft(browser, identity.id, {
        to: ['bob@example.org'],
        subject: 'Stalled',
      });
      const item = await sendDraft(browser, draft.id);
      const unknown = await waitForItem(browser, item.id, (i) => i.status === 'unknown', 20_000);
      expect(unknown.lastErrorCode).toBe('OUTCOME_UNKNOWN');
    } finally {
      sender.options.messageTimeoutMs = before;
    }
  });

  it('an untrusted certificate: failed with TLS_UNTRUSTED and its fingerprint, nothing handed over', async () => {
    const { smtp, browser, identity } = await senderThrough();
    // The identity trusted a pinned certificate; the server now shows another one.
    await subject.prisma.identity.update({
      where: { id: identity.id },
      data: { smtpTlsPinSha256: 'ab'.repeat(32) },
    });
    const draft = await createDraft(browser, identity.id, {
      to: ['bob@example.org'],
      subject: 'MITM?',
    });
    const item = await sendDraft(browser, draft.id);
    const failed = await waitForItem(browser, item.id, (i) => i.status === 'failed');
    expect(failed.lastErrorCode).toBe('TLS_UNTRUSTED');
    expect(failed.lastReply).toMatch(/not trusted.*SHA-256 fingerprint/);
    expect(smtp.received).toHaveLength(0);
  });

  it('recipients refused while others are taken: sent, with the refused ones listed', async () => {
    const { smtp, browser, identity } = await senderThrough({
      rcptTo: { 'nobody@example.org': { code: 550, text: '5.1.1 User unknown' } },
    });
    const draft = await createDraft(browser, identity.id, {
      to: ['bob@example.org', 'nobody@example.org'],
      subject: 'Partly',
    });
    const item = await sendDraft(browser, draft.id);
    const sent = await waitForItem(browser, item.id, (i) => i.status === 'sent');
    expect(sent.rejectedRecipients).toEqual([
      { address: 'nobody@example.org', reply: expect.stringContaining('550 5.1.1 User unknown') },
    ]);
    expect(smtp.received[0]!.to).toEqual(['bob@example.org']);
  });
});
