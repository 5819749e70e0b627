import { randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageDetail } from '@popgate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRemoteImage } from '../src/mail/fetch-remote-image';
import { parseMessage } from '../src/mail/parse-message';
import { storeMessage } from '../src/messages/store';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const SIX_MIB = 6 * 1024 * 1024;

/** The sender's web server: records what reaches it. */
const requests: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
const remote = http.createServer((request, response) => {
  requests.push({ url: request.url!, headers: request.headers });
  switch (request.url!.split('?')[0]) {
    case '/pixel.png':
      response.writeHead(200, { 'content-type': 'image/png', 'set-cookie': 'track=1' });
      return response.end(PNG);
    case '/page.html':
      response.writeHead(200, { 'content-type': 'text/html' });
      return response.end('<script>alert(1)</script>');
    case '/vector.svg':
      response.writeHead(200, { 'content-type': 'image/svg+xml' });
      return response.end('<svg onload="alert(1)"/>');
    case '/big.png':
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': SIX_MIB });
      return response.end(Buffer.alloc(SIX_MIB));
    case '/endless.png':
      // No length announced: the cap must hold while streaming.
      response.writeHead(200, { 'content-type': 'image/png' });
      return response.end(Buffer.alloc(SIX_MIB));
    case '/moved':
      response.writeHead(302, { location: '/pixel.png' });
      return response.end();
    case '/missing.png':
      response.writeHead(404);
      return response.end();
    case '/slow.png':
      return; // never answers
    default:
      response.writeHead(500);
      response.end();
  }
});

let origin: string;
let subject: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
  // The sender's server is on 127.0.0.1 here, so this app allows private addresses.
  subject = await testApp({ env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' } });
});
afterAll(async () => {
  await subject?.close();
  remote.closeAllConnections();
  await new Promise((resolve) => remote.close(resolve));
});

const tag = () => randomBytes(4).toString('hex');

