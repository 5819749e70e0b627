import { randomBytes } from 'node:crypto';
import type { MessageDetail } from '@popgate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../src/mail/parse-message';
import { storeMessage } from '../src/messages/store';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';

let subject: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  subject = await testApp();
});
afterAll(async () => {
  await subject?.close();
});

const prisma = () => subject.app.db.prisma;
const tag = () => randomBytes(4).toString('hex');
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

async function reader() {
  const client = new ApiClient(subject.app);
  const user = await client.signUp(`read-${tag()}@example.test`);
  const account = await prisma().pop3Account.create({
    data: {
      userId: user.id,
      label: 'home',
      host: 'pop.example.test',
      port: 995,
      username: `u-${tag()}`,
      secretCiphertext: new Uint8Array([0]),
      secretKeyId: 'test',
    },
  });
  const deliver = async (raw: string | Buffer) => {
    const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const stored = await storeMessage(
      prisma(),
      {
        accountId: account.id,
        userId: user.id,
        uidl: `uidl-${tag()}`,
        listedSize: bytes.length,
        raw: bytes,
        headersOnly: false,
        receivedAt: new Date(),
      },
      await parseMessage(bytes),
    );
    return stored.id;
  };
  return { client, user, account, deliver };
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/.{76}/g, '$&\r\n');

/** A newsletter-like message: HTML with an inline logo (cid:), a remote image, and attachments. */
const richMessage = [
  'From: "Shop" <News@Shop.example>',
  'To: Reader <reader@example.test>, other@example.test',
  'Cc: cc@example.test',
  'Subject: =?UTF-8?Q?Sp=C3=A9cial_offer?=',
  'Date: Tue, 02 Jan 2024 10:00:00 +0000',
  'Message-ID: <offer-1@shop.example>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="mixed"',
  '',
  '--mixed',
  'Content-Type: multipart/related; boundary="related"',
  '',
  '--related',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Hello <b>reader</b></p><img src="cid:logo@shop" alt="logo"><img src="https://tracker.example/open.gif">',
  '--related',
  'Content-Type: image/png',
  'Content-ID: <logo@shop>',
  'Content-Disposition: inline',
  'Content-Transfer-Encoding: base64',
  '',
  b64(PNG),
  '--related--',
  '--mixed',
  'Content-Type: text/html; name="page.html"',
  'Content-Disposition: attachment; filename="page.html"',
  '',
  '<script>alert(document.cookie)</script>',
  '--mixed',
  'Content-Type: image/svg+xml; name="vector.svg"',
  'Content-Disposition: attachment; filename="vector.svg"',
  '',
  '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
  '--mixed',
  'Content-Type: application/pdf',
  "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf",
  'Content-Transfer-Encoding: base64',
  '',
  b64(Buffer.from('%PDF-1.4\n%%EOF\n')),
  '--mixed--',
  '',
].join('\r\n');

