import { findMatches, type Address, type MatchRange } from '@popgate/contracts';
import type { SearchNode } from './search-node';
import { wanted } from './search-terms';

/** What from: and to: look for (not under a minus sign), to mark in a row's sender and recipients. */
export interface AddressTerms {
  from: string[];
  to: string[];
}

const MAX_TERMS = 20;

export function addressTerms(node: SearchNode): AddressTerms {
  const texts = wanted(node);
  const values = (field: 'from' | 'to') =>
    [...new Set(texts.filter((n) => n.field === field).map((n) => n.value.trim()))]
      .filter(Boolean)
      .slice(0, MAX_TERMS);
  return { from: values('from'), to: values('to') };
}

/**
 * Where the searched words are in an address as a list row shows it (the name, else the
 * address). A word found only in the address behind a name (from:example.net, Carol Jones
 * <carol@example.net>) marks the whole name: that is the person the search found.
 */
export function addressMarks(
  address: Address,
  terms: readonly string[],
  limit: number,
): MatchRange[] {
  const shown = address.name || address.address;
  const ranges = findMatches(shown, terms, limit);
  if (ranges.length > 0 || shown === address.address) return ranges;
  return findMatches(address.address, terms, 1).length > 0 ? [{ start: 0, end: shown.length }] : [];
}
