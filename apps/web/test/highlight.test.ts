import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import HighlightedText from '../src/components/base/HighlightedText.vue';
import { highlight, searchTerms } from '../src/lib/highlight';

describe('search highlighting', () => {
  it('takes the words of a search, without operators and quotes', () => {
    expect(searchTerms('"quarterly report" -draft OR Budget')).toEqual([
      'quarterly',
      'report',
      'budget',
      'draft',
    ]);
    expect(searchTerms('   ')).toEqual([]);
  });

  it('marks each match, ignoring case, and prefixes of longer words', () => {
    expect(highlight('Meeting notes: meet Bob', ['meet'])).toEqual([
      { text: 'Meet', match: true },
      { text: 'ing notes: ', match: false },
      { text: 'meet', match: true },
      { text: ' Bob', match: false },
    ]);
  });

  it('treats search words as text, not patterns', () => {
    expect(highlight('a.b axb', ['a.b'])).toEqual([
      { text: 'a.b', match: true },
      { text: ' axb', match: false },
    ]);
  });

  it('renders marks and escapes everything', () => {
    const wrapper = mount(HighlightedText, {
      props: { text: '<b>Invoice</b> for you', terms: ['invoice'] },
    });
    expect(wrapper.findAll('mark').map((mark) => mark.text())).toEqual(['Invoice']);
    expect(wrapper.find('b').exists()).toBe(false);
    expect(wrapper.text()).toBe('<b>Invoice</b> for you');
  });
});