async function readerWithNewsletter(app = subject.app) {
  const client = new ApiClient(app);
  const user = await client.signUp(`images-${tag()}@example.test`);
  const prisma = app.db.prisma;
  const account = await prisma.pop3Account.create({
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
  const html = [
    `<p>Spring sale</p>`,
    `<img src="${origin}/pixel.png" alt="pixel">`,
    `<img src="${origin}/page.html" alt="page">`,
    `<img src="${origin}/vector.svg" alt="vector">`,
    `<img src="${origin}/big.png" alt="big">`,
    `<img src="${origin}/endless.png" alt="endless">`,
    `<img src="${origin}/missing.png" alt="missing">`,
    `<table background="${origin}/moved"><tr><td style="background-image: url('${origin}/pixel.png?css')">x</td></tr></table>`,
  ].join('\n');
  const raw = Buffer.from(
    `From: Shop <shop@example.test>\r\nSubject: sale\r\nContent-Type: text/html\r\n\r\n${html}\r\n`,
  );
  const { id } = await storeMessage(
    prisma,
    {
      accountId: account.id,
      userId: user.id,
      uidl: tag(),
      listedSize: raw.length,
      raw,
      headersOnly: false,
      receivedAt: new Date(),
    },
    await parseMessage(raw),
  );
  return { client, id };
}

/** The proxy URLs in a message's HTML, by the remote URL they stand for. */
function proxyUrls(html: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of html.matchAll(
    /\/api\/messages\/[^"'()\s&]+\/images\?(?:[^"'()\s&]|&(?!quot;))+/g,
  )) {
    const url = match[0].replace(/&amp;/g, '&');
    found.set(new URL(url, 'http://x').searchParams.get('url')!, url);
  }
  return found;
}

describe('remote images', () => {
  it('are removed by default: nothing reaches the sender', async () => {
    const { client, id } = await readerWithNewsletter();
    const before = requests.length;
    const message = (await client.get(`/api/messages/${id}`)).json<MessageDetail>();
    expect(message.remoteImagesBlocked).toBe(true);
    expect(message.html).not.toContain('127.0.0.1');
    expect(message.html).not.toContain('/images?');
    expect(message.html).toContain('alt="pixel"');
    expect(requests.length).toBe(before);
  });

  it('load through the proxy when asked for, without the reader’s cookies or address', async () => {
    const { client, id } = await readerWithNewsletter();
    const message = (await client.get(`/api/messages/${id}?images=1`)).json<MessageDetail>();
    expect(message.remoteImagesBlocked).toBe(false);
    expect(message.html).not.toContain(`"${origin}`);
    const urls = proxyUrls(message.html!);
    expect([...urls.keys()].sort()).toEqual(
      [
        'big.png',
        'endless.png',
        'missing.png',
        'moved',
        'page.html',
        'pixel.png',
        'pixel.png?css',
        'vector.svg',
      ]
        .map((path) => `${origin}/${path}`)
        .sort(),
    );

    const response = await client.get(urls.get(`${origin}/pixel.png`)!, {
      referer: 'http://popgate.example/secret-page',
    });
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(PNG)).toBe(true);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['set-cookie']).toBeUndefined();
    const seen = requests.at(-1)!;
    expect(seen.url).toBe('/pixel.png');
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers.referer).toBeUndefined();
    expect(seen.headers['user-agent']).toBe('Popgate image proxy');
    expect(seen.headers['x-forwarded-for']).toBeUndefined();

    const css = await client.get(urls.get(`${origin}/pixel.png?css`)!);
    expect(css.statusCode).toBe(200);
    const redirected = await client.get(urls.get(`${origin}/moved`)!);
    expect(redirected.statusCode).toBe(200);
    expect(redirected.rawPayload.equals(PNG)).toBe(true);
  });

  it('refuse what is not an image, SVG, what is too large, and what is missing', async () => {
    const { client, id } = await readerWithNewsletter();
    const message = (await client.get(`/api/messages/${id}?images=1`)).json<MessageDetail>();
    const urls = proxyUrls(message.html!);
    for (const [path, status, code] of [
      ['page.html', 502, 'NOT_AN_IMAGE'],
      ['vector.svg', 502, 'NOT_AN_IMAGE'],
      ['big.png', 502, 'IMAGE_TOO_LARGE'],
      ['endless.png', 502, 'IMAGE_TOO_LARGE'],
      ['missing.png', 502, 'UNREACHABLE'],
    ] as const) {
      const response = await client.get(urls.get(`${origin}/${path}`)!);
      expect(response.statusCode, path).toBe(status);
      expect(response.json().error.code, path).toBe(code);
    }
  });

  it('are fetched only when the URL is one Popgate wrote into that very message', async () => {
    const first = await readerWithNewsletter();
    const message = (
      await first.client.get(`/api/messages/${first.id}?images=1`)
    ).json<MessageDetail>();
    const genuine = new URL(proxyUrls(message.html!).get(`${origin}/pixel.png`)!, 'http://x');
    const before = requests.length;

    const forged = new URL(genuine);
    forged.searchParams.set('url', `${origin}/page.html`);
    expect((await first.client.get(`${forged.pathname}${forged.search}`)).statusCode).toBe(404);

    const unsigned = `/api/messages/${first.id}/images?url=${encodeURIComponent(`${origin}/pixel.png`)}&sig=x`;
    expect((await first.client.get(unsigned)).statusCode).toBe(404);

    // A signature belongs to its message: it opens nothing in another one.
    const other = await readerWithNewsletter();
    const moved = `/api/messages/${other.id}/images${genuine.search}`;
    expect((await other.client.get(moved)).statusCode).toBe(404);
    expect(requests.length).toBe(before);
  });

  it('refuse private addresses unless this Popgate allows them', async () => {
    const strict = await testApp();
    try {
      const { client, id } = await readerWithNewsletter(strict.app);
      const message = (await client.get(`/api/messages/${id}?images=1`)).json<MessageDetail>();
      const before = requests.length;
      const response = await client.get(proxyUrls(message.html!).get(`${origin}/pixel.png`)!);
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('BLOCKED_HOST');
      expect(requests.length).toBe(before);
    } finally {
      await strict.close();
    }
  });
});

describe('the image fetcher', () => {
  it('gives up on a server that does not answer in time', async () => {
    await expect(
      fetchRemoteImage(`${origin}/slow.png`, { allowPrivateNetworks: true, timeoutMs: 300 }),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('connects to the address the guard checked, not to a second lookup', async () => {
    const port = (remote.address() as AddressInfo).port;
    const image = await fetchRemoteImage(`http://images.example.invalid:${port}/pixel.png`, {
      allowPrivateNetworks: true,
      resolve: async () => ['127.0.0.1'],
    });
    expect(image).toEqual({ contentType: 'image/png', body: PNG });
    expect(requests.at(-1)!.headers.host).toBe(`images.example.invalid:${port}`);
  });

  it('refuses a name that resolves to a private address, and other schemes', async () => {
    await expect(
      fetchRemoteImage('http://intranet.example.invalid/x.png', {
        allowPrivateNetworks: false,
        resolve: async () => ['10.0.0.8'],
      }),
    ).rejects.toMatchObject({ code: 'BLOCKED_HOST' });
    await expect(
      fetchRemoteImage('file:///etc/passwd', { allowPrivateNetworks: true }),
    ).rejects.toMatchObject({ code: 'BAD_URL' });
  });
});
