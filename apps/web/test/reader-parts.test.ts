import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import AttachmentList from '../src/components/mail/AttachmentList.vue';
import MessageView from '../src/components/mail/MessageView.vue';
import RawSourceDialog from '../src/components/mail/RawSourceDialog.vue';
import { parseCalendar } from '../src/lib/ics';
import { decodeSource } from '../src/lib/source-charset';
import { useComposeStore } from '../src/stores/compose';
import { useReaderStore } from '../src/stores/reader';
import { detail, item } from './support/factories';
import { fakeApi } from './support/fake-api';

beforeEach(() => {
  document.body.innerHTML = '';
  setActivePinia(createPinia());
  api.resetCsrf();
});

/** A fetch answering raw bytes for some URLs and JSON (fakeApi) for the rest. */
function withBytes(routes: Parameters<typeof fakeApi>[0], bytes: Record<string, Uint8Array>) {
  const json = fakeApi(routes);
  const fetcher = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const found = bytes[String(input)];
    if (found) return new Response(new Uint8Array(found), { status: 200 });
    return json.fetcher(input, init);
  });
  return { ...json, fetcher };
}

async function openMessage(overrides: Parameters<typeof detail>[1], routes = {}, bytes = {}) {
  const row = item({ seen: true });
  const server = withBytes(
    { [`GET /api/messages/${row.id}`]: { body: detail(row, overrides) }, ...routes },
    bytes,
  );
  vi.stubGlobal('fetch', server.fetcher);
  await useReaderStore().open(row.id);
  const wrapper = mount(MessageView, { attachTo: document.body });
  await flushPromises();
  return { wrapper, row, server };
}

const KOI8_R_BODY = new Uint8Array([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]); // "Привет"
const koi8Message = new Uint8Array([
  ...new TextEncoder().encode(
    'Subject: test\r\nContent-Type: text/plain;\r\n charset="KOI8-R"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
  ),
  ...KOI8_R_BODY,
  13,
  10,
]);

describe('view source', () => {
  it('decodes a KOI8-R message with its own charset, not as UTF-8', () => {
    const { text, charset } = decodeSource(koi8Message);
    expect(charset).toBe('koi8-r');
    expect(text).toContain('Привет');
    expect(text).not.toContain('\ufffd');
  });

  it('reads UTF-8 (and ASCII) messages as UTF-8', () => {
    const utf8 = new TextEncoder().encode(
      'Content-Type: text/plain; charset=utf-8\r\n\r\nGrüße, Привет\r\n',
    );
    expect(decodeSource(utf8)).toEqual({
      text: 'Content-Type: text/plain; charset=utf-8\r\n\r\nGrüße, Привет\r\n',
      charset: 'utf-8',
    });
  });

  it('shows the charset it used, and downloads the bytes', async () => {
    const server = withBytes({}, { '/api/messages/m1/raw': koi8Message });
    vi.stubGlobal('fetch', server.fetcher);
    const wrapper = mount(RawSourceDialog, {
      props: { messageId: 'm1', size: koi8Message.length },
      attachTo: document.body,
    });
    await flushPromises();
    expect(wrapper.get('[data-testid="raw-source"]').text()).toContain('Привет');
    expect(wrapper.get('[data-testid="source-charset"]').text()).toContain('KOI8-R');
    expect(wrapper.get('a[download]').attributes('href')).toBe('/api/messages/m1/raw');
    wrapper.unmount();
  });
});

