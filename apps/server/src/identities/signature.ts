import type { Signature } from '@popgate/contracts';
import { invalid } from '../domain-errors';
import { HtmlTooComplexError, sanitizeMessageHtml } from '../mail/sanitize-html';

/**
 * A signature as it is stored: plain text as typed; HTML through the same sanitizer as incoming
 * mail, so a signature can carry formatting and links but no script, form or tracking trick.
 *
 * Outgoing mail has no image proxy (its URLs only work inside this Popgate), so remote images are
 * dropped, as the reader drops them until asked (their alt text stays): a remote image in a
 * signature would tell its host each time a recipient opens the mail. `data:` raster images are
 * kept; `cid:` references are dropped, as a signature has no parts of its own. Signatures are at
 * most 20,000 characters (the contract), so this runs on the event loop in well under a
 * millisecond.
 */
export function storedSignature(signature: Signature): {
  signature: string;
  signatureHtml: boolean;
} {
  if (signature.format === 'text') return { signature: signature.content, signatureHtml: false };
  try {
    const { html } = sanitizeMessageHtml(signature.content, {
      showRemoteImages: false,
      proxyUrl: () => '',
      inlinePartUrl: () => null,
    });
    return { signature: html, signatureHtml: true };
  } catch (error) {
    if (!(error instanceof HtmlTooComplexError)) throw error;
    throw invalid(
      'SIGNATURE_TOO_COMPLEX',
      `The signature's HTML is too complex (${error.message})`,
    );
  }
}
