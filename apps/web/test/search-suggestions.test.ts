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

describe('label suggestions', () => {
  const labels = ['Inbox', 'Work', 'Work/Project X', 'Café'];

  it('offers label: among the operators', () => {
    expect(searchSuggestions('lab', []).map((s) => s.text)).toEqual(['label:']);
  });

  it('offers the labels that begin with what was typed after label:, quoted with a space', () => {
    expect(searchSuggestions('invoice label:wo', [], labels).map((s) => s.text)).toEqual([
      'label:Work',
      'label:"Work/Project X"',
    ]);
    expect(searchSuggestions('label:c', [], labels)).toEqual([
      { text: 'label:Café', hint: 'label', complete: true },
    ]);
    expect(searchSuggestions('label:work', [], labels).map((s) => s.text)).toEqual([
      'label:"Work/Project X"',
    ]);
    expect(searchSuggestions('label:', [], [])).toEqual([]);
  });
});
