import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { DomainError } from '../src/domain-errors';
import { composeDraft } from '../src/drafts/compose-draft';
import { userWithAccount } from './support/fixtures';

let prisma: Db;
beforeAll(() => {
  prisma = createPrismaClient(inject('databaseUrl'), 4);
});
afterAll(() => prisma.$disconnect());

async function sender(identity: Record<string, unknown> = {}) {
  const { user, account } = await userWithAccount(prisma);
  const created = await prisma.identity.create({
    data: {
      userId: user.id,
      accountId: account.id,
      name: 'Ada Lovelace',
      address: 'ada@example.org',
      replyTo: { name: 'Ada at home', address: 'ada@home.example.org' },
      smtpHost: 'smtp.example.org',
      smtpPort: 587,
      smtpUsername: 'ada',
      ...identity,
    },
  });
  return { user, account, identity: created };
}

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

async function problemsOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('DRAFT_NOT_SENDABLE');
  return (error as DomainError).problems ?? [];
}

describe('composing a draft into MIME', () => {
  it('writes the headers, the HTML with its generated text, and the attachments byte for byte', async () => {
    const { user, account, identity } = await sender();
    const binary = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
    const draft = await prisma.draft.create({
      data: {
        userId: user.id,
        identityId: identity.id,
        to: [{ name: 'Bob Builder', address: 'bob@example.net' }],
        cc: [{ name: '', address: 'carol@example.net' }],
        bcc: [{ name: 'Secret', address: 'dave@example.net' }],
        subject: 'Grüße and a plan',
        text: 'ignored: the HTML is the body',
        html: '<p>Hello <b>Bob</b>, see <a href="https://example.org/x">the plan</a>.</p><script>alert(1)</script><img src="https://tracker.example/p.gif">',
        inReplyToHeader: '<orig@example.net>',
        referencesHeader: '<root@example.net> <orig@example.net>',
        attachments: {
          create: [
            {
              filename: 'data.bin',
              contentType: 'application/octet-stream',
              size: binary.length,
              sha256: 'x',
              content: new Uint8Array(binary),
            },
            {
              filename: 'dot.png',
              contentType: 'image/png',
              size: PNG.length,
              sha256: 'y',
              content: new Uint8Array(PNG),
            },
          ],
        },
      },
    });
    const composed = await composeDraft({ prisma }, user.id, draft.id, {
      messageId: '<fixed-1@example.org>',
      date: new Date('2026-11-02T08:00:00Z'),
    });
    expect(composed).toMatchObject({
      userId: user.id,
      identityId: identity.id,
      accountId: account.id,
      draftId: draft.id,
      messageIdHeader: '<fixed-1@example.org>',
      subject: 'Grüße and a plan',
      envelope: {
        from: 'ada@example.org',
        to: ['bob@example.net', 'carol@example.net', 'dave@example.net'],
      },
    });
    const raw = composed.raw.toString('latin1');
    expect(raw).not.toMatch(/^bcc:/im);
    expect(raw).not.toContain('dave@example.net');

    const parsed = await simpleParser(composed.raw);
    expect(parsed.from?.value).toEqual([{ name: 'Ada Lovelace', address: 'ada@example.org' }]);
    expect(parsed.replyTo?.value).toEqual([
      { name: 'Ada at home', address: 'ada@home.example.org' },
    ]);
    expect(parsed.subject).toBe('Grüße and a plan');
    expect(parsed.messageId).toBe('<fixed-1@example.org>');
    expect(parsed.inReplyTo).toBe('<orig@example.net>');
    expect(parsed.references).toEqual(['<root@example.net>', '<orig@example.net>']);
    expect(parsed.date?.toISOString()).toBe('2026-11-02T08:00:00.000Z');
    expect(parsed.html).toContain('<b>Bob</b>');
    expect(parsed.html).not.toContain('script');
    expect(parsed.html).not.toContain('tracker.example');
    expect(parsed.text).toContain('Hello Bob, see the plan [https://example.org/x].');
    expect(parsed.text).not.toContain('ignored');
    expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['data.bin', 'application/octet-stream'],
      ['dot.png', 'image/png'],
    ]);
    expect(parsed.attachments[0]!.content.equals(binary)).toBe(true);
    expect(parsed.attachments[1]!.content.equals(PNG)).toBe(true);
  });

  it('sends plain text as written when the draft has no HTML', async () => {
    const { user, identity } = await sender();
    const draft = await prisma.draft.create({
      data: {
        userId: user.id,
        identityId: identity.id,
        to: [{ name: '', address: 'bob@example.net' }],
        subject: 'Plain',
        text: 'Line one\n\n> quoted line\n-- \nAda',
      },
    });
    const parsed = await simpleParser((await composeDraft({ prisma }, user.id, draft.id)).raw);
    expect(parsed.html).toBe(false);
    expect(parsed.text?.trim()).toBe('Line one\n\n> quoted line\n-- \nAda');
  });

  it('keeps the Message-ID it is given, or derives it from the outbox item, on every composing', async () => {
    const { user, identity } = await sender({ address: 'ada@bücher.example' });
    const draft = await prisma.draft.create({
      data: {
        userId: user.id,
        identityId: identity.id,
        to: [{ name: '', address: 'bob@example.net' }],
      },
    });
    const outboxId = '0190a4c2-0000-7000-8000-000000000001';
    const first = await composeDraft({ prisma }, user.id, draft.id, { outboxId });
    const second = await composeDraft({ prisma }, user.id, draft.id, { outboxId });
    expect(first.messageIdHeader).toBe(`<${outboxId}@xn--bcher-kva.example>`);
    expect(second.messageIdHeader).toBe(first.messageIdHeader);
    expect((await simpleParser(second.raw)).messageId).toBe(first.messageIdHeader);
    const fresh = await composeDraft({ prisma }, user.id, draft.id);
    expect(fresh.messageIdHeader).toMatch(/^<[0-9a-f-]{36}@xn--bcher-kva\.example>$/);
  });

  it('reports every problem at once: no identity, recipients that are not addresses, line breaks in headers', async () => {
    const { user } = await sender();
    const draft = await prisma.draft.create({
      data: {
        userId: user.id,
        to: [
          { name: 'Bob', address: 'not an address' },
          { name: 'Eve\r\nBcc: victim@example.net', address: 'eve@example.net' },
        ],
        cc: [{ name: '', address: 'carol@' }],
        subject: 'Hello\r\nBcc: everyone@example.net',
      },
    });
    const problems = await problemsOf(composeDraft({ prisma }, user.id, draft.id));
    expect(problems).toEqual([
      { field: 'identityId', message: 'Choose who this message is from' },
      {
        field: 'to',
        value: 'not an address',
        message: '"not an address" is not an e-mail address',
      },
      {
        field: 'to',
        value: 'eve@example.net',
        message: 'The name of eve@example.net contains a line break or control character',
      },
      { field: 'cc', value: 'carol@', message: '"carol@" is not an e-mail address' },
      { field: 'subject', message: 'The subject contains a line break or control character' },
    ]);
  });

  it('refuses a draft without recipients, and one larger than the admin allows', async () => {
    const { user, identity } = await sender();
    const policy = await prisma.policy.upsert({ where: { id: 1 }, update: {}, create: {} });
    const big = Buffer.alloc(policy.maxOutgoingBytes + 1, 1);
    const draft = await prisma.draft.create({
      data: {
        userId: user.id,
        identityId: identity.id,
        attachments: {
          create: [
            {
              filename: 'big.bin',
              contentType: 'application/octet-stream',
              size: big.length,
              sha256: 'z',
              content: new Uint8Array(big),
            },
          ],
        },
      },
    });
    const problems = await problemsOf(composeDraft({ prisma }, user.id, draft.id));
    expect(problems.map((p) => p.field)).toEqual(['to', 'attachments']);
    expect(problems[1]!.message).toMatch(/at most 25 MB may be sent/);
  });

  it('accepts internationalised domains and refuses what a mail server would not take', async () => {
    const { user, identity } = await sender();
    const ok = ['ana@bücher.example', 'o.brien+tag@example.co.uk', 'δοκιμή@παράδειγμα.δοκιμή'];
    const bad = ['a@b', '@example.org', 'a..b@example.org', 'a b@example.org', 'a@-x.example'];
    const draft = await prisma.draft.create({
      data: {
        userId: user.id,
        identityId: identity.id,
        to: [...ok, ...bad].map((address) => ({ name: '', address })),
      },
    });
    const problems = await problemsOf(composeDraft({ prisma }, user.id, draft.id));
    expect(problems.map((p) => p.value)).toEqual(bad);
  });

  it("is another user's draft: not found", async () => {
    const { user, identity } = await sender();
    const other = await sender();
    const draft = await prisma.draft.create({
      data: { userId: user.id, identityId: identity.id, to: [{ name: '', address: 'b@x.org' }] },
    });
    await expect(composeDraft({ prisma }, other.user.id, draft.id)).rejects.toMatchObject({
      kind: 'not_found',
    });
  });
});
