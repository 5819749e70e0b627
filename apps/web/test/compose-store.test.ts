import type { DraftOut } from '@popgate/contracts';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import { AUTOSAVE_DELAY_MS, useComposeStore } from '../src/stores/compose';
import { useLiveStore } from '../src/stores/live';
import { useOutboxStore } from '../src/stores/outbox';
import { useUiStore } from '../src/stores/ui';
import { fakeApi, type Call } from './support/fake-api';
import { DRAFT_ID, OUTBOX_ID, draft, identity, outboxItem } from './support/sending-factories';

const home = identity({
  id: 'id-home',
  accountId: 'acc-2',
  address: 'ada@home.example',
  signature: { format: 'text', content: 'Ada, at home' },
});

function server() {
  let stored: DraftOut = draft();
  const api = fakeApi({
    'GET /api/identities': { body: [identity(), home] },
    'POST /api/drafts': (call) => {
      stored = draft({ ...(call.body as Partial<DraftOut>) });
      return { status: 201, body: stored };
    },
    [`PATCH /api/drafts/${DRAFT_ID}`]: (call) => {
      stored = { ...stored, ...(call.body as Partial<DraftOut>) };
      return { body: stored };
    },
    [`GET /api/drafts/${DRAFT_ID}`]: () => ({ body: stored }),
    'GET /api/drafts': () => ({ body: { items: [stored] } }),
    [`POST /api/drafts/${DRAFT_ID}/send`]: { status: 202, body: outboxItem() },
    [`POST /api/outbox/${OUTBOX_ID}/cancel`]: {
      body: outboxItem({ status: 'cancelled', updatedAt: new Date(Date.now() + 1).toISOString() }),
    },
  });
  return { ...api, stored: () => stored };
}

const writes = (calls: Call[]) =>
  calls.filter((call) => call.method !== 'GET').map((call) => `${call.method} ${call.url}`);
const toastTexts = () => useUiStore().toasts.map((toast) => toast.text);

