import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import HighlightedText from '../src/components/base/HighlightedText.vue';
import { highlight, markHtml } from '../src/lib/highlight';

describe('search highlighting', () => {
  it('marks whole words begun by a search word, ignoring case and accents', () => {
    expect(highlight('Meeting notes: meet Bob', ['meet'])).toEqual([
      { text: 'Meeting', match: true },
      { text: ' notes: ', match: false },
      { text: 'meet', match: true },
      { text: ' Bob', match: false },
    ]);
    expect(
      highlight('Grüße von Jürgen, ОТЧЁТ', ['jurgen', 'отчет']).filter((p) => p.match),
    ).toEqual([
      { text: 'Jürgen', match: true },
      { text: 'ОТЧЁТ', match: true },
    ]);
  });

  it('marks CJK words inside longer runs without spaces', () => {
    expect(highlight('明日の会議について', ['会議'])).toEqual([
      { text: '明日の', match: false },
      { text: '会議', match: true },
      { text: 'について', match: false },
    ]);
  });

  it('marks words in HTML text nodes only, leaving the markup whole', () => {
    const html = '<p title="invoice">An <a href="/invoice">invoice</a> &lt;invoice&gt;</p>';
    const marked = markHtml(html, ['invoice']);
    const doc = new DOMParser().parseFromString(marked, 'text/html');
    expect([...doc.querySelectorAll('mark')].map((m) => m.textContent)).toEqual([
      'invoice',
      'invoice',
    ]);
    expect(doc.querySelector('p')!.getAttribute('title')).toBe('invoice');
    expect(doc.querySelector('a')!.getAttribute('href')).toBe('/invoice');
    expect(doc.querySelector('p')!.textContent).toBe('An invoice <invoice>');
    expect(markHtml(html, [])).toBe(html);
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
