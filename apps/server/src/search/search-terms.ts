import { parseSearch } from './query-parser';
import type { SearchNode, TextNode } from './search-node';

/** The text nodes a message is looked for by (not under a minus sign). */
export function wanted(node: SearchNode, out: TextNode[] = []): TextNode[] {
  if (node.kind === 'text') out.push(node);
  if (node.kind === 'and' || node.kind === 'or') node.children.forEach((c) => wanted(c, out));
  return out;
}

/** Words as found in text: the word, and for a longer one its start (a plural finds the singular). */
export function highlightTerms(all: TextNode[]): string[] {
  const terms = new Set<string>();
  for (const node of all.filter((n) => n.field === 'any' || n.field === 'subject')) {
    const value = node.value.trim();
    if (!value) continue;
    terms.add(value);
    if (!node.phrase && value.length > 5 && /^\p{L}+$/u.test(value)) {
      terms.add(value.slice(0, Math.max(5, value.length - 2)));
    }
  }
  return [...terms].slice(0, 40);
}

/** The words to mark in a message opened from a search (throws INVALID_QUERY like the list). */
export function searchTerms(query: string): string[] {
  const node = parseSearch(query);
  return node ? highlightTerms(wanted(node)) : [];
}
