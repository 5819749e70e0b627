import { HtmlTooComplexError, sanitizeMessageHtml } from './sanitize-html';

/**
 * Outgoing HTML through the same sanitizer as incoming mail, with no image proxy (its URLs only
 * work inside this Popgate): what survives is formatting, links and `data:` images. Remote and
 * `cid:` images do not (the sanitizer lets images load only from `data:` or the proxy), so their
 * alt text stands in for them. Null when the HTML nests too deeply to be sanitized.
 *
 * Drafts' bodies are bounded (2 MB, the contract) and sanitizing is linear in the size
 * (bench/sanitize), so this runs on the event loop.
 */
export function sanitizeOutgoingHtml(html: string): string | null {
  try {
    return sanitizeMessageHtml(html, {
      showRemoteImages: false,
      proxyUrl: (remoteUrl) => remoteUrl,
      inlinePartUrl: () => null,
    }).html;
  } catch (error) {
    if (error instanceof HtmlTooComplexError || error instanceof RangeError) return null;
    throw error;
  }
}
