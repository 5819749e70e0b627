import { findMatches, type MatchRange } from '@popgate/contracts';

/** At most this many marks in one snippet. */
const MAX_MARKS = 20;

/**
 * A search result's snippet: the part of the body around the first hit (`hit`, as the database
 * cut it: a little before the hit) when the body has one, else the stored snippet; and where the
 * searched words are in it (ranges the web marks, escaping the text itself).
 */
export function hitSnippet(
  stored: string,
  hit: string | null | undefined,
  terms: readonly string[],
): { snippet: string; highlights: MatchRange[] } {
  let snippet = stored;
  if (hit) {
    const text = hit.replace(/\s+/g, ' ').trim();
    const head = stored.replace(/\s+/g, ' ').trim().slice(0, 20);
    snippet = head && text.startsWith(head) ? text : `…${text.replace(/^\S{0,15}\s/u, '')}`;
  }
  return { snippet, highlights: findMatches(snippet, terms, MAX_MARKS) };
}
