/**
 * Where searched words occur in a text, compared the way the server's index compares them:
 * accents and case folded (Jürgen = jurgen, отчёт = отчет, Straße = strasse), any substring
 * (CJK has no spaces). Shared by the server (the list's snippet ranges) and the web (marks in the
 * opened message), so both mark the same words. Ranges are UTF-16 offsets into the text.
 */
export interface MatchRange {
  start: number;
  end: number;
}

/** Letters NFD does not take apart, as unaccent writes them. */
const SPECIAL: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
  ŀ: 'l',
  ħ: 'h',
};
const MARKS = /\p{M}/gu;

/** One character folded (possibly to several, or none for a combining mark). */
function foldChar(char: string): string {
  const lower = char.toLowerCase();
  const special = SPECIAL[lower];
  if (special) return special;
  return lower.normalize('NFD').replace(MARKS, '');
}

/** The text folded, and for each folded UTF-16 unit the index of the original it came from. */
export function foldWithMap(text: string): { folded: string; origin: number[] } {
  let folded = '';
  const origin: number[] = [];
  let index = 0;
  for (const char of text) {
    const part = foldChar(char);
    folded += part;
    for (let k = 0; k < part.length; k++) origin.push(index);
    index += char.length;
  }
  origin.push(index);
  return { folded, origin };
}

export const foldSearchText = (text: string) => foldWithMap(text).folded;

const WORD_CHAR = /[\p{L}\p{N}]/u;
/** Scripts written without spaces: a hit is not stretched to the end of its "word". */
const NO_SPACES =
  /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]/u;

/**
 * The ranges of `text` where any of `terms` occurs (folded), overlapping ones merged, in order.
 * A hit in a word of a spaced script runs to the end of that word (invoi marks invoice), as
 * search matches word beginnings. At most `limit` ranges.
 */
export function findMatches(text: string, terms: readonly string[], limit = 200): MatchRange[] {
  const wanted = [...new Set(terms.map(foldSearchText).filter((t) => t.trim().length > 0))];
  if (!text || wanted.length === 0) return [];
  const { folded, origin } = foldWithMap(text);
  const ranges: MatchRange[] = [];
  for (const term of wanted) {
    let from = 0;
    while (ranges.length < limit * 4) {
      const at = folded.indexOf(term, from);
      if (at < 0) break;
      const start = origin[at]!;
      let end = origin[at + term.length]!;
      const lastChar = text[end - 1] ?? '';
      if (!NO_SPACES.test(lastChar)) {
        while (end < text.length && WORD_CHAR.test(text[end]!) && !NO_SPACES.test(text[end]!)) {
          end += 1;
        }
      }
      ranges.push({ start, end });
      from = at + Math.max(term.length, 1);
    }
  }
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: MatchRange[] = [];
  for (const range of ranges) {
    const previous = merged.at(-1);
    if (previous && range.start <= previous.end) previous.end = Math.max(previous.end, range.end);
    else merged.push({ ...range });
    if (merged.length > limit) break;
  }
  return merged.slice(0, limit);
}
