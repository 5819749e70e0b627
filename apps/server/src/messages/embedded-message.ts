import type { EmbeddedMessage } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { invalid, notFound } from '../domain-errors';
import type { HtmlRenderer } from '../mail/html-renderer';
import { parseMessage, type ParsedMessage } from '../mail/parse-message';
import { ownedAttachment, type StoredAttachment } from './attachment';
import { attachmentUrl, withheld } from './detail';

const MESSAGE_TYPES = new Set(['message/rfc822', 'message/global']);

/** A message/rfc822 attachment of one of the caller's messages, parsed. */
async function parsedAttachment(
  prisma: Db,
  userId: string,
  messageId: string,
  attachmentId: string,
): Promise<ParsedMessage> {
  const attachment = await ownedAttachment(prisma, userId, messageId, attachmentId);
  const type = attachment.contentType.split(';')[0]!.trim().toLowerCase();
  if (!MESSAGE_TYPES.has(type))
    throw invalid('NOT_A_MESSAGE', 'This attachment is not a message (message/rfc822)');
  return parseMessage(attachment.content);
}

/**
 * A forwarded message (a message/rfc822 attachment) as the reader shows it: headers, text, its
 * HTML sanitized like any message's (remote images removed; its cid: images point at its parts),
 * and its own attachments.
 */
export async function embeddedMessage(
  prisma: Db,
  renderer: HtmlRenderer,
  userId: string,
  messageId: string,
  attachmentId: string,
): Promise<EmbeddedMessage> {
  const parsed = await parsedAttachment(prisma, userId, messageId, attachmentId);
  const partUrl = (index: number) => `${attachmentUrl(messageId, attachmentId)}/parts/${index}`;
  const inlineParts: Array<[string, string]> = [];
  parsed.attachments.forEach((part, index) => {
    if (part.contentId) inlineParts.push([part.contentId, `${partUrl(index)}?inline=1`]);
  });
  const rendered = parsed.html
    ? await renderer.render({
        messageId,
        html: parsed.html,
        showRemoteImages: false,
        inlineParts,
      })
    : null;
  return {
    subject: parsed.subject,
    from: parsed.from,
    to: parsed.to,
    cc: parsed.cc,
    date: parsed.date?.toISOString() ?? null,
    text: parsed.text,
    html: rendered?.html ?? null,
    htmlWithheld: withheld(rendered?.withheld ?? null),
    remoteImagesBlocked: rendered?.remoteImagesBlocked ?? false,
    attachments: parsed.attachments.map((part, index) => ({
      id: String(index),
      filename: part.filename,
      contentType: part.contentType,
      size: part.size,
      contentId: part.contentId,
      inline: part.inline,
      url: partUrl(index),
    })),
    parseError: parsed.parseError,
  };
}

/** One attachment of a forwarded message, by its position. */
export async function embeddedPart(
  prisma: Db,
  userId: string,
  messageId: string,
  attachmentId: string,
  index: number,
): Promise<StoredAttachment> {
  const parsed = await parsedAttachment(prisma, userId, messageId, attachmentId);
  const part = parsed.attachments[index];
  if (!part) throw notFound('No such attachment');
  return { filename: part.filename, contentType: part.contentType, content: part.content };
}
