import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeDraft } from '../src/drafts/compose-draft';
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

/** A user with two accounts, an identity on each, and mail delivered into the second. */
async function mailbox() {
  const client = new ApiClient(subject.app);
  const user = await client.signUp(`replies-${tag()}@example.test`);
  const account = (username: string) =>
    prisma().pop3Account.create({
      data: {
        userId: user.id,
        label: username,
        host: 'pop.example.test',
        port: 995,
        username,
        secretCiphertext: new Uint8Array([0]),
        secretKeyId: 'test',
      },
    });
  const home = await account('me@home.example');
  const work = await account('me.work');
  const identity = (accountId: string, address: string) =>
    prisma().identity.create({
      data: {
        userId: user.id,
        accountId,
        name: 'Me',
        address,
        smtpHost: 'smtp.example.org',
        smtpPort: 587,
        smtpUsername: 'me',
      },
    });
  await identity(home.id, 'me@home.example');
  const workIdentity = await identity(work.id, 'Me@Work.example');
  const deliver = async (raw: string) => {
    const bytes = Buffer.from(raw.replace(/\n/g, '\r\n'));
    const stored = await storeMessage(
      prisma(),
      {
        accountId: work.id,
        userId: user.id,
        uidl: tag(),
        listedSize: bytes.length,
        raw: bytes,
        headersOnly: false,
        receivedAt: new Date(),
      },
      await parseMessage(bytes),
    );
    return { id: stored.id, bytes };
  };
  return { client, user, workIdentity, deliver };
}

const ORIGINAL = `From: Ada Lovelace <ada@example.net>
Reply-To: Ada's list <list@example.net>
To: Me <me@work.example>, Bob <bob@example.net>, ME@HOME.EXAMPLE
Cc: Carol <carol@example.net>, bob@EXAMPLE.net
Subject: RE: Aw: the engine
Date: Mon, 02 Nov 2026 08:00:00 +0000
Message-ID: <third@example.net>
In-Reply-To: <second@example.net>
References: <first@example.net> <second@example.net>
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: multipart/alternative; boundary="a"

--a
Content-Type: text/plain; charset=utf-8

The engine runs.
> earlier words

--a
Content-Type: text/html; charset=utf-8

<p>The <b>engine</b> runs.</p><script>steal()</script>
--a--
--b
Content-Type: text/csv; name="notes.csv"
Content-Disposition: attachment; filename="notes.csv"

a,b
1,2
--b--
`;

describe('replying', () => {
  it('answers the Reply-To, with Re: once, the quote, the threading headers and the identity of the account it came in on', async () => {
    const { client, user, workIdentity, deliver } = await mailbox();
    const original = await deliver(ORIGINAL);
    const response = await client.post('/api/drafts', { inReplyTo: original.id });
    expect(response.statusCode).toBe(201);
    const draft = response.json();
    expect(draft).toMatchObject({
      identityId: workIdentity.id,
      to: [{ name: "Ada's list", address: 'list@example.net' }],
      cc: [],
      subject: 'Re: the engine',
      inReplyTo: original.id,
      forwardOf: null,
    });
    expect(draft.text).toBe(
      '\n\nOn Mon, 02 Nov 2026 08:00 UTC, Ada Lovelace wrote:\n> The engine runs.\n>> earlier words\n',
    );
    expect(draft.html).toContain('<blockquote type="cite"><p>The <b>engine</b> runs.</p>');
    expect(draft.html).not.toContain('steal');

    await client.patch(`/api/drafts/${draft.id}`, { html: null, text: `Agreed.${draft.text}` });
    const composed = await composeDraft({ prisma: prisma() }, user.id, draft.id);
    const sent = await simpleParser(composed.raw);
    expect(sent.inReplyTo).toBe('<third@example.net>');
    expect(sent.references).toEqual([
      '<first@example.net>',
      '<second@example.net>',
      '<third@example.net>',
    ]);
    expect(sent.subject).toBe('Re: the engine');
    expect(sent.from?.value[0]?.address?.toLowerCase()).toBe('me@work.example');
    expect(sent.text).toContain('Agreed.\n\nOn Mon, 02 Nov 2026 08:00 UTC, Ada Lovelace wrote:');
  });

  it('replies to all without my own addresses (identities and account usernames, any case), each once', async () => {
    const { client, deliver } = await mailbox();
    const original = await deliver(ORIGINAL);
    const draft = (
      await client.post('/api/drafts', { inReplyTo: original.id, replyAll: true })
    ).json();
    expect(draft.to).toEqual([
      { name: "Ada's list", address: 'list@example.net' },
      { name: 'Bob', address: 'bob@example.net' },
    ]);
    expect(draft.cc).toEqual([{ name: 'Carol', address: 'carol@example.net' }]);
  });

  it('lets the fields the client gives win', async () => {
    const { client, deliver } = await mailbox();
    const original = await deliver(ORIGINAL);
    const draft = (
      await client.post('/api/drafts', {
        inReplyTo: original.id,
        to: [{ name: '', address: 'someone@example.org' }],
        subject: 'My own subject',
        text: 'Mine',
        html: null,
        identityId: null,
      })
    ).json();
    expect(draft).toMatchObject({
      to: [{ name: '', address: 'someone@example.org' }],
      subject: 'My own subject',
      text: 'Mine',
      html: null,
      identityId: null,
      inReplyTo: original.id,
    });
  });

  it('writes plain text when the client gives its own text and no HTML, so its words are what is sent', async () => {
    const { client, deliver } = await mailbox();
    const original = await deliver(ORIGINAL);
    const draft = (
      await client.post('/api/drafts', { inReplyTo: original.id, text: 'My answer' })
    ).json();
    expect(draft).toMatchObject({ text: 'My answer', html: null, inReplyTo: original.id });
    expect(draft.subject).toMatch(/^Re: /);
  });

  it("answers 404 for another user's message", async () => {
    const { deliver } = await mailbox();
    const stranger = await mailbox();
    const original = await deliver(ORIGINAL);
    const response = await stranger.client.post('/api/drafts', { inReplyTo: original.id });
    expect(response.statusCode).toBe(404);
    expect(await prisma().draft.count({ where: { userId: stranger.user.id } })).toBe(0);
  });

  it('answers a message without HTML with its text escaped in the blockquote', async () => {
    const { client, deliver } = await mailbox();
    const original = await deliver(
      'From: a@example.net\nSubject: Re: Re: plain\nDate: Mon, 02 Nov 2026 08:00:00 +0000\nMessage-ID: <p@example.net>\n\n<not a tag> & more\n',
    );
    const draft = (await client.post('/api/drafts', { inReplyTo: original.id })).json();
    expect(draft.subject).toBe('Re: plain');
    expect(draft.html).toContain('&lt;not a tag&gt; &amp; more');
    expect(draft.text).toContain(
      'On Mon, 02 Nov 2026 08:00 UTC, a@example.net wrote:\n> <not a tag> & more',
    );
  });
});

