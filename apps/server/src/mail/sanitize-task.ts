import type { ImageProxySigner } from './remote-images';
import { HtmlTooComplexError, sanitizeMessageHtml } from './sanitize-html';

/** One message's HTML to sanitize, as plain data (it crosses into a worker thread). */
export interface SanitizeTask {
  messageId: string;
  html: string;
  showRemoteImages: boolean;
  /** Content-ID (as written, and lower-cased) -> the URL of that part. */
  inlineParts: Array<[string, string]>;
  /** Set to 1 by the worker the moment it starts: the time budget runs from there. */
  started?: Int32Array;
}

export type SanitizeOutcome =
  { ok: true; html: string; remoteImagesBlocked: boolean } | { ok: false; reason: 'TOO_COMPLEX' };

/** Sanitizes a task's HTML; HTML too deeply nested (or too deep for the stack) is refused. */
export function runSanitizeTask(task: SanitizeTask, signer: ImageProxySigner): SanitizeOutcome {
  const parts = new Map(task.inlineParts);
  try {
    const result = sanitizeMessageHtml(task.html, {
      showRemoteImages: task.showRemoteImages,
      proxyUrl: (remote) => signer.proxyUrl(task.messageId, remote),
      inlinePartUrl: (contentId) =>
        parts.get(contentId) ?? parts.get(contentId.toLowerCase()) ?? null,
    });
    return { ok: true, ...result };
  } catch (error) {
    // RangeError: a structure deep enough to exhaust the stack somewhere in the parsers.
    if (error instanceof HtmlTooComplexError || error instanceof RangeError) {
      return { ok: false, reason: 'TOO_COMPLEX' };
    }
    throw error;
  }
}
