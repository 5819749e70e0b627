import { describe, expect, it } from 'vitest';
import { applySuggestion, searchSuggestions } from '../src/lib/search-suggestions';

describe('search box suggestions', () => {
  it('offers the operators the typed word begins', () => {
    expect(searchSuggestions('invoice fr', []).map((s) => s.text)).toEqual(['from:']);
    expect(searchSuggestions('is:', []).map((s) => s.text)).toEqual([
      'is:unread',
      'is:read',
      'is:starred',
    ]);
    expect(searchSuggestions('invoice ', [])).toEqual([]);
    expect(searchSuggestions('from:', [])).toEqual([]);
  });

  it('offers account names after account:', () => {
    expect(searchSuggestions('account:w', ['Work mail', 'home']).map((s) => s.text)).toEqual([
      'account:"Work mail"',
    ]);
  });

  it('replaces the typed word with the picked one, a space after a finished term', () => {
    const [attachment] = searchSuggestions('report -ha', []);
    expect(applySuggestion('report -ha', attachment!)).toBe('report -has:attachment ');
    const [from] = searchSuggestions('(fr', []);
    expect(applySuggestion('(fr', from!)).toBe('(from:');
  });
});
