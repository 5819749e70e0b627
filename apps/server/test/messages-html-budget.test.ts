import { randomBytes } from 'node:crypto';
import type { MessageDetail } from '@popgate/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { createHtmlRenderer } from '../src/mail/html-renderer';
import { parseMessage } from '../src/mail/parse-message';
import { storeMessage } from '../src/messages/store';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';

/**
 * Invariant 7: no single message can stall the process for others. A message's HTML is made safe
 * off the event loop, within a time budget and a size cap; over either, the reader gets the text
 * part and the reason.
 */
type Subject = Awaited<ReturnType<typeof testApp>>;
const subjects: Subject[] = [];
afterAll(async () => {
  await Promise.all(subjects.map((subject) => subject.close()));
});

async function app(env: Record<string, string> = {}) {
  const subject = await testApp({ env });
  subjects.push(subject);
  return subject.app;
}

const tag = () => randomBytes(4).toString('hex');

async function readerOf(target: Subject['app']) {
  const client = new ApiClient(target);
  const user = await client.signUp(`html-${tag()}@example.test`);
  const account = await target.db.prisma.pop3Account.create({
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
  const deliver = async (raw: Buffer) => {
    const stored = await storeMessage(
      target.db.prisma,
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
    return stored.id;
  };
  return { client, deliver };
}

/** A multipart/alternative message: a short text part and the given HTML. */
function mail(subject: string, text: string, html: string): Buffer {
  return Buffer.from(
    [
      'From: Sender <sender@example.test>',
      'To: reader@example.test',
      `Subject: ${subject}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      '',
      text,
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      html,
      '--alt--',
      '',
    ].join('\r\n'),
  );
}

describe('opening a message with hostile HTML', () => {
  it('opens a 0.9 MB mail of 16,000 dropped images within the budget while /healthz keeps answering', async () => {
    const subject = await app();
    const origin = await subject.listen({ host: '127.0.0.1', port: 0 });
    const { client, deliver } = await readerOf(subject);
    const html = Array.from(
      { length: 16_000 },
      (_, i) => `<div><span><img src="http://tracker.example/p/${i}.png"></span></div>`,
    ).join('');
    expect(html.length).toBeGreaterThan(900_000);
    const id = await deliver(mail('pixels', 'Sixteen thousand pixels.', html));

    const healthLatencies: number[] = [];
    let reading = true;
    const probe = (async () => {
      while (reading) {
        const sent = performance.now();
        const response = await fetch(`${origin}/healthz`);
        expect(response.status).toBe(200);
        healthLatencies.push(performance.now() - sent);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const started = performance.now();
    const response = await client.get(`/api/messages/${id}`);
    const elapsed = performance.now() - started;
    reading = false;
    await probe;

    expect(response.statusCode).toBe(200);
    const message = response.json<MessageDetail>();
    expect(message.htmlWithheld ?? null).toBeNull();
    expect(message.remoteImagesBlocked).toBe(true);
    expect(message.html).not.toContain('<img');
    expect(message.html!.split('<div><span></span></div>').length - 1).toBe(16_000);
    // The default budget is 5 s of sanitizing; the whole read stays within it.
    expect(elapsed).toBeLessThan(5000);
    // The event loop stayed free: health answered throughout (a blocked loop stalls it seconds).
    expect(healthLatencies.length).toBeGreaterThan(0);
    expect(Math.max(...healthLatencies)).toBeLessThan(1000);
  });

  it('a message whose sanitizing exceeds the budget shows its text part and says why', async () => {
    const subject = await app({ POPGATE_HTML_TIME_BUDGET_MS: '50' });
    const { client, deliver } = await readerOf(subject);
    // About 3 MB of short paragraphs: far more than 50 ms of sanitizing, under the inline cap.
    const html = '<p class="c">x</p>'.repeat(170_000);
    const id = await deliver(mail('heavy', 'The text version of the heavy one.', html));

    for (let read = 0; read < 2; read++) {
      const message = (await client.get(`/api/messages/${id}`)).json<MessageDetail>();
      expect(message.html).toBeNull();
      expect(message.htmlWithheld?.reason).toBe('TOO_COMPLEX');
      expect(message.htmlWithheld?.message).toMatch(/too complex to display safely/);
      expect(message.text).toContain('The text version of the heavy one.');
    }
    // The worker that ran over was stopped; the next message is sanitized as usual.
    const light = await deliver(mail('light', 'Light.', '<p>Light <b>one</b></p>'));
    const message = (await client.get(`/api/messages/${light}`)).json<MessageDetail>();
    expect(message.html).toBe('<p>Light <b>one</b></p>');
  });

  it('a message nesting elements thousands deep shows its text part and says why', async () => {
    const subject = await app();
    const { client, deliver } = await readerOf(subject);
    const html = `${'<div>'.repeat(5000)}deep${'</div>'.repeat(5000)}`;
    const id = await deliver(mail('deep', 'The text version of the deep one.', html));
    const message = (await client.get(`/api/messages/${id}`)).json<MessageDetail>();
    expect(message.html).toBeNull();
    expect(message.htmlWithheld?.reason).toBe('TOO_COMPLEX');
    expect(message.text).toContain('The text version of the deep one.');
  });

  it('HTML above the inline cap is not rendered inline; the original can still be downloaded', async () => {
    const subject = await app({ POPGATE_HTML_INLINE_MAX_BYTES: '65536' });
    const { client, deliver } = await readerOf(subject);
    const raw = mail('long', 'The text version of the long one.', '<p>para</p>'.repeat(10_000));
    const id = await deliver(raw);
    const message = (await client.get(`/api/messages/${id}`)).json<MessageDetail>();
    expect(message.html).toBeNull();
    expect(message.htmlWithheld?.reason).toBe('TOO_LARGE');
    expect(message.htmlWithheld?.message).toMatch(/too large to display safely/);
    expect(message.text).toContain('The text version of the long one.');
    const original = await client.get(`/api/messages/${id}/raw`);
    expect(original.statusCode).toBe(200);
    expect(original.rawPayload.equals(raw)).toBe(true);

    const short = await deliver(mail('short', 'Short.', '<p>para</p>'.repeat(100)));
    const shown = (await client.get(`/api/messages/${short}`)).json<MessageDetail>();
    expect(shown.html).toBe('<p>para</p>'.repeat(100));
    expect(shown.htmlWithheld ?? null).toBeNull();
  });
});

describe('the HTML renderer', () => {
  const renderer = createHtmlRenderer({
    secretKey: Buffer.alloc(32, 3),
    timeBudgetMs: 5000,
    inlineMaxBytes: 1024 * 1024,
  });
  afterAll(() => renderer.close());

  it('sanitizes a message once for repeated reads with the same image choice', async () => {
    const task = {
      messageId: '0190f5a4-0000-7000-8000-000000000002',
      html: '<p>hi <img src="https://cdn.example/a.png" alt="a"></p>',
      inlineParts: [],
    };
    const first = await renderer.render({ ...task, showRemoteImages: false });
    const again = await renderer.render({ ...task, showRemoteImages: false });
    expect(first).toEqual({
      html: '<p>hi <img alt="a" /></p>',
      remoteImagesBlocked: true,
      withheld: null,
    });
    expect(again).toBe(first);
    const withImages = await renderer.render({ ...task, showRemoteImages: true });
    expect(withImages.html).toContain('/images?url=https%3A%2F%2Fcdn.example%2Fa.png');
  });
});
