import { randomBytes } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { unsubscribeOffer } from '@popgate/contracts';
import { generateSelfSignedCert, type SelfSignedCertificate } from '@popgate/pop3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../src/mail/parse-message';
import { postOneClickUnsubscribe } from '../src/mail/one-click-post';
import { storeMessage } from '../src/messages/store';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';

interface Received {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let cert: SelfSignedCertificate;
let server: https.Server;
let base: string;
const received: Received[] = [];
let subject: Awaited<ReturnType<typeof testApp>>;

beforeAll(async () => {
  cert = await generateSelfSignedCert();
  server = https.createServer({ key: cert.key, cert: cert.cert }, (request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      if (request.url === '/refuse') response.writeHead(500).end();
      else if (request.url === '/moved')
        response.writeHead(302, { location: `${base}/elsewhere` }).end();
      else response.writeHead(200).end('You are unsubscribed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  subject = await testApp();
});
afterAll(async () => {
  await subject?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe('what List-Unsubscribe offers', () => {
  it('the one-click POST when List-Unsubscribe-Post asks for it and an https address is given', () => {
    expect(
      unsubscribeOffer([
        [
          'list-unsubscribe',
          '<mailto:leave@list.example?subject=unsubscribe>,\r\n <https://list.example/u/42>',
        ],
        ['list-unsubscribe-post', 'List-Unsubscribe=One-Click'],
      ]),
    ).toEqual({
      oneClick: 'https://list.example/u/42',
      url: 'https://list.example/u/42',
      mailto: 'mailto:leave@list.example?subject=unsubscribe',
    });
  });

  it('only the page or the mail without List-Unsubscribe-Post, or with a plain http address', () => {
    expect(unsubscribeOffer([['List-Unsubscribe', '<https://list.example/u>']])).toEqual({
      oneClick: null,
      url: 'https://list.example/u',
      mailto: null,
    });
    expect(
      unsubscribeOffer([
        ['list-unsubscribe', '<http://list.example/u>'],
        ['list-unsubscribe-post', 'List-Unsubscribe=One-Click'],
      ])?.oneClick,
    ).toBeNull();
  });

  it('nothing without the header or without a usable address', () => {
    expect(unsubscribeOffer([['subject', 'hi']])).toBeNull();
    expect(unsubscribeOffer([['list-unsubscribe', 'not in brackets']])).toBeNull();
    expect(unsubscribeOffer([['list-unsubscribe', '<javascript:alert(1)>']])).toBeNull();
  });
});

describe('the one-click POST', () => {
  it('sends List-Unsubscribe=One-Click as a form, with nothing of the reader', async () => {
    received.length = 0;
    const status = await postOneClickUnsubscribe(`${base}/u/42?list=news`, {
      allowPrivateNetworks: true,
      ca: cert.cert,
    });
    expect(status).toBe(200);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      method: 'POST',
      url: '/u/42?list=news',
      body: 'List-Unsubscribe=One-Click',
    });
    expect(received[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(received[0]!.headers.cookie).toBeUndefined();
    expect(received[0]!.headers.referer).toBeUndefined();
  });

  it('says so when the sender refuses, and follows no redirect', async () => {
    const options = { allowPrivateNetworks: true, ca: cert.cert };
    await expect(postOneClickUnsubscribe(`${base}/refuse`, options)).rejects.toThrow(
      "The sender's server refused the unsubscribe (HTTP 500)",
    );
    received.length = 0;
    await expect(postOneClickUnsubscribe(`${base}/moved`, options)).rejects.toThrow(/HTTP 302/);
    expect(received.map((r) => r.url)).toEqual(['/moved']);
  });

  it('never reaches a private network address unless allowed (the SSRF guard)', async () => {
    received.length = 0;
    await expect(
      postOneClickUnsubscribe(`${base}/u`, { allowPrivateNetworks: false, ca: cert.cert }),
    ).rejects.toMatchObject({ code: 'BLOCKED_HOST' });
    await expect(
      postOneClickUnsubscribe('https://list.example/u', {
        allowPrivateNetworks: false,
        resolve: async () => ['10.0.0.7'],
      }),
    ).rejects.toMatchObject({ code: 'BLOCKED_HOST' });
    expect(received).toHaveLength(0);
  });
});

describe('POST /api/messages/:id/unsubscribe', () => {
  const tag = () => randomBytes(4).toString('hex');
  async function reader(headers: string[]) {
    const client = new ApiClient(subject.app);
    const user = await client.signUp(`unsub-${tag()}@example.test`);
    const prisma = subject.app.db.prisma;
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
    const raw = Buffer.from(
      [
        'From: News <news@list.example>',
        'To: reader@example.test',
        'Subject: This week',
        ...headers,
        '',
        'Hello',
        '',
      ].join('\r\n'),
    );
    const stored = await storeMessage(
      prisma,
      {
        accountId: account.id,
        userId: user.id,
        uidl: `uidl-${tag()}`,
        listedSize: raw.length,
        raw,
        headersOnly: false,
        receivedAt: new Date(),
      },
      await parseMessage(raw),
    );
    return { client, id: stored.id };
  }

  it('goes through the network guard: a sender on a private address is refused', async () => {
    received.length = 0;
    const { client, id } = await reader([
      `List-Unsubscribe: <${base}/u/1>`,
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    ]);
    const response = await client.post(`/api/messages/${id}/unsubscribe`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'BLOCKED_HOST' } });
    expect(received).toHaveLength(0);
  });

  it('says when the message offers no one-click unsubscribe', async () => {
    const { client, id } = await reader(['List-Unsubscribe: <mailto:leave@list.example>']);
    const response = await client.post(`/api/messages/${id}/unsubscribe`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: {
        code: 'NO_ONE_CLICK',
        message: 'This message does not offer a one-click unsubscribe',
      },
    });
  });

  it('answers 404 for another user’s message', async () => {
    const { id } = await reader([
      '<https://list.example/u>',
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    ]);
    const stranger = new ApiClient(subject.app);
    await stranger.signUp(`stranger-${tag()}@example.test`);
    expect((await stranger.post(`/api/messages/${id}/unsubscribe`)).statusCode).toBe(404);
  });
});
