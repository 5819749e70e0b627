import { randomBytes } from 'node:crypto';
import type { EmbeddedMessage, MessageDetail } from '@popgate/contracts';
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

const tag = () => randomBytes(4).toString('hex');
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** What a mail client sends on "Forward as attachment": a note and the message as message/rfc822. */
const forwarded = [
  'From: Carol <carol@example.test>',
  'To: Alice <alice@example.test>',
  'Cc: team@example.test',
  'Subject: Quarterly report',
  'Date: Tue, 01 Dec 2026 09:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="inner"',
  '',
  '--inner',
  'Content-Type: multipart/related; boundary="rel"',
  '',
  '--rel',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p onclick="steal()">The <b>numbers</b> are in.</p><img src="cid:chart@x"><img src="https://tracker.example/p.gif"><script>alert(1)</script>',
  '--rel',
  'Content-Type: image/png',
  'Content-ID: <chart@x>',
  'Content-Transfer-Encoding: base64',
  '',
  PNG.toString('base64'),
  '--rel--',
  '--inner',
  'Content-Type: text/csv; name="q4.csv"',
  'Content-Disposition: attachment; filename="q4.csv"',
  '',
  'region,total',
  'north,12',
  '--inner--',
  '',
].join('\r\n');

const outer = [
  'From: Alice <alice@example.test>',
  'To: Bob <bob@example.test>',
  'Subject: Fwd: Quarterly report',
  'Date: Wed, 02 Dec 2026 10:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="outer"',
  '',
  '--outer',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'See the forwarded message.',
  '--outer',
  'Content-Type: message/rfc822',
  'Content-Disposition: attachment',
  '',
  forwarded,
  '--outer--',
  '',
].join('\r\n');

async function reader() {
  const client = new ApiClient(subject.app);
  const user = await client.signUp(`fwd-${tag()}@example.test`);
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
  const raw = Buffer.from(outer);
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
  const detail = (await client.get(`/api/messages/${stored.id}`)).json<MessageDetail>();
  return { client, detail };
}

describe('a forwarded message (message/rfc822)', () => {
  it('reads as a message: headers, sanitized body, its own attachments', async () => {
    const { client, detail } = await reader();
    const attachment = detail.attachments.find((a) => a.contentType === 'message/rfc822')!;
    const response = await client.get(`${attachment.url}/message`);
    expect(response.statusCode).toBe(200);
    const embedded = response.json<EmbeddedMessage>();
    expect(embedded).toMatchObject({
      subject: 'Quarterly report',
      from: { name: 'Carol', address: 'carol@example.test' },
      to: [{ name: 'Alice', address: 'alice@example.test' }],
      cc: [{ name: '', address: 'team@example.test' }],
      date: '2026-12-01T09:00:00.000Z',
      remoteImagesBlocked: true,
      parseError: null,
    });
    expect(embedded.html).toContain('<b>numbers</b>');
    expect(embedded.html).not.toMatch(/<script|onclick|tracker\.example/);
    const csv = embedded.attachments.find((a) => a.filename === 'q4.csv')!;
    expect(csv).toMatchObject({ contentType: 'text/csv', url: `${attachment.url}/parts/1` });
    // The inline chart points at its part.
    expect(embedded.html).toContain(`${attachment.url}/parts/0?inline=1`);

    const part = await client.get(csv.url);
    expect(part.statusCode).toBe(200);
    expect(part.body).toBe('region,total\r\nnorth,12');
    expect(part.headers['content-disposition']).toMatch(/^attachment; filename="q4.csv"/);
    expect(part.headers['content-type']).toBe('application/octet-stream');
    const chart = await client.get(`${attachment.url}/parts/0?inline=1`);
    expect(chart.rawPayload.equals(PNG)).toBe(true);
    expect(chart.headers['content-security-policy']).toBe("sandbox; default-src 'none'");

    // The attachment itself is the .eml, byte for byte.
    const eml = await client.get(attachment.url);
    expect(eml.body).toBe(forwarded);
  });

  it('answers 404 for a part that is not there and 400 for an index that is not a number', async () => {
    const { client, detail } = await reader();
    const attachment = detail.attachments.find((a) => a.contentType === 'message/rfc822')!;
    expect((await client.get(`${attachment.url}/parts/9`)).statusCode).toBe(404);
    expect((await client.get(`${attachment.url}/parts/x`)).statusCode).toBe(400);
  });

  it('is not readable by another user', async () => {
    const { detail } = await reader();
    const attachment = detail.attachments.find((a) => a.contentType === 'message/rfc822')!;
    const stranger = new ApiClient(subject.app);
    await stranger.signUp(`stranger-${tag()}@example.test`);
    expect((await stranger.get(`${attachment.url}/message`)).statusCode).toBe(404);
    expect((await stranger.get(`${attachment.url}/parts/1`)).statusCode).toBe(404);
  });
});
