/** What the search box offers for the word being typed: operators, then their values. */
export interface SearchSuggestion {
  /** The whole word the typed one becomes. */
  text: string;
  /** What it does, shown beside it. */
  hint: string;
  /** A finished term: a space follows it once picked. */
  complete: boolean;
}

const OPERATORS: SearchSuggestion[] = [
  { text: 'from:', hint: 'sender', complete: false },
  { text: 'to:', hint: 'recipient (To or Cc)', complete: false },
  { text: 'cc:', hint: 'Cc recipient', complete: false },
  { text: 'subject:', hint: 'words in the subject', complete: false },
  { text: 'has:attachment', hint: 'with attachments', complete: true },
  { text: 'filename:', hint: 'attachment name', complete: false },
  { text: 'is:unread', hint: 'unread', complete: true },
  { text: 'is:read', hint: 'read', complete: true },
  { text: 'is:starred', hint: 'flagged', complete: true },
  { text: 'in:inbox', hint: 'received mail', complete: true },
  { text: 'in:sent', hint: 'sent mail', complete: true },
  { text: 'in:trash', hint: 'the trash', complete: true },
  { text: 'in:anywhere', hint: 'everywhere, trash too', complete: true },
  { text: 'account:', hint: 'one account', complete: false },
  { text: 'label:', hint: "a label (Gmail's, imported)", complete: false },
  { text: 'after:', hint: 'YYYY/MM/DD', complete: false },
  { text: 'before:', hint: 'YYYY/MM/DD', complete: false },
  { text: 'newer_than:', hint: '7d, 2m, 1y', complete: false },
  { text: 'older_than:', hint: '7d, 2m, 1y', complete: false },
  { text: 'larger:', hint: '10M, 500K', complete: false },
  { text: 'smaller:', hint: '10M, 500K', complete: false },
];

/** At most this many suggestions at once. */
const MAX = 8;

/** The word being typed: what follows the last space (or opening parenthesis), minus a "-". */
export function typedWord(text: string): { start: number; word: string } {
  const match = /-?([^\s()]*)$/u.exec(text)!;
  return { start: text.length - match[1]!.length, word: match[1]! };
}

/** The names after `operator:` that begin with what was typed, quoted when they hold a space. */
function valuesOf(operator: string, lower: string, names: string[], hint: string) {
  const typed = lower.slice(operator.length + 1);
  return names
    .filter((name) => name.toLowerCase().startsWith(typed) && name.toLowerCase() !== typed)
    .slice(0, MAX)
    .map((name) => ({
      text: `${operator}:${/[\s,()"]/.test(name) ? `"${name.replace(/"/g, '')}"` : name}`,
      hint,
      complete: true,
    }));
}

/**
 * Suggestions for the last word of `text`: operators it begins (fr -> from:), the values of
 * has:, is:, in:, account names after account: and the user's labels after label:. None for an
 * ordinary word or a finished one.
 */
export function searchSuggestions(
  text: string,
  accountLabels: string[],
  labels: string[] = [],
): SearchSuggestion[] {
  const { word } = typedWord(text);
  if (!word || word.includes('"')) return [];
  const lower = word.toLowerCase();
  if (lower.startsWith('account:')) return valuesOf('account', lower, accountLabels, 'account');
  if (lower.startsWith('label:')) return valuesOf('label', lower, labels, 'label');
  return OPERATORS.filter((o) => o.text.startsWith(lower) && o.text !== lower).slice(0, MAX);
}

/** `text` with its last word replaced by the suggestion (and a space after a finished one). */
export function applySuggestion(text: string, suggestion: SearchSuggestion): string {
  const { start } = typedWord(text);
  return `${text.slice(0, start)}${suggestion.text}${suggestion.complete ? ' ' : ''}`;
}
