import type { HtmlWithheld, MessageDetail, PartialReason } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import type { HtmlRenderer, HtmlWithheldReason } from '../mail/html-renderer';
import { listSelect, toListItem } from './columns';
import { ownedMessage } from './owned';
import { isSenderTrusted } from './trusted-senders';

export const attachmentUrl = (messageId: string, attachmentId: string) =>
  `/api/messages/${messageId}/attachments/${attachmentId}`;

type Addresses = Array<{ name: string; address: string }>;

const WITHHELD_MESSAGES: Record<HtmlWithheldReason, string> = {
  TOO_LARGE:
    "This message's formatting is too large to display safely; showing its text version. The original can be downloaded.",
  TOO_COMPLEX:
    "This message's formatting is too complex to display safely; showing its text version. The original can be downloaded.",
  UNAVAILABLE:
    "This message's formatting could not be prepared right now; showing its text version. Open it again later to see it formatted.",
};

export const withheld = (reason: HtmlWithheldReason | null): HtmlWithheld | null =>
  reason ? { reason, message: WITHHELD_MESSAGES[reason] } : null;

/** What the reader reads: a list row's columns and the rest. */
const DETAIL_SELECT = {
  ...listSelect,
  to: true,
  cc: true,
  replyTo: true,
  messageId: true,
  textBody: true,
  htmlBody: true,
  headers: true,
  headersOnly: true,
  partialReason: true,
  parseError: true,
  trashedAt: true,
  serverState: true,
  attachments: {
    select: {
      id: true,
      filename: true,
      contentType: true,
      size: true,
      contentId: true,
      inline: true,
    },
    orderBy: { id: 'asc' },
  },
  labels: { select: { name: true }, orderBy: { name: 'asc' } },
} as const;

/**
 * A message as the reader sees it: headers, text, and HTML sanitized on the server (in a worker
 * thread, within a time budget and a size cap; otherwise htmlWithheld says why), with remote
 * images shown (through the proxy) only when asked for or when the sender is trusted.
 */
export async function messageDetail(
  prisma: Db,
  renderer: HtmlRenderer,
  userId: string,
  id: string,
  askedForImages: boolean,
): Promise<MessageDetail> {
  const message = await ownedMessage(prisma, userId, id, DETAIL_SELECT);
  const senderTrusted = await isSenderTrusted(prisma, userId, message.fromAddress);

  const byContentId = new Map<string, string>();
  for (const attachment of message.attachments) {
    if (!attachment.contentId) continue;
    const url = `${attachmentUrl(id, attachment.id)}?inline=1`;
    byContentId.set(attachment.contentId, url);
    if (!byContentId.has(attachment.contentId.toLowerCase())) {
      byContentId.set(attachment.contentId.toLowerCase(), url);
    }
  }
  const rendered = message.htmlBody
    ? await renderer.render({
        messageId: id,
        html: message.htmlBody,
        showRemoteImages: askedForImages || senderTrusted,
        inlineParts: [...byContentId],
      })
    : null;

  return {
    ...toListItem(message),
    to: message.to as Addresses,
    cc: message.cc as Addresses,
    replyTo: message.replyTo as Addresses,
    messageId: message.messageId,
    headers: message.headers as Array<[string, string]>,
    text: message.textBody,
    html: rendered?.html ?? null,
    htmlWithheld: withheld(rendered?.withheld ?? null),
    remoteImagesBlocked: rendered?.remoteImagesBlocked ?? false,
    attachments: message.attachments.map((attachment) => ({
      ...attachment,
      url: attachmentUrl(id, attachment.id),
    })),
    headersOnly: message.headersOnly,
    // Only the store writes it, from a PartialReason.
    partialReason: message.partialReason as PartialReason | null,
    parseError: message.parseError,
    trashed: message.trashedAt !== null,
    serverState: message.serverState,
    senderTrusted,
    labels: message.labels.map((label) => label.name),
  };
}
