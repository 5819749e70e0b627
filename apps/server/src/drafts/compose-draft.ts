/**
 * composeDraft: a draft turned into the final bytes of the message to send.
 *
 *   composeDraft(deps: { prisma: Db }, userId: string, draftId: string,
 *                opts: { messageId?: string; outboxId?: string; messageIdDomain?: string;
 *                        date?: Date }): Promise<ComposedMessage>
 *
 *   ComposedMessage = { userId, identityId, accountId, draftId, raw: Buffer,
 *     messageIdHeader: '<…@…>', envelope: { from, to: string[] }, subject,
 *     recipients: string[] ("Name <address>", for people to read) }
 *
 * The Message-ID is stable for one outbox item: `opts.messageId` as given, else
 * `<outboxId@identity's domain>` when `opts.outboxId` is given, else a new `<uuid@domain>`.
 * Every problem (no identity, no recipient, a recipient that is not an address, a line break in
 * the subject or a name, too many bytes) is reported at once: an unprocessable DomainError (422)
 * DRAFT_NOT_SENDABLE whose `problems` are contracts' DraftProblem. The client writes the
 * identity's signature into the body; composing adds nothing to it.
 */
import { randomUUID } from 'node:crypto';
import type { DraftProblem } from '@popgate/contracts';
import { loadPolicy } from '../accounts/account-policy-check';
import { storedBytes } from '../db/bytes';
import type { Db } from '../db/prisma';
import { unprocessable } from '../domain-errors';
import { asciiDomainOf } from '../mail/compose-address';
import { sanitizeOutgoingHtml } from '../mail/compose-html';
import { composeMime } from '../mail/compose-message';
import { textAlternativeOf } from '../mail/compose-text';
import { draftProblems } from './draft-problems';
import { ownedDraft, storedAddress, storedAddresses } from './owned-draft';

export interface ComposeDeps {
  prisma: Db;
}

export interface ComposeOptions {
  /** The Message-ID to use, with its angle brackets (the outbox's, when it already has one). */
  messageId?: string;
  /** Derives the Message-ID from the outbox item: `<outboxId@domain>`. */
  outboxId?: string;
  /** The Message-ID's domain; default the identity address's domain. */
  messageIdDomain?: string;
  /** The Date header; default now. */
  date?: Date;
}

export interface ComposedMessage {
  userId: string;
  identityId: string;
  /** The account of the identity: where the copy in Sent belongs. */
  accountId: string;
  draftId: string;
  raw: Buffer;
  /** The Message-ID header in `raw`, with its angle brackets. */
  messageIdHeader: string;
  envelope: { from: string; to: string[] };
  subject: string;
  /** To, Cc and Bcc as people read them ("Ada <ada@example.org>"). */
  recipients: string[];
}

const display = (r: { name: string; address: string }) =>
  r.name ? `${r.name} <${r.address}>` : r.address;

export async function composeDraft(
  deps: ComposeDeps,
  userId: string,
  draftId: string,
  opts: ComposeOptions = {},
): Promise<ComposedMessage> {
  const { prisma } = deps;
  const draft = await ownedDraft(prisma, userId, draftId, {
    id: true,
    to: true,
    cc: true,
    bcc: true,
    subject: true,
    text: true,
    html: true,
    inReplyToHeader: true,
    referencesHeader: true,
    identity: { select: { id: true, accountId: true, name: true, address: true, replyTo: true } },
    attachments: {
      select: { filename: true, contentType: true, content: true, size: true },
      orderBy: { createdAt: 'asc' },
    },
  });
  const policy = await loadPolicy(prisma);
  const trim = (list: unknown) =>
    storedAddresses(list).map((r) => ({ name: r.name.trim(), address: r.address.trim() }));
  const to = trim(draft.to);
  const cc = trim(draft.cc);
  const bcc = trim(draft.bcc);
  const identity = draft.identity && {
    ...draft.identity,
    replyTo: storedAddress(draft.identity.replyTo),
  };
  const bodyBytes = Buffer.byteLength(draft.text) + Buffer.byteLength(draft.html ?? '');
  const attachmentBytes = draft.attachments.reduce((sum, a) => sum + a.size, 0);
  const problems: DraftProblem[] = draftProblems(
    { identity, to, cc, bcc, subject: draft.subject, totalBytes: bodyBytes + attachmentBytes },
    policy.maxOutgoingBytes,
  );
  let html: string | null = null;
  if (draft.html !== null) {
    html = sanitizeOutgoingHtml(draft.html);
    if (html === null) {
      problems.push({
        field: 'body',
        message: 'The formatted text is too deeply nested to send; switch to plain text',
      });
    }
  }
  if (problems.length > 0 || !identity) {
    throw unprocessable('DRAFT_NOT_SENDABLE', problems.map((p) => p.message).join('; '), problems);
  }

  const domain = opts.messageIdDomain ?? asciiDomainOf(identity.address) ?? 'popgate.invalid';
  const messageIdHeader = opts.messageId ?? `<${opts.outboxId ?? randomUUID()}@${domain}>`;
  const { raw, envelope } = await composeMime({
    from: { name: identity.name, address: identity.address },
    replyTo: identity.replyTo,
    to,
    cc,
    bcc,
    subject: draft.subject,
    date: opts.date ?? new Date(),
    messageId: messageIdHeader,
    inReplyTo: draft.inReplyToHeader,
    references: draft.referencesHeader,
    text: html !== null ? textAlternativeOf(html) : draft.text,
    html,
    attachments: draft.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: storedBytes(a.content),
    })),
  });
  return {
    userId,
    identityId: identity.id,
    accountId: identity.accountId,
    draftId: draft.id,
    raw,
    messageIdHeader,
    envelope,
    subject: draft.subject,
    recipients: [...to, ...cc, ...bcc].map(display),
  };
}
