import { toListItem } from '../../mail/list-item';
import type { MessageDetail } from '@popgate/contracts';
import type { Db } from '../../db/prisma';
import type { ImageProxySigner } from '../../mail/remote-images';
import { sanitizeMessageHtml } from '../../mail/sanitize-html';
import { ownedMessage } from './owned-message';

export const attachmentUrl = (messageId: string, attachmentId: string) =>
  `/api/messages/${messageId}/attachments/${attachmentId}`;

/** The address a trusted-sender entry is kept under. */
export const senderKey = (address: string) => address.trim().toLowerCase();

type Addresses = Array<{ name: string; address: string }>;

/**
 * A message as the reader sees it: headers, text, and HTML sanitized here on the server, with
 * remote images shown (through the proxy) only when asked for or when the sender is trusted.
 */
export async function messageDetail(
  prisma: Db,
  signer: ImageProxySigner,
  userId: string,
  id: string,
  askedForImages: boolean,
): Promise<MessageDetail> {
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
    date: true,
    snippet: true,
    size: true,
    seen: true,
    flagged: true,
    hasAttachments: true,
    textBody: true,
    htmlBody: true,
    headers: true,
    headersOnly: true,
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
  });
  const sender = senderKey(message.fromAddress);
  const senderTrusted =
    sender !== '' &&
    (await prisma.trustedSender.findUnique({
      where: { userId_address: { userId, address: sender } },
      select: { address: true },
    })) !== null;

  const byContentId = new Map<string, string>();
  for (const attachment of message.attachments) {
    if (!attachment.contentId) continue;
    const url = `${attachmentUrl(id, attachment.id)}?inline=1`;
    byContentId.set(attachment.contentId, url);
    if (!byContentId.has(attachment.contentId.toLowerCase())) {
      byContentId.set(attachment.contentId.toLowerCase(), url);
    }
  }
  const sanitized = message.htmlBody
    ? sanitizeMessageHtml(message.htmlBody, {
        showRemoteImages: askedForImages || senderTrusted,
        proxyUrl: (remote) => signer.proxyUrl(id, remote),
        inlinePartUrl: (contentId) =>
          byContentId.get(contentId) ?? byContentId.get(contentId.toLowerCase()) ?? null,
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
    html: sanitized?.html ?? null,
    remoteImagesBlocked: sanitized?.remoteImagesBlocked ?? false,
    attachments: message.attachments.map((attachment) => ({
      ...attachment,
      url: attachmentUrl(id, attachment.id),
    })),
    headersOnly: message.headersOnly,
    parseError: message.parseError,
    trashed: message.trashedAt !== null,
    serverState: message.serverState,
    senderTrusted,
  };
}
