import { Pop3Server } from '@popgate/pop3-server';
import type { MessageDetail, MessageList } from '@popgate/contracts';
import { Parser } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import { syncAccount } from '../src/sync/account-sync';
import { xssPayloads } from './fixtures/xss/payloads';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';

/**
 * Every hostile payload travels the whole way a real message does: a POP3 server, the sync
 * engine, the database, and GET /api/messages/:id. The HTML that comes back is parsed (as a
 * browser-like tokenizer sees it) and checked for anything that could run, navigate the page,
 * submit a form, or reach the sender.
 */
let subject: Awaited<ReturnType<typeof testApp>>;
let pop3: Pop3Server;
let client: ApiClient;
const idOf = new Map<string, string>();

const MARKER = '<p>case start</p>';
const mail = (index: number, html: string) =>
  Buffer.from(
    [
      'From: Attacker <attacker@evil.example>',
      'To: reader@example.test',
      `Subject: xss ${index}`,
      `Message-ID: <xss-${index}@evil.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      `<html><body>${MARKER}${html}</body></html>`,
      '',
    ].join('\r\n'),
  );

beforeAll(async () => {
  subject = await testApp({ env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' } });
  pop3 = await Pop3Server.start({
    users: [{ username: 'reader', password: 'secret' }],
    mailboxes: {
      reader: xssPayloads.map((payload, i) => ({ body: mail(i, payload.html), uidl: `xss-${i}` })),
    },
  });
  client = new ApiClient(subject.app);
  const user = await client.signUp(`xss-${Date.now()}@example.test`);
  const account = await linkAccount(subject.app.db.prisma, subject.app.keyring, user.id, {
    label: 'hostile',
    host: '127.0.0.1',
    port: pop3.port,
    security: 'none',
    username: 'reader',
    password: 'secret',
    auth: 'auto',
  });
  const result = await syncAccount(
    subject.app.syncContext,
    account.id,
    AbortSignal.timeout(60_000),
  );
  expect(result.ok, JSON.stringify(result.failure)).toBe(true);
  expect(result.newMessages).toBe(xssPayloads.length);
  const list = (await client.get('/api/messages?limit=200')).json<MessageList>();
  for (const item of list.items) idOf.set(item.subject, item.id);
});
afterAll(async () => {
  await pop3?.close();
  await subject?.close();
});

/** What the output holds, as an HTML tokenizer reads it (entities decoded). */
function read(html: string) {
  const elements: Array<{ name: string; attribs: Record<string, string> }> = [];
  const styleSheets: string[] = [];
  const texts: string[] = [];
  const open: string[] = [];
  const parser = new Parser(
    {
      onopentag: (name, attribs) => {
        elements.push({ name, attribs });
        open.push(name);
      },
      onclosetag: () => void open.pop(),
      ontext: (text) => (open.at(-1) === 'style' ? styleSheets.push(text) : texts.push(text)),
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return { elements, styleSheets, texts };
}

const ALLOWED_ELEMENTS = new Set(
  (
    'a abbr acronym address article aside b bdi bdo big blockquote br caption center cite code ' +
    'col colgroup dd del details dfn div dl dt em figcaption figure font footer h1 h2 h3 h4 h5 h6 ' +
    'header hr i img ins kbd li main mark ol p pre q rp rt ruby s samp section small span strike ' +
    'strong sub summary sup table tbody td tfoot th thead time tr tt u ul var wbr style'
  ).split(' '),
);
const FORBIDDEN_MARKUP =
  /<(script|iframe|frame|object|embed|applet|form|input|button|textarea|select|base|meta|link|svg|math|video|audio|source|template|noscript|xml)\b/i;
const FORBIDDEN_CSS = /expression|javascript|vbscript|@import|behavior\s*:|binding|\\/i;
// eslint-disable-next-line no-control-regex -- browsers ignore these inside URLs, so must the check
const squeeze = (text: string) => text.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
const SAFE_DATA_IMAGE = /^data:image\/(png|gif|jpeg|webp|bmp);base64,[a-z0-9+/=]+$/i;

/** Where an image may come from in the output: the message's own parts, data:, or the proxy. */
function imageSourceIsSafe(url: string, id: string, imagesShown: boolean): boolean {
  if (SAFE_DATA_IMAGE.test(url)) return true;
  if (url.startsWith(`/api/messages/${id}/attachments/`)) return true;
  return imagesShown && url.startsWith(`/api/messages/${id}/images?url=`) && /&sig=/.test(url);
}

function cssUrls(css: string): string[] {
  return [...css.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))\s*\)/gi)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? '',
  );
}

function expectSafe(html: string, id: string, imagesShown: boolean) {
  expect(html).toContain(MARKER);
  expect(html).not.toMatch(FORBIDDEN_MARKUP);
  expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
  const { elements, styleSheets, texts } = read(html);
  const everything: string[] = [...texts, ...styleSheets];
  for (const { name, attribs } of elements) {
    expect(ALLOWED_ELEMENTS, `<${name}>`).toContain(name);
    for (const [attribute, value] of Object.entries(attribs)) {
      everything.push(value);
      expect(attribute).not.toMatch(/^on/i);
      if (attribute === 'href') {
        expect(value).toMatch(/^(https?:\/\/|mailto:)/);
        expect(attribs).toMatchObject({ target: '_blank', rel: 'noopener noreferrer' });
      }
      if (attribute === 'src' || attribute === 'background') {
        expect(imageSourceIsSafe(value, id, imagesShown), `${attribute}=${value}`).toBe(true);
      }
      expect(['srcset', 'action', 'formaction', 'data', 'xlink:href', 'poster']).not.toContain(
        attribute,
      );
      if (attribute === 'style') {
        expect(value).not.toMatch(FORBIDDEN_CSS);
        for (const url of cssUrls(value))
          expect(imageSourceIsSafe(url, id, imagesShown)).toBe(true);
      }
    }
  }
  for (const css of styleSheets) {
    expect(css).not.toMatch(FORBIDDEN_CSS);
    expect(css).not.toContain('<');
    for (const url of cssUrls(css)) expect(imageSourceIsSafe(url, id, imagesShown), url).toBe(true);
  }
  const all = squeeze(everything.join(' '));
  expect(all).not.toContain('javascript:');
  expect(all).not.toContain('vbscript:');
  expect(all).not.toContain('data:text');
}

describe('hostile HTML delivered over POP3', () => {
  it('arrives whole: every payload is a stored message', () => {
    expect(xssPayloads.length).toBeGreaterThanOrEqual(50);
    expect(idOf.size).toBe(xssPayloads.length);
  });

  it.each(xssPayloads.map((payload, index) => ({ ...payload, index })))(
    'is harmless: $name',
    async ({ index }) => {
      const id = idOf.get(`xss ${index}`)!;
      const blocked = await client.get(`/api/messages/${id}`);
      expect(blocked.statusCode).toBe(200);
      const message = blocked.json<MessageDetail>();
      expect(message.html).not.toBeNull();
      expectSafe(message.html!, id, false);
      expect(message.html).not.toMatch(/(src|background)="[^"]*evil\.example/);

      const shown = (await client.get(`/api/messages/${id}?images=1`)).json<MessageDetail>();
      expectSafe(shown.html!, id, true);
    },
  );

  it('reports the remote images it blocked, and only those', async () => {
    const blockedFor = async (name: string) => {
      const index = xssPayloads.findIndex((payload) => payload.name === name);
      const id = idOf.get(`xss ${index}`)!;
      return (await client.get(`/api/messages/${id}`)).json<MessageDetail>().remoteImagesBlocked;
    };
    for (const name of [
      'remote img',
      'protocol-relative img',
      'remote srcset',
      'remote table background',
      'remote background style',
      'remote background in style element',
      'media query remote',
    ]) {
      expect(await blockedFor(name), name).toBe(true);
    }
    expect(await blockedFor('script element')).toBe(false);
  });
});
