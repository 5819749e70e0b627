import { invalidQuery } from './query-error';
import { tokenize, type Token } from './query-tokens';
import { isOperatorName, likelyOperator, operatorNode } from './operators';
import type { SearchNode } from './search-node';

/** How deep parentheses and minus signs may nest, and how many words and operators a search has. */
export const MAX_DEPTH = 8;
export const MAX_TERMS = 32;

/**
 * Reads a search typed the way Gmail takes it: words, "phrases", operators (from:carol,
 * subject:"quarterly report", has:attachment…), -excluded, OR, parentheses; terms side by side
 * must all match. Null for a search with nothing to look for. Throws INVALID_QUERY naming where
 * the query is wrong (1-based). The last word, when no space follows it, is matched as a prefix:
 * search runs as the user types.
 */
export function parseSearch(query: string): SearchNode | null {
  const tokens = tokenize(query);
  if (tokens.length === 0) return null;
  const last = tokens.at(-1)!;
  const typingEnd = 'end' in last && last.end === query.length ? last.end : -1;
  return new Parser(tokens, typingEnd, query.length).parse();
}

class Parser {
  private index = 0;
  private terms = 0;

  constructor(
    private readonly tokens: Token[],
    /** The end of the token being typed (no space after it), or -1. */
    private readonly typingEnd: number,
    private readonly length: number,
  ) {}

  parse(): SearchNode | null {
    const node = this.or(0);
    const next = this.peek();
    if (next?.type === ')') throw invalidQuery('")" without its "("', next.position);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private or(depth: number): SearchNode | null {
    const children: SearchNode[] = [];
    const first = this.and(depth);
    if (first) children.push(first);
    while (this.peek()?.type === 'or') {
      const or = this.tokens[this.index++]!;
      const next = this.and(depth);
      if (!first || !next) throw invalidQuery('OR needs something on both sides', or.position);
      children.push(next);
    }
    return children.length <= 1 ? (children[0] ?? null) : { kind: 'or', children };
  }

  private and(depth: number): SearchNode | null {
    const children: SearchNode[] = [];
    for (;;) {
      const token = this.peek();
      if (!token || token.type === ')' || token.type === 'or') break;
      if (token.type === 'and') {
        this.index++;
        continue;
      }
      const node = this.unary(depth);
      if (node) children.push(node);
    }
    return children.length <= 1 ? (children[0] ?? null) : { kind: 'and', children };
  }

  private unary(depth: number): SearchNode | null {
    const token = this.tokens[this.index++]!;
    if (token.type === 'not') {
      if (depth >= MAX_DEPTH) throw invalidQuery(`nested deeper than ${MAX_DEPTH}`, token.position);
      const next = this.peek();
      if (!next || next.type === ')' || next.type === 'or' || next.type === 'and') {
        throw invalidQuery('"-" needs a word after it', token.position);
      }
      const child = this.unary(depth + 1);
      return child && { kind: 'not', child };
    }
    if (token.type === '(') {
      if (depth >= MAX_DEPTH) throw invalidQuery(`nested deeper than ${MAX_DEPTH}`, token.position);
      const node = this.or(depth + 1);
      const close = this.tokens[this.index++];
      if (close?.type !== ')') throw invalidQuery('unclosed parenthesis', token.position);
      if (!node) throw invalidQuery('empty parentheses', token.position);
      return node;
    }
    if (token.type === ')' || token.type === 'or' || token.type === 'and') {
      throw invalidQuery(`unexpected "${token.type === ')' ? ')' : 'OR'}"`, token.position);
    }
    this.count(token.position);
    if (token.type === 'phrase') {
      return token.text.trim()
        ? { kind: 'text', field: 'any', value: token.text, phrase: true, prefix: false }
        : null;
    }
    if (token.type === 'word') {
      return {
        kind: 'text',
        field: 'any',
        value: token.text,
        phrase: false,
        prefix: token.end === this.typingEnd,
      };
    }
    return this.operator(token);
  }

  private operator(token: Extract<Token, { type: 'operator' }>): SearchNode {
    const name = token.name.toLowerCase();
    if (!isOperatorName(name)) {
      const meant = likelyOperator(name);
      if (!meant) {
        // Not an operator at all ("re:", "10:30", "http://…"): a word.
        const text = `${token.name}:${token.value}`;
        const word = { kind: 'text', field: 'any', value: text, phrase: false } as const;
        return { ...word, prefix: token.end === this.typingEnd };
      }
      throw invalidQuery(
        `unknown operator "${token.name}:"`,
        token.position,
        `did you mean ${meant}:?`,
      );
    }
    if (!token.quoted && token.value === '') {
      throw invalidQuery(`${name}: needs a value (${name}:something)`, token.position);
    }
    if (token.quoted && token.value.trim() === '') {
      throw invalidQuery(`${name}: needs a value inside the quotes`, token.valuePosition);
    }
    return operatorNode({
      name,
      value: token.value,
      quoted: token.quoted,
      position: token.valuePosition,
      typing: token.end === this.typingEnd && token.end === this.length,
    });
  }

  private count(position: number) {
    this.terms += 1;
    if (this.terms > MAX_TERMS) {
      throw invalidQuery(`more than ${MAX_TERMS} words and operators`, position);
    }
  }
}
