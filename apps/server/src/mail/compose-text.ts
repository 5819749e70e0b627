import { convert } from 'html-to-text';

/**
 * The plain-text alternative of an outgoing HTML body: what a text-only reader sees. Quotes keep
 * their "> " marks, links their address after the words (unless the words are the address), and
 * images only their alt text.
 */
export function textAlternativeOf(html: string): string {
  return convert(html, {
    wordwrap: 76,
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
      { selector: 'img', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
    ],
  });
}