describe('a forwarded message', () => {
  it('shows inline with its headers, body and attachments, and a .eml download', async () => {
    const part = {
      id: 'a1',
      filename: null,
      contentType: 'message/rfc822',
      size: 284,
      contentId: null,
      inline: false,
      url: '/api/messages/x/attachments/a1',
    };
    const { wrapper } = await openMessage(
      { attachments: [part], text: 'See below.' },
      {
        'GET /api/messages/x/attachments/a1/message': {
          body: {
            subject: 'Quarterly report',
            from: { name: 'Carol', address: 'carol@example.test' },
            to: [{ name: 'Alice', address: 'alice@example.test' }],
            cc: [],
            date: '2026-12-01T09:00:00.000Z',
            text: 'The numbers are in.',
            html: null,
            htmlWithheld: null,
            remoteImagesBlocked: false,
            parseError: null,
            attachments: [
              {
                id: '0',
                filename: 'q4.csv',
                contentType: 'text/csv',
                size: 20,
                contentId: null,
                inline: false,
                url: '/api/messages/x/attachments/a1/parts/0',
              },
            ],
          },
        },
      },
    );
    const forwarded = wrapper.get('[data-testid="forwarded-message"]');
    expect(forwarded.text()).toContain('Quarterly report');
    expect(forwarded.text()).toContain('Carol');
    expect(forwarded.text()).toContain('The numbers are in.');
    expect(forwarded.text()).toContain('q4.csv');
    const eml = forwarded.get('[data-testid="forwarded-eml"]');
    expect(eml.attributes('href')).toBe(part.url);
    expect(eml.attributes('download')).toBe('Quarterly report.eml');
    // Not listed again as an anonymous file.
    expect(wrapper.text()).not.toContain('1 attachment\n');
    expect(wrapper.findAll('.message-view__attachments').length).toBe(0);
    wrapper.unmount();
  });
});

describe('attachment previews', () => {
  const attachment = (filename: string, contentType: string) => ({
    id: filename,
    filename,
    contentType,
    size: 100,
    contentId: null,
    inline: false,
    url: `/api/messages/m/attachments/${filename}`,
  });

  it('loads a PDF from the server, so the viewer is titled with the file name', async () => {
    vi.stubGlobal('fetch', fakeApi().fetcher);
    const wrapper = mount(AttachmentList, {
      props: { attachments: [attachment('Annual report.pdf', 'application/pdf')] },
      attachTo: document.body,
    });
    await wrapper.get('button[aria-label="Preview Annual report.pdf"]').trigger('click');
    await flushPromises();
    const frame = wrapper.get('iframe.preview__pdf');
    expect(frame.attributes('src')).toBe('/api/messages/m/attachments/Annual report.pdf?inline=1');
    expect(frame.attributes('title')).toBe('Annual report.pdf');
    wrapper.unmount();
  });

  it('shows a text attachment as text', async () => {
    const bytes = new TextEncoder().encode('line one\n<b>not bold</b>\n');
    vi.stubGlobal(
      'fetch',
      withBytes({}, { '/api/messages/m/attachments/notes.txt': bytes }).fetcher,
    );
    const wrapper = mount(AttachmentList, {
      props: { attachments: [attachment('notes.txt', 'text/plain')] },
      attachTo: document.body,
    });
    await wrapper.get('button[aria-label="Preview notes.txt"]').trigger('click');
    await flushPromises();
    const text = wrapper.get('[data-testid="text-preview"]');
    expect(text.text()).toContain('<b>not bold</b>');
    expect(text.find('b').exists()).toBe(false);
    wrapper.unmount();
  });

  it('shows an invitation’s what, when and where', async () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'METHOD:REQUEST',
      'BEGIN:VEVENT',
      'SUMMARY:Planning\\, Q1',
      'DTSTART:20261215T140000Z',
      'DTEND:20261215T150000Z',
      'LOCATION:Room 4\\; 2nd floor',
      'ORGANIZER;CN="Carol, PM":mailto:carol@example.test',
      'DESCRIPTION:Agenda:\\n1. Budget',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    vi.stubGlobal(
      'fetch',
      withBytes({}, { '/api/messages/m/attachments/invite.ics': new TextEncoder().encode(ics) })
        .fetcher,
    );
    const wrapper = mount(AttachmentList, {
      props: { attachments: [attachment('invite.ics', 'text/calendar')] },
      attachTo: document.body,
    });
    await wrapper.get('button[aria-label="Preview invite.ics"]').trigger('click');
    await flushPromises();
    const event = wrapper.get('[data-testid="calendar-preview"]').text();
    expect(event).toContain('Planning, Q1');
    expect(event).toContain('Room 4; 2nd floor');
    expect(event).toContain('Carol, PM <carol@example.test>');
    expect(event).toContain(
      new Date(Date.UTC(2026, 11, 15, 14)).toLocaleString(undefined, {
        dateStyle: 'full',
        timeStyle: 'short',
      }),
    );
    wrapper.unmount();
  });

  it('reads folded lines, all-day dates and named time zones', () => {
    const event = parseCalendar(
      'BEGIN:VEVENT\r\nSUMMARY:A very long\r\n  title\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;TZID=Europe/Berlin:20261224T180000\r\nEND:VEVENT\r\n',
      'en-GB',
    )!;
    expect(event.summary).toBe('A very long title');
    expect(event.start).toBe(
      new Date(2026, 11, 24).toLocaleDateString('en-GB', { dateStyle: 'full' }),
    );
    expect(event.end).toMatch(/\(Europe\/Berlin\)$/);
  });
});

