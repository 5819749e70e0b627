import { createHash } from 'node:crypto';
import { storedBytes } from '../db/bytes';
import type { Db } from '../db/prisma';
import { invalid } from '../domain-errors';
import { uniqueAddresses, type ComposeAddress } from '../mail/compose-address';
import { sanitizeOutgoingHtml } from '../mail/compose-html';
import { forwardSubject, replySubject } from '../mail/compose-subject';
import { textAlternativeOf } from '../mail/compose-text';
import { safeFilename } from '../mail/content-disposition';
import {
  forwardHtml,
  forwardPlain,
  quoteHtml,
  quotePlain,
  type QuotedOriginal,
} from '../mail/quote-original';
import { ownedMessage } from '../messages/owned';
import { rawMessage } from '../messages/raw-message';
import { ownAddresses } from './own-addresses';
import { storedAddresses } from './owned-draft';
import { threadingHeaders } from './threading';

/** What a reply or a forward is asked for (DraftIn's fields). */
export interface DeriveRequest {
  inReplyTo?: string;
  replyAll?: boolean;
  forwardOf?: string;
  forwardAs?: 'inline' | 'attachment';
}

export interface DerivedAttachment {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  content: Buffer;
}

/** The fields of a new draft the server fills in from the message answered or forwarded. */
export interface DerivedDraft {
  identityId: string | null;
  to: ComposeAddress[];
  cc: ComposeAddress[];
  subject: string;
  text: string;
  html: string | null;
  inReplyToId: string | null;
  forwardOfId: string | null;
  forwardAsAttachment: boolean;
  inReplyToHeader: string | null;
  referencesHeader: string | null;
  attachments: DerivedAttachment[];
}

/**
 * A quoted original is kept within what a draft's body may hold (2,000,000 characters, the
 * contract), with room to write: HTML larger than this is quoted as text, text is cut.
 */
const MAX_QUOTED_CHARS = 1_500_000;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function headerValue(headers: unknown, name: string): string | null {
  if (!Array.isArray(headers)) return null;
  for (const entry of headers as unknown[]) {
    if (Array.isArray(entry) && entry[0] === name && typeof entry[1] === 'string') return entry[1];
  }
  return null;
}

/**
 * Derives a reply (Reply-To, else From; reply all adds the original To and Cc; never the user's
 * own addresses), or a forward (inline with its attachments, or the original .eml attached), from
 * one of the user's messages: recipients, "Re:"/"Fwd:" once, the quoted original, the first
 * identity of the account the message came in on, and In-Reply-To/References.
 */
export async function deriveFromMessage(
  prisma: Db,
  userId: string,
  request: DeriveRequest,
): Promise<DerivedDraft | null> {
  if (request.inReplyTo && request.forwardOf) {
    throw invalid('VALIDATION', 'A draft answers a message or forwards one, not both');
  }
  const id = request.inReplyTo ?? request.forwardOf;
  if (!id) return null;
  const message = await ownedMessage(prisma, userId, id, {
    id: true,
    accountId: true,
    subject: true,
    fromName: true,
    fromAddress: true,
    to: true,
    cc: true,
    replyTo: true,
    messageId: true,
    inReplyTo: true,
    date: true,
    textBody: true,
    htmlBody: true,
    headers: true,
  });
  const identity = await prisma.identity.findFirst({
    where: { userId, accountId: message.accountId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true },
  });
  const original = quotedOriginal(message);

  if (request.inReplyTo) {
    const own = await ownAddresses(prisma, userId);
    const from = { name: message.fromName, address: message.fromAddress };
    const replyTo = storedAddresses(message.replyTo);
    const originalTo = storedAddresses(message.to);
    // Answering one's own sent message goes to its recipients again, as mail programs do.
    const fromMe = own.has(from.address.toLowerCase());
    const direct = fromMe ? originalTo : replyTo.length > 0 ? replyTo : [from];
    const to = uniqueAddresses(
      request.replyAll && !fromMe ? [...direct, ...originalTo] : direct,
      fromMe && !request.replyAll ? new Set() : own,
    );
    const cc = request.replyAll
      ? uniqueAddresses(storedAddresses(message.cc), new Set([...own, ...to.map(key)]))
      : [];
    const threading = threadingHeaders({
      messageId: message.messageId,
      references: headerValue(message.headers, 'references'),
      inReplyTo: message.inReplyTo,
    });
    return {
      identityId: identity?.id ?? null,
      to,
      cc,
      subject: replySubject(message.subject),
      text: quotePlain(original, textAlternativeOf),
      html: quoteHtml(original),
      inReplyToId: message.id,
      forwardOfId: null,
      forwardAsAttachment: false,
      inReplyToHeader: threading.inReplyTo,
      referencesHeader: threading.references,
      attachments: [],
    };
  }

  const asAttachment = request.forwardAs === 'attachment';
  const forward = {
    identityId: identity?.id ?? null,
    to: [],
    cc: [],
    subject: forwardSubject(message.subject),
    inReplyToId: null,
    forwardOfId: message.id,
    forwardAsAttachment: asAttachment,
    inReplyToHeader: null,
    referencesHeader: null,
  };
  if (asAttachment) {
    const { bytes } = await rawMessage(prisma, userId, message.id);
    const name = safeFilename(message.subject, 'message').replace(/\.eml$/i, '');
    return {
      ...forward,
      text: '',
      html: null,
      attachments: [
        {
          filename: `${name}.eml`,
          contentType: 'message/rfc822',
          size: bytes.length,
          sha256: sha256(bytes),
          content: bytes,
        },
      ],
    };
  }
  const attachments = await prisma.attachment.findMany({
    where: { messageId: message.id },
    orderBy: { id: 'asc' },
    select: { filename: true, contentType: true, size: true, sha256: true, content: true },
  });
  return {
    ...forward,
    text: forwardPlain(original, textAlternativeOf),
    html: forwardHtml(original),
    attachments: attachments.map((a) => ({
      filename: safeFilename(a.filename, 'attachment'),
      contentType: a.contentType,
      size: a.size,
      sha256: a.sha256,
      content: storedBytes(a.content),
    })),
  };
}

const key = (address: ComposeAddress) => address.address.trim().toLowerCase();

function quotedOriginal(message: {
  subject: string;
  fromName: string;
  fromAddress: string;
  to: unknown;
  date: Date;
  textBody: string | null;
  htmlBody: string | null;
}): QuotedOriginal {
  const html =
    message.htmlBody !== null && message.htmlBody.length <= MAX_QUOTED_CHARS
      ? sanitizeOutgoingHtml(message.htmlBody)
      : null;
  let text = message.textBody;
  if (text === null && html === null && message.htmlBody !== null) {
    text = textAlternativeOf(message.htmlBody.slice(0, MAX_QUOTED_CHARS));
  }
  if (text !== null && text.length > MAX_QUOTED_CHARS) {
    text = `${text.slice(0, MAX_QUOTED_CHARS)}\n[…]`;
  }
  return {
    from: { name: message.fromName, address: message.fromAddress },
    to: storedAddresses(message.to),
    date: message.date,
    subject: message.subject,
    text,
    html,
  };
}