async function detail(client: ApiClient, id: string, query = '') {
  const response = await client.get(`/api/messages/${id}${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<MessageDetail>();
}

describe('reading a message', () => {
  it('answers with headers, addresses, text, sanitized HTML and its attachments', async () => {
    const { client, deliver, account } = await reader();
    const id = await deliver(richMessage);
    const message = await detail(client, id);
    expect(message).toMatchObject({
      id,
      accountId: account.id,
      subject: 'Spécial offer',
      from: { name: 'Shop', address: 'News@Shop.example' },
      to: [
        { name: 'Reader', address: 'reader@example.test' },
        { name: '', address: 'other@example.test' },
      ],
      cc: [{ name: '', address: 'cc@example.test' }],
      replyTo: [],
      messageId: '<offer-1@shop.example>',
      date: '2024-01-02T10:00:00.000Z',
      seen: false,
      flagged: false,
      hasAttachments: true,
      headersOnly: false,
      parseError: null,
      trashed: false,
      serverState: 'on_server',
      senderTrusted: false,
      remoteImagesBlocked: true,
    });
    expect(message.headers).toContainEqual(['subject', '=?UTF-8?Q?Sp=C3=A9cial_offer?=']);
    const logo = message.attachments.find((a) => a.contentId === 'logo@shop')!;
    expect(logo).toMatchObject({ contentType: 'image/png', inline: true, size: PNG.length });
    expect(logo.url).toBe(`/api/messages/${id}/attachments/${logo.id}`);
    expect(message.attachments.map((a) => a.filename).sort()).toEqual([
      null,
      'page.html',
      'résumé "final".pdf',
      'vector.svg',
    ]);
    expect(message.html).toContain('<b>reader</b>');
    expect(message.html).toContain(`<img src="${logo.url}?inline=1" alt="logo" />`);
    expect(message.html).not.toContain('tracker.example');
  });

  it('does not mark the message read by reading it', async () => {
    const { client, deliver } = await reader();
    const id = await deliver('Subject: quiet\r\n\r\nhello\r\n');
    await detail(client, id);
    expect((await detail(client, id)).seen).toBe(false);
  });

  it('answers a plain-text message with its text and no HTML', async () => {
    const { client, deliver } = await reader();
    const id = await deliver('From: a@example.test\r\nSubject: plain\r\n\r\n<b>not html</b>\r\n');
    const message = await detail(client, id);
    expect(message.text).toBe('<b>not html</b>\n');
    expect(message.html).toBeNull();
    expect(message.remoteImagesBlocked).toBe(false);
  });

  it('documents every messages route in OpenAPI under the messages tag', async () => {
    const spec = (await subject.app.inject({ url: '/api/docs/json' })).json<{
      paths: Record<string, Record<string, { tags?: string[] }>>;
    }>();
    const routes = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith('/api/messages'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({ route: `${method} ${path}`, op })),
      );
    expect(routes.map((r) => r.route).sort()).toEqual(
      [
        'get /api/messages',
        'patch /api/messages',
        'post /api/messages/trash',
        'post /api/messages/restore',
        'get /api/messages/{id}',
        'patch /api/messages/{id}',
        'delete /api/messages/{id}',
        'post /api/messages/{id}/restore',
        'get /api/messages/{id}/raw',
        'get /api/messages/{id}/attachments/{attachmentId}',
        'get /api/messages/{id}/images',
        'post /api/messages/{id}/trust-sender',
        'delete /api/messages/{id}/trust-sender',
        'post /api/messages/{id}/fetch-full',
        'post /api/messages/{id}/unsubscribe',
        'get /api/messages/{id}/attachments/{attachmentId}/message',
        'get /api/messages/{id}/attachments/{attachmentId}/parts/{index}',
        'post /api/messages/delete-permanently',
        'get /api/messages/empty-trash',
        'post /api/messages/empty-trash',
      ].sort(),
    );
    for (const { route, op } of routes) expect(op.tags, route).toEqual(['messages']);
  });
});

describe('the raw message', () => {
  it('is the stored bytes as message/rfc822, downloaded under a safe file name', async () => {
    const { client, deliver } = await reader();
    const raw = 'From: a@example.test\r\nSubject: ../../etc/passwd "quoted"\r\n\r\nbody\r\n';
    const id = await deliver(raw);
    const response = await client.get(`/api/messages/${id}/raw`);
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(Buffer.from(raw))).toBe(true);
    expect(response.headers['content-type']).toBe('message/rfc822');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    const disposition = response.headers['content-disposition'] as string;
    expect(disposition).toMatch(/^attachment; filename="[^"/\\]+\.eml"; filename\*=UTF-8''/);
    expect(disposition).not.toContain('/');
  });
});

describe('attachments', () => {
  async function withAttachments() {
    const r = await reader();
    const id = await r.deliver(richMessage);
    const message = await detail(r.client, id);
    const named = (name: string | null) => message.attachments.find((a) => a.filename === name)!;
    return { ...r, id, message, named };
  }

  it('serves an HTML attachment as an opaque download, never as a page', async () => {
    const { client, named } = await withAttachments();
    const response = await client.get(named('page.html').url);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="page.html"; filename*=UTF-8''page.html`,
    );
    expect(response.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    expect(response.body).toContain('<script>');
  });

  it('never serves SVG as an image, even inline', async () => {
    const { client, named } = await withAttachments();
    const response = await client.get(`${named('vector.svg').url}?inline=1`);
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(response.headers['content-disposition']).toMatch(/^attachment;/);
  });

  it('names files with RFC 6266 filename* and an ASCII fallback', async () => {
    const { client, named } = await withAttachments();
    const response = await client.get(named('résumé "final".pdf').url);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="resume _final_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf`,
    );
    expect(response.rawPayload.toString()).toBe('%PDF-1.4\n%%EOF\n');
  });

  it('shows images and PDF inline when asked, sandboxed', async () => {
    const { client, named } = await withAttachments();
    for (const attachment of [named(null), named('résumé "final".pdf')]) {
      const response = await client.get(`${attachment.url}?inline=1`);
      expect(response.headers['content-type']).toBe(attachment.contentType);
      expect(response.headers['content-disposition']).toMatch(/^inline; filename=/);
      expect(response.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
    const logo = await client.get(`${named(null).url}?inline=1`);
    expect(logo.rawPayload.equals(PNG)).toBe(true);
  });

  it('answers 404 for an attachment of another message of the same user', async () => {
    const { client, deliver, named } = await withAttachments();
    const other = await deliver('Subject: other\r\n\r\nx\r\n');
    const response = await client.get(
      `/api/messages/${other}/attachments/${named('page.html').id}`,
    );
    expect(response.statusCode).toBe(404);
  });
});

describe('trusted senders', () => {
  it('shows remote images of a trusted sender in all their messages until trust is withdrawn', async () => {
    const { client, deliver } = await reader();
    const first = await deliver(richMessage);
    const second = await deliver(richMessage.replace('offer-1@', 'offer-2@'));
    const trusted = await client.post(`/api/messages/${first}/trust-sender`);
    expect(trusted.statusCode).toBe(200);
    expect(trusted.json()).toEqual({ address: 'news@shop.example', trusted: true });
    // Trusting twice changes nothing.
    expect((await client.post(`/api/messages/${first}/trust-sender`)).statusCode).toBe(200);

    const shown = await detail(client, second);
    expect(shown.senderTrusted).toBe(true);
    expect(shown.remoteImagesBlocked).toBe(false);
    expect(shown.html).toContain(`/api/messages/${second}/images?url=`);

    const withdrawn = await client.delete(`/api/messages/${first}/trust-sender`);
    expect(withdrawn.json()).toEqual({ address: 'news@shop.example', trusted: false });
    const blocked = await detail(client, second);
    expect(blocked.senderTrusted).toBe(false);
    expect(blocked.remoteImagesBlocked).toBe(true);
  });

  it('refuses to trust a message without a sender address', async () => {
    const { client, deliver } = await reader();
    const id = await deliver('Subject: anonymous\r\n\r\nx\r\n');
    const response = await client.post(`/api/messages/${id}/trust-sender`);
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('NO_SENDER');
  });
});
