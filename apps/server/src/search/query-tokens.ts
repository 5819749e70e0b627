import { invalidQuery } from './query-error';

/**
 * The tokens of a search as typed: parentheses, OR/AND, a minus sign glued to what follows,
 * "phrases", words and operators (`name:value`, the value a word or a "phrase").
 * Positions are 1-based indexes into the query.
 */
export type Token =
  | { type: '('; position: number }
  | { type: ')'; position: number }
  | { type: 'or'; position: number }
  | { type: 'and'; position: number }
  | { type: 'not'; position: number }
  | { type: 'word'; text: string; position: number; end: number }
  | { type: 'phrase'; text: string; position: number; end: number }
  | {
      type: 'operator';
      name: string;
      value: string;
      quoted: boolean;
      position: number;
      valuePosition: number;
      end: number;
    };

const SPACE = /\s/u;
const OPERATOR = /^([A-Za-z_]+):(.*)$/su;
const isBoundary = (char: string | undefined) =>
  char === undefined || SPACE.test(char) || char === '(' || char === ')' || char === '"';

/** The phrase starting at `start` (a `"`): its text and the index after its closing quote. */
function readPhrase(query: string, start: number): { text: string; end: number } {
  const close = query.indexOf('"', start + 1);
  if (close < 0) throw invalidQuery('unclosed quote', start + 1);
  return { text: query.slice(start + 1, close), end: close + 1 };
}

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const char = query[i]!;
    if (SPACE.test(char)) {
      i += 1;
    } else if (char === '(' || char === ')') {
      tokens.push({ type: char, position: i + 1 });
      i += 1;
    } else if (char === '"') {
      const { text, end } = readPhrase(query, i);
      tokens.push({ type: 'phrase', text, position: i + 1, end });
      i = end;
    } else if (char === '-' && !isBoundary(query[i + 1]) && query[i + 1] !== '-') {
      tokens.push({ type: 'not', position: i + 1 });
      i += 1;
    } else if (char === '-' && (query[i + 1] === '"' || query[i + 1] === '(')) {
      tokens.push({ type: 'not', position: i + 1 });
      i += 1;
    } else {
      let end = i;
      while (end < query.length && !isBoundary(query[end])) end += 1;
      const text = query.slice(i, end);
      const operator = OPERATOR.exec(text);
      // Gmail's OR is upper case; "or" is taken too (the list took it before operators came).
      if (text === 'OR' || text === 'or' || text === '|') {
        tokens.push({ type: 'or', position: i + 1 });
      } else if (text === 'AND') {
        tokens.push({ type: 'and', position: i + 1 });
      } else if (operator && operator[2] === '' && query[end] === '"') {
        const phrase = readPhrase(query, end);
        tokens.push({
          type: 'operator',
          name: operator[1]!,
          value: phrase.text,
          quoted: true,
          position: i + 1,
          valuePosition: end + 2,
          end: phrase.end,
        });
        end = phrase.end;
      } else if (operator) {
        tokens.push({
          type: 'operator',
          name: operator[1]!,
          value: operator[2]!,
          quoted: false,
          position: i + 1,
          valuePosition: i + operator[1]!.length + 2,
          end,
        });
      } else {
        tokens.push({ type: 'word', text, position: i + 1, end });
      }
      i = end;
    }
  }
  return tokens;
}
