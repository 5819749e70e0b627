import type { PartialReason } from '@popgate/contracts';

/*
 * Why only part of a message is kept (messages.partialReason, PartialReason in the contracts):
 * - account_limit: above the size the account's owner chose for full downloads (TOP n 0);
 * - admin_limit: above the admin's largest message (policy.maxMessageBytes), listed so or sent so;
 * - line_too_long: a line longer than the POP3 client reads (MAX_LINE_BYTES).
 */

/** The longest line the sync's POP3 client reads, status or data. */
export const MAX_LINE_BYTES = 1024 * 1024;

const MB = 1024 * 1024;
const KB = 1024;

/** "1.5 MB", "12 MB", "800 KB", "512 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${Number((bytes / MB).toFixed(bytes >= 10 * MB ? 0 : 1))} MB`;
  if (bytes >= KB) return `${Math.round(bytes / KB)} KB`;
  return `${bytes} bytes`;
}

/**
 * What a partial message says about itself where its first lines would be (the list's snippet):
 * what is missing, why, and whether "download anyway" can help.
 */
export function partialNotice(
  reason: PartialReason,
  size: number,
  limits: { accountBytes: number | null; adminBytes: number },
): string {
  switch (reason) {
    case 'account_limit':
      return `Only the headers were downloaded: at ${formatBytes(size)} this message is above this account's limit of ${formatBytes(limits.accountBytes ?? 0)}. It can be downloaded in full on request.`;
    case 'admin_limit':
      return size > limits.adminBytes
        ? `Only the headers were downloaded: at ${formatBytes(size)} this message is above the ${formatBytes(limits.adminBytes)} this Popgate accepts per message, so it cannot be downloaded here.`
        : `Only the headers were kept: this message turned out larger than the ${formatBytes(limits.adminBytes)} this Popgate accepts per message (its server said ${formatBytes(size)}), so it cannot be downloaded here.`;
    case 'line_too_long':
      return `Only the headers were kept: this message has a line longer than ${formatBytes(MAX_LINE_BYTES)}, more than Popgate reads, so it cannot be downloaded here.`;
  }
}

/** Why a message cannot be downloaded in full, from the limit its download broke. */
export function limitRefusal(
  limit: 'maxLineBytes' | 'maxMessageBytes' | undefined,
  adminBytes: number,
): { code: 'MESSAGE_TOO_LARGE' | 'LINE_TOO_LONG'; message: string } {
  return limit === 'maxLineBytes'
    ? fullDownloadRefusal({ size: 0, partialReason: 'line_too_long' }, adminBytes)!
    : {
        code: 'MESSAGE_TOO_LARGE',
        message: `This message is larger than the ${formatBytes(adminBytes)} this Popgate accepts per message; an admin can raise that limit.`,
      };
}

/** Why a partial message cannot be downloaded in full now, or null when it can be tried. */
export function fullDownloadRefusal(
  message: { size: number; partialReason: string | null },
  adminBytes: number,
): { code: 'MESSAGE_TOO_LARGE' | 'LINE_TOO_LONG'; message: string } | null {
  if (message.partialReason === 'line_too_long') {
    return {
      code: 'LINE_TOO_LONG',
      message: `This message has a line longer than ${formatBytes(MAX_LINE_BYTES)}, more than Popgate reads; only its headers can be kept.`,
    };
  }
  if (message.size > adminBytes) {
    return {
      code: 'MESSAGE_TOO_LARGE',
      message: `At ${formatBytes(message.size)} this message is above the ${formatBytes(adminBytes)} this Popgate accepts per message; an admin can raise that limit.`,
    };
  }
  return null;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const LF_LF = Buffer.from('\n\n');
const CRLF = Buffer.from('\r\n');

/** Of a header that never ended, at most this much is kept (its complete lines). */
const UNENDED_HEADER_BYTES = 64 * 1024;

/**
 * The header of a message from the start of what arrived of it before a limit cut it off: up to
 * and including the blank line that ends the header (what TOP n 0 answers). When the header itself
 * was cut, its complete lines within the first 64 KiB and a blank line; empty when not one line
 * arrived whole.
 */
export function headerOf(start: Buffer): Buffer {
  const ends = [
    [start.indexOf(CRLF_CRLF), CRLF_CRLF.length],
    [start.indexOf(LF_LF), LF_LF.length],
  ]
    .filter(([at]) => at! >= 0)
    .map(([at, length]) => at! + length!);
  if (ends.length > 0) return Buffer.from(start.subarray(0, Math.min(...ends)));
  const lastBreak = start.subarray(0, UNENDED_HEADER_BYTES).lastIndexOf(0x0a);
  if (lastBreak === -1) return Buffer.alloc(0);
  return Buffer.concat([start.subarray(0, lastBreak + 1), CRLF]);
}
