import { describe, expect, it } from 'vitest';
import { DomainError } from '../src/domain-errors';
import { parseSearch } from '../src/search/query-parser';

const failure = (query: string) => {
  try {
    parseSearch(query);
  } catch (error) {
    if (error instanceof DomainError)
      return { code: error.code, message: error.message, position: error.position };
    throw error;
  }
  throw new Error(`"${query}" was accepted`);
};

describe('the search parser', () => {
  it('reads words side by side as all required, the last one still being typed as a prefix', () => {
    expect(parseSearch('quarterly invoi')).toEqual({
      kind: 'and',
      children: [
        { kind: 'text', field: 'any', value: 'quarterly', phrase: false, prefix: false },
        { kind: 'text', field: 'any', value: 'invoi', phrase: false, prefix: true },
      ],
    });
    expect(parseSearch('invoice ')).toMatchObject({ prefix: false });
  });

  it('reads operators with plain and quoted values', () => {
    expect(parseSearch('from:"Carol Smith" subject:report')).toEqual({
      kind: 'and',
      children: [
        { kind: 'text', field: 'from', value: 'Carol Smith', phrase: true, prefix: false },
        { kind: 'text', field: 'subject', value: 'report', phrase: false, prefix: true },
      ],
    });
    expect(parseSearch('has:attachment')).toEqual({ kind: 'flag', flag: 'attachment' });
    expect(parseSearch('is:unread')).toEqual({ kind: 'flag', flag: 'unread' });
    expect(parseSearch('is:starred')).toEqual({ kind: 'flag', flag: 'starred' });
    expect(parseSearch('in:sent')).toEqual({ kind: 'folder', folder: 'sent' });
    expect(parseSearch('account:work')).toEqual({ kind: 'account', value: 'work' });
    expect(parseSearch('after:2024/1/31')).toEqual({
      kind: 'date',
      op: 'after',
      at: { day: '2024-01-31' },
    });
    expect(parseSearch('before:2024-02-29')).toEqual({
      kind: 'date',
      op: 'before',
      at: { day: '2024-02-29' },
    });
    expect(parseSearch('newer_than:2m')).toEqual({
      kind: 'date',
      op: 'after',
      at: { ago: { amount: 2, unit: 'month' } },
    });
    expect(parseSearch('older_than:7d')).toEqual({
      kind: 'date',
      op: 'before',
      at: { ago: { amount: 7, unit: 'day' } },
    });
    expect(parseSearch('larger:10M')).toEqual({
      kind: 'size',
      op: 'larger',
      bytes: 10 * 1024 * 1024,
    });
    expect(parseSearch('smaller:500K')).toEqual({ kind: 'size', op: 'smaller', bytes: 500 * 1024 });
    expect(parseSearch('filename:invoice-Q3.pdf')).toMatchObject({
      kind: 'text',
      field: 'filename',
      value: 'invoice-Q3.pdf',
    });
  });

  it('reads -term, OR and parentheses with OR binding looser than side by side', () => {
    expect(parseSearch('a OR b c')).toMatchObject({
      kind: 'or',
      children: [{ value: 'a' }, { kind: 'and', children: [{ value: 'b' }, { value: 'c' }] }],
    });
    expect(parseSearch('(a OR b) -c')).toMatchObject({
      kind: 'and',
      children: [{ kind: 'or' }, { kind: 'not', child: { value: 'c' } }],
    });
    expect(parseSearch('-"exact phrase"')).toMatchObject({ kind: 'not', child: { phrase: true } });
  });

  it('reads words that only look like operators as words', () => {
    expect(parseSearch('re:hello 10:30')).toMatchObject({
      kind: 'and',
      children: [{ value: 're:hello' }, { value: '10:30' }],
    });
  });

  it('says where a query is wrong and what was meant', () => {
    expect(failure('form:carol')).toEqual({
      code: 'INVALID_QUERY',
      message: 'unknown operator "form:" at 1 — did you mean from:?',
      position: 1,
    });
    expect(failure('invoice "unclosed')).toMatchObject({
      message: 'unclosed quote at 9',
      position: 9,
    });
    expect(failure('(a OR b')).toMatchObject({ message: 'unclosed parenthesis at 1', position: 1 });
    expect(failure('a)')).toMatchObject({ position: 2 });
    expect(failure('after:2024/02/30')).toMatchObject({ position: 7 });
    expect(failure('before:yesterday').message).toMatch(/bad date "yesterday"/);
    expect(failure('is:important').message).toMatch(/is: takes is:unread, is:read/);
    expect(failure('older_than:7w').position).toBe(12);
    expect(failure('larger:huge').position).toBe(8);
    expect(failure('from: carol')).toMatchObject({ position: 1 });
    expect(failure('a OR')).toMatchObject({ position: 3 });
  });

  it('is bounded in nesting and in the number of terms', () => {
    expect(failure('((((((((((a))))))))))').message).toMatch(/nested deeper than 8/);
    expect(failure(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ')).message).toMatch(
      /more than 32/,
    );
  });
});
