import { findMatches } from '@popgate/contracts';

/** A piece of text, marked when it matches a searched word. */
export interface HighlightPart {
  text: string;
  match: boolean;
}

/** `text` cut at the given ranges (as the server sends for a snippet), the ranges marked. */
export function partsOf(text: string, ranges: ReadonlyArray<{ start: number; end: number }>) {
  const parts: HighlightPart[] = [];
  let last = 0;
  for (const { start, end } of ranges) {
    if (start < last || end > text.length || end <= start) continue;
    if (start > last) parts.push({ text: text.slice(last, start), match: false });
    parts.push({ text: text.slice(start, end), match: true });
    last = end;
  }
  if (last < text.length) parts.push({ text: text.slice(last), match: false });
  return parts;
}

/**
 * Splits `text` around the words of a search, found as the server's search finds them: accents
 * and case ignored (Jurgen marks Jürgen), anywhere in CJK text, a word's beginning marking the
 * whole word ("invoi" marks "invoice").
 */
export function highlight(text: string, terms: string[]): HighlightPart[] {
  if (!text) return [];
  return partsOf(text, findMatches(text, terms));
}

/** At most this many marks in an opened message. */
const MAX_MARKS = 500;

/**
 * Sanitized HTML with the searched words wrapped in <mark>: parsed into an inert document, its
 * text nodes walked (never a pattern over the markup), the marks made with the DOM, serialized.
 */
export function markHtml(html: string, terms: string[]): string {
  if (terms.length === 0 || !html) return html;
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement?.closest('script, style, title, textarea, mark')
        ? NodeFilter.FILTER_REJECT
        : NodeFilter.FILTER_ACCEPT,
  });
  const nodes: Text[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node as Text);
  let marks = 0;
  for (const node of nodes) {
    if (marks >= MAX_MARKS) break;
    const ranges = findMatches(node.data, terms, MAX_MARKS - marks);
    if (ranges.length === 0) continue;
    const fragment = doc.createDocumentFragment();
    for (const part of partsOf(node.data, ranges)) {
      if (part.match) {
        const mark = doc.createElement('mark');
        mark.textContent = part.text;
        fragment.append(mark);
        marks += 1;
      } else {
        fragment.append(doc.createTextNode(part.text));
      }
    }
    node.replaceWith(fragment);
  }
  const doctype = /^\s*<!doctype/i.test(html) ? '<!DOCTYPE html>' : '';
  return doctype + doc.documentElement.outerHTML;
}