describe('the compose store', () => {
  let fake: ReturnType<typeof server>;

  beforeEach(() => {
    vi.useFakeTimers();
    setActivePinia(createPinia());
    api.resetCsrf();
    fake = server();
    vi.stubGlobal('fetch', fake.fetcher);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('creates the draft at the first change and saves later typing once it pauses', async () => {
    const compose = useComposeStore();
    await compose.compose();
    compose.update({ subject: 'H' });
    await vi.advanceTimersByTimeAsync(0);
    expect(writes(fake.apiCalls())).toEqual(['POST /api/drafts']);
    expect(compose.draftId).toBe(DRAFT_ID);

    compose.update({ subject: 'He' });
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS / 2);
    compose.update({ subject: 'Hello' });
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS - 1);
    expect(writes(fake.apiCalls())).toEqual(['POST /api/drafts']);
    expect(compose.saveState).toBe('saved');

    await vi.advanceTimersByTimeAsync(1);
    const patches = fake.apiCalls().filter((call) => call.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.body).toEqual({ subject: 'Hello' });
    expect(compose.saveState).toBe('saved');
  });

  it('sends the text always and the HTML only in rich mode', async () => {
    const compose = useComposeStore();
    await compose.compose();
    compose.update({ html: '<p>Hi <strong>Bob</strong></p>' });
    await vi.advanceTimersByTimeAsync(0);
    const created = fake.apiCalls().find((call) => call.method === 'POST')!.body as DraftOut;
    expect(created.html).toBe('<p>Hi <strong>Bob</strong></p>');
    expect(created.text).toBe('Hi Bob');

    compose.setMode('plain');
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS);
    const patch = fake.apiCalls().find((call) => call.method === 'PATCH')!.body;
    expect(patch).toEqual({ text: 'Hi Bob', html: null });
  });

  it('says a draft is not saved, and why, and saves it at the next change', async () => {
    const compose = useComposeStore();
    await compose.compose();
    compose.update({ subject: 'First' });
    await vi.advanceTimersByTimeAsync(0);
    fake.on(`PATCH /api/drafts/${DRAFT_ID}`, {
      status: 503,
      body: { error: { code: 'UNAVAILABLE', message: 'The database is restarting' } },
    });
    compose.update({ subject: 'Second' });
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS);
    expect(compose.saveState).toBe('error');
    expect(compose.saveError).toBe('The database is restarting');

    fake.on(`PATCH /api/drafts/${DRAFT_ID}`, (call) => ({ body: draft(call.body as object) }));
    compose.update({ cc: [{ name: '', address: 'cc@example.com' }] });
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS);
    const last = fake
      .apiCalls()
      .filter((call) => call.method === 'PATCH')
      .at(-1)!;
    // What failed before goes again with what changed since.
    expect(last.body).toEqual({
      subject: 'Second',
      cc: [{ name: '', address: 'cc@example.com' }],
    });
    expect(compose.saveState).toBe('saved');
  });

  it('puts in the identity’s signature and swaps it when the identity changes', async () => {
    const compose = useComposeStore();
    await compose.compose();
    expect(compose.fields.identityId).toBe('id-work');
    expect(compose.fields.html).toContain('Ada, at work');
    compose.update({ html: `<p>Dear Bob,</p>${compose.fields.html}` });

    compose.setIdentity('id-home');
    expect(compose.fields.html).toContain('<p>Dear Bob,</p>');
    expect(compose.fields.html).toContain('Ada, at home');
    expect(compose.fields.html).not.toContain('Ada, at work');

    compose.setMode('plain');
    compose.setIdentity('id-work');
    expect(compose.fields.text).toBe('Dear Bob,\n\n-- \nAda, at work');
  });

  it('refuses to send without a recipient or with an address that is not one', async () => {
    const compose = useComposeStore();
    await compose.compose();
    expect(await compose.send()).toBe(false);
    expect(compose.problemsFor('to').map((p) => p.message)).toEqual([
      'Add at least one recipient.',
    ]);
    compose.update({ to: [{ name: '', address: 'bob' }] });
    expect(await compose.send()).toBe(false);
    expect(compose.problemsFor('to')[0]).toMatchObject({ value: 'bob' });
    expect(writes(fake.apiCalls())).not.toContain(`POST /api/drafts/${DRAFT_ID}/send`);
  });

  it('shows the server’s problems next to their fields', async () => {
    const compose = useComposeStore();
    await compose.compose();
    compose.update({ to: [{ name: '', address: 'bob@example.com' }] });
    await vi.advanceTimersByTimeAsync(0);
    fake.on(`POST /api/drafts/${DRAFT_ID}/send`, {
      status: 422,
      body: {
        error: {
          code: 'DRAFT_NOT_SENDABLE',
          message: 'This draft cannot be sent',
          problems: [{ field: 'subject', message: 'The subject cannot contain a line break.' }],
        },
      },
    });
    expect(await compose.send()).toBe(false);
    expect(compose.problemsFor('subject').map((p) => p.message)).toEqual([
      'The subject cannot contain a line break.',
    ]);
    expect(compose.isOpen).toBe(true);
  });

  it('closes on send with an undo toast; Undo cancels and opens the draft again', async () => {
    const compose = useComposeStore();
    await compose.compose();
    compose.update({ to: [{ name: 'Bob', address: 'bob@example.com' }], subject: 'Hello' });
    expect(await compose.send()).toBe(true);
    expect(compose.isOpen).toBe(false);
    const ui = useUiStore();
    const toast = ui.toasts.find((t) => t.text === 'Sending…')!;
    expect(toast.action?.label).toBe('Undo');

    toast.action!.run();
    await vi.advanceTimersByTimeAsync(0);
    expect(writes(fake.apiCalls())).toContain(`POST /api/outbox/${OUTBOX_ID}/cancel`);
    expect(compose.isOpen).toBe(true);
    expect(compose.draftId).toBe(DRAFT_ID);
    expect(compose.fields.subject).toBe('Hello');
  });

  it('follows the message with outbox events: Sent, or Not sent with Retry and Edit', async () => {
    const compose = useComposeStore();
    await compose.compose();
    compose.update({ to: [{ name: 'Bob', address: 'bob@example.com' }] });
    await compose.send();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(toastTexts()).toEqual(['Sending…']);
    expect(useUiStore().toasts[0]!.action).toBeUndefined();

    const live = useLiveStore();
    const later = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
    live.receive({
      id: '1',
      type: 'outbox.status',
      payload: outboxItem({
        status: 'failed',
        lastErrorCode: 'SMTP_REJECTED',
        lastReply: '553 5.7.1 Sender address rejected',
        updatedAt: later(1),
      }),
    });
    expect(toastTexts()).toEqual(['Not sent: 553 5.7.1 Sender address rejected']);
    const failed = useUiStore().toasts[0]!;
    expect(failed.kind).toBe('error');
    expect(failed.actions?.map((action) => action.label)).toEqual(['Retry', 'Edit']);
    expect(useOutboxStore().visible).toBe(true);

    fake.on(`POST /api/outbox/${OUTBOX_ID}/retry`, {
      body: outboxItem({ status: 'queued', updatedAt: later(2) }),
    });
    failed.actions![0]!.run();
    await vi.advanceTimersByTimeAsync(0);
    expect(toastTexts()).toEqual(['Sending…']);
    live.receive({
      id: '2',
      type: 'outbox.status',
      payload: outboxItem({ status: 'sent', updatedAt: later(3) }),
    });
    expect(toastTexts()).toEqual(['Sent']);
    expect(useOutboxStore().visible).toBe(false);
  });

  it('opens a reply the server wrote, with the signature above the quote', async () => {
    fake.on('POST /api/drafts', (call) => ({
      status: 201,
      body: draft({
        inReplyTo: (call.body as { inReplyTo: string }).inReplyTo,
        to: [{ name: 'Bob', address: 'bob@example.com' }],
        subject: 'Re: Plans',
        html: '<p></p><p>On Monday, Bob wrote:</p><blockquote><p>Plans?</p></blockquote>',
      }),
    }));
    const compose = useComposeStore();
    await compose.reply('msg-1', true);
    const request = fake.apiCalls().find((call) => call.method === 'POST')!;
    expect(request.body).toEqual({ inReplyTo: 'msg-1', replyAll: true });
    expect(compose.presentation).toBe('panel');
    expect(compose.fields.subject).toBe('Re: Plans');
    const html = compose.fields.html;
    expect(html.indexOf('Ada, at work')).toBeLessThan(html.indexOf('Plans?'));
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS);
    const patch = fake.apiCalls().find((call) => call.method === 'PATCH')!;
    expect((patch.body as { html: string }).html).toContain('Ada, at work');
  });

  it('saves what is left when the panel closes', async () => {
    const compose = useComposeStore();
    await compose.compose();
    compose.update({ subject: 'A' });
    await vi.advanceTimersByTimeAsync(0);
    compose.update({ subject: 'A long subject' });
    await compose.close();
    const patch = fake.apiCalls().find((call) => call.method === 'PATCH')!;
    expect(patch.body).toEqual({ subject: 'A long subject' });
    expect(compose.isOpen).toBe(false);
  });
});