describe('forwarding', () => {
  it('inline: Fwd: once, the forwarded block, the original, and its attachments copied', async () => {
    const { client, user, deliver } = await mailbox();
    const original = await deliver(ORIGINAL.replace('RE: Aw: the engine', 'Fw: the engine'));
    const draft = (await client.post('/api/drafts', { forwardOf: original.id })).json();
    expect(draft).toMatchObject({
      to: [],
      subject: 'Fwd: the engine',
      forwardOf: original.id,
      forwardAsAttachment: false,
    });
    expect(draft.attachments).toMatchObject([{ filename: 'notes.csv', contentType: 'text/csv' }]);
    expect(draft.text).toContain(
      '---------- Forwarded message ----------\nFrom: Ada Lovelace <ada@example.net>\nDate: Mon, 02 Nov 2026 08:00 UTC\nSubject: Fw: the engine\nTo: Me <me@work.example>, Bob <bob@example.net>, ME@HOME.EXAMPLE\n\nThe engine runs.',
    );
    expect(draft.html).toContain('---------- Forwarded message ----------');

    await client.patch(`/api/drafts/${draft.id}`, {
      to: [{ name: '', address: 'dan@example.org' }],
    });
    const composed = await composeDraft({ prisma: prisma() }, user.id, draft.id);
    const sent = await simpleParser(composed.raw);
    expect(sent.inReplyTo).toBeUndefined();
    expect(sent.attachments[0]?.content.toString()).toBe('a,b\r\n1,2');
  });

  it('as attachment: the original bytes as one message/rfc822 part named after the subject', async () => {
    const { client, user, deliver } = await mailbox();
    const original = await deliver(ORIGINAL);
    const draft = (
      await client.post('/api/drafts', { forwardOf: original.id, forwardAs: 'attachment' })
    ).json();
    expect(draft).toMatchObject({
      subject: 'Fwd: RE: Aw: the engine',
      forwardAsAttachment: true,
      text: '',
      html: null,
    });
    expect(draft.attachments).toMatchObject([
      {
        filename: 'RE: Aw: the engine.eml',
        contentType: 'message/rfc822',
        size: original.bytes.length,
      },
    ]);
    await client.patch(`/api/drafts/${draft.id}`, {
      to: [{ name: '', address: 'dan@example.org' }],
    });
    const composed = await composeDraft({ prisma: prisma() }, user.id, draft.id);
    const sent = await simpleParser(composed.raw);
    expect(sent.attachments).toHaveLength(1);
    expect(sent.attachments[0]!.contentType).toBe('message/rfc822');
    expect(sent.attachments[0]!.content.equals(original.bytes)).toBe(true);
  });

  it('refuses answering and forwarding at once', async () => {
    const { client, deliver } = await mailbox();
    const original = await deliver(ORIGINAL);
    const response = await client.post('/api/drafts', {
      inReplyTo: original.id,
      forwardOf: original.id,
    });
    expect(response.statusCode).toBe(400);
  });
});
