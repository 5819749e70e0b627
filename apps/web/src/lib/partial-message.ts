import type { MessageDetail } from '@popgate/contracts';
import { fileSize } from './format';

/** What the reader says of a message kept in part, and whether the rest can be downloaded. */
export interface PartialNotice {
  text: string;
  /** Downloading the whole message on request can help (only an account's own limit). */
  canDownload: boolean;
}

/**
 * Why only the headers of a message are here, in the reader's words; null for a whole one.
 * A headers-only message stored before reasons were kept was over its account's limit.
 */
export function partialNotice(
  message: Pick<MessageDetail, 'headersOnly' | 'partialReason' | 'size'>,
): PartialNotice | null {
  if (!message.headersOnly && !message.partialReason) return null;
  switch (message.partialReason ?? 'account_limit') {
    case 'account_limit':
      return {
        text: `Only the headers were downloaded: at ${fileSize(message.size)} this message is above this account’s size limit.`,
        canDownload: true,
      };
    case 'admin_limit':
      return {
        text: 'Only the headers were downloaded: this message is above the largest message this Popgate downloads (set by the admin).',
        canDownload: false,
      };
    case 'line_too_long':
      return {
        text: 'This message has a line too long to be mail; only the headers were kept.',
        canDownload: false,
      };
  }
}