describe('unsubscribing', () => {
  const listHeaders = (post: boolean): Array<[string, string]> => [
    ['list-unsubscribe', '<mailto:leave@list.example?subject=stop>, <https://list.example/u/1>'],
    ...(post
      ? ([['list-unsubscribe-post', 'List-Unsubscribe=One-Click']] as Array<[string, string]>)
      : []),
  ];

  it('asks, then has the server send the one-click request when the sender offers it', async () => {
    const { wrapper, row, server } = await openMessage(
      { headers: listHeaders(true) },
      { 'POST /api/messages/:id/unsubscribe': { body: {} } },
    );
    server.on(`POST /api/messages/${row.id}/unsubscribe`, {
      body: { host: 'list.example', status: 200 },
    });
    await wrapper.get('[data-testid="unsubscribe"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="unsubscribe-how"]').text()).toContain(
      'Popgate will ask list.example to stop sending you this mail',
    );
    expect(server.apiCalls().some((c) => c.method === 'POST')).toBe(false);
    await wrapper.get('[data-testid="confirm"]').trigger('click');
    await flushPromises();
    expect(
      server
        .apiCalls()
        .filter((c) => c.method === 'POST')
        .map((c) => c.url),
    ).toEqual([`/api/messages/${row.id}/unsubscribe`]);
    wrapper.unmount();
  });

  it('opens the sender’s page when one-click is not offered', async () => {
    const opened = vi.fn();
    vi.stubGlobal('open', opened);
    const { wrapper, server } = await openMessage({ headers: listHeaders(false) });
    await wrapper.get('[data-testid="unsubscribe"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="unsubscribe-how"]').text()).toContain(
      'unsubscribe page on list.example opens in a new tab',
    );
    await wrapper.get('[data-testid="confirm"]').trigger('click');
    expect(opened).toHaveBeenCalledWith(
      'https://list.example/u/1',
      '_blank',
      'noopener,noreferrer',
    );
    expect(server.apiCalls().some((c) => c.method === 'POST')).toBe(false);
    wrapper.unmount();
  });

  it('prepares the unsubscribe e-mail when the sender takes only mail', async () => {
    const { wrapper } = await openMessage(
      {
        headers: [
          [
            'list-unsubscribe',
            '<mailto:leave@list.example?subject=stop&body=%3Cb%3Eplease%3C%2Fb%3E>',
          ],
        ],
      },
      { 'GET /api/identities': { body: [] } },
    );
    await wrapper.get('[data-testid="unsubscribe"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="unsubscribe-how"]').text()).toContain(
      'a message to leave@list.example is prepared for you to send',
    );
    await wrapper.get('[data-testid="confirm"]').trigger('click');
    await flushPromises();
    const compose = useComposeStore();
    expect(compose.fields.to).toEqual([{ name: '', address: 'leave@list.example' }]);
    expect(compose.fields.subject).toBe('stop');
    expect(compose.fields.text).toBe('<b>please</b>');
    expect(compose.fields.html).toBe('<p>&lt;b&gt;please&lt;/b&gt;</p>');
    wrapper.unmount();
  });

  it('is not offered for mail that is not from a list', async () => {
    const { wrapper } = await openMessage({ headers: [['subject', 'hi']] });
    expect(wrapper.find('[data-testid="unsubscribe"]').exists()).toBe(false);
    wrapper.unmount();
  });
});
