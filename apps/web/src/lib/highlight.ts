/** A piece of text, marked when it matches a searched word. */
export interface HighlightPart {
  text: string;
  match: boolean;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The words of a search, without operators, quotes or duplicates, longest first. */
export function searchTerms(query: string): string[] {
  const words = query
    .toLowerCase()
    .split(/[\s"'()]+/)
    .map((word) => word.replace(/^[-+]+/, '').replace(/[*:]+$/, ''))
    .filter((word) => word.length > 0 && !['and', 'or', 'not'].includes(word));
  return [...new Set(words)].sort((a, b) => b.length - a.length);
}

/**
 * Splits `text` around the words of a search (case-insensitive; a word matches where another
 * starts with it, as full-text search finds "meeting" for "meet").
 */
export function highlight(text: string, terms: string[]): HighlightPart[] {
  if (!text || terms.length === 0) return text ? [{ text, match: false }] : [];
  const pattern = new RegExp(`(${terms.map(escapeRegExp).join('|')})`, 'gi');
  const parts: HighlightPart[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match[0].length === 0) continue;
    if (match.index > last) parts.push({ text: text.slice(last, match.index), match: false });
    parts.push({ text: match[0], match: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), match: false });
  return parts;
}
