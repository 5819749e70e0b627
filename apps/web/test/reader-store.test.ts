import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useMessageListStore } from '../src/stores/message-list';
import { useReaderStore } from '../src/stores/reader';
import { detail } from './support/factories';
import { fakeApi, settle } from './support/fake-api';
import { inbox, messageServer } from './support/message-server';

describe('the reader store', () => {
  let mail: Awaited<ReturnType<typeof messageServer>>;

  beforeEach(async () => {
    mail = await messageServer();
  });

  it('opens a message, marks it read, and keeps a copy to read offline', async () => {
    const messages = useMessageListStore();
    const reader = useReaderStore();
    await messages.show(inbox);
    const row = messages.items[0]!;
    mail.server.on(`GET /api/messages/${row.id}`, {
      body: detail(row, {
        html: '<p>Hi <a href="https://example.com">there</a></p>',
        text: 'Hi there',
      }),
    });
    mail.server.on(`PATCH /api/messages/${row.id}`, { body: {} });
    await reader.open(row.id);
    await settle();
    expect(reader.status).toBe('ready');
    expect(reader.html).toContain('target="_blank"');
    expect(row.seen).toBe(true);
    expect(reader.message?.seen).toBe(true);

    vi.stubGlobal(
      'fetch',
      fakeApi({ [`GET /api/messages/${row.id}`]: new TypeError('offline') }).fetcher,
    );
    reader.close();
    expect(reader.message).toBeNull();
    await reader.open(row.id);
    expect(reader.status).toBe('ready');
    expect(reader.fromCache).toBe(true);
    expect(reader.message?.subject).toBe(row.subject);
    expect(reader.html).toContain('there');
  });

  it('marks the words the server found the message by, and no words once the search is gone', async () => {
    const messages = useMessageListStore();
    const reader = useReaderStore();
    await messages.show(inbox);
    const row = messages.items[0]!;
    mail.server.on(`GET /api/messages/${row.id}`, (call) => {
      const q = new URL(call.url, 'http://x').searchParams.get('q');
      const found = detail(row, { text: 'Budgets for the quarter' });
      return { body: q ? { ...found, searchTerms: ['budgets', 'budg'] } : found };
    });
    mail.server.on(`PATCH /api/messages/${row.id}`, { body: {} });

    await reader.open(row.id, 'budgets from:carol');
    const asked = mail.server.apiCalls().filter((c) => c.url.startsWith(`/api/messages/${row.id}`));
    expect(new URL(asked.at(-1)!.url, 'http://x').searchParams.get('q')).toBe('budgets from:carol');
    expect(reader.searchTerms).toEqual(['budgets', 'budg']);

    await reader.open(row.id, '');
    expect(reader.searchTerms).toEqual([]);
    expect(reader.message?.text).toBe('Budgets for the quarter');
  });

  it('opens the message unmarked when the server refuses the search it came from', async () => {
    const messages = useMessageListStore();
    const reader = useReaderStore();
    await messages.show(inbox);
    const row = messages.items[0]!;
    mail.server.on(`GET /api/messages/${row.id}`, (call) =>
      new URL(call.url, 'http://x').searchParams.has('q')
        ? { status: 400, body: { error: { code: 'INVALID_QUERY', message: 'Unknown operator' } } }
        : { body: detail(row, { text: 'Hello' }) },
    );
    mail.server.on(`PATCH /api/messages/${row.id}`, { body: {} });

    await reader.open(row.id, 'frm:carol');
    expect(reader.status).toBe('ready');
    expect(reader.message?.text).toBe('Hello');
    expect(reader.searchTerms).toEqual([]);
  });

  it('offline, says so for a message never opened on this device', async () => {
    const messages = useMessageListStore();
    await messages.show(inbox);
    await settle();
    setActivePinia(createPinia());
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const offline = useMessageListStore();
    await offline.show(inbox);
    const reader = useReaderStore();
    await reader.open(offline.items[5]!.id);
    expect(reader.status).toBe('error');
    expect(reader.error).toMatch(/never opened on this device/);
  });

  it('keeps only the answer for the message opened last', async () => {
    const messages = useMessageListStore();
    const reader = useReaderStore();
    await messages.show(inbox);
    const [first, second] = messages.items;
    let release!: () => void;
    mail.server.on(`GET /api/messages/${first!.id}`, async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return { body: detail({ ...first!, seen: true }) };
    });
    mail.server.on(`GET /api/messages/${second!.id}`, {
      body: detail({ ...second!, seen: true }),
    });
    const slow = reader.open(first!.id);
    await settle();
    await reader.open(second!.id);
    release();
    await slow;
    expect(reader.openId).toBe(second!.id);
    expect(reader.message?.id).toBe(second!.id);
  });
});
