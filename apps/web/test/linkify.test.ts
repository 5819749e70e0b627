import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import PlainTextBody from '../src/components/mail/PlainTextBody.vue';
import { linkify, safeHref } from '../src/lib/linkify';

describe('linkify', () => {
  it('finds web addresses, www names and mail addresses', () => {
    expect(
      linkify('See https://example.com/a?b=1 or www.example.org, or write to bob@example.com.'),
    ).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ' or ' },
      { kind: 'link', text: 'www.example.org', href: 'https://www.example.org/' },
      { kind: 'text', text: ', or write to ' },
      { kind: 'link', text: 'bob@example.com', href: 'mailto:bob@example.com' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('leaves sentence punctuation out of links but keeps balanced parentheses', () => {
    expect(linkify('(see http://example.com/x).')[1]).toEqual({
      kind: 'link',
      text: 'http://example.com/x',
      href: 'http://example.com/x',
    });
    expect(linkify('https://en.wikipedia.org/wiki/Mail_(disambiguation)')[0]).toMatchObject({
      kind: 'link',
      text: 'https://en.wikipedia.org/wiki/Mail_(disambiguation)',
    });
  });

  it('makes no link of other schemes', () => {
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,hi')).toBeNull();
    const tokens = linkify('javascript:alert(document.cookie) vbscript:x file:///etc/passwd');
    expect(tokens.every((token) => token.kind === 'text')).toBe(true);
  });

  it('keeps every character of the text', () => {
    const text = 'a <b>https://x.example/"><script>alert(1)</script> c@d.example\n\ttail';
    expect(
      linkify(text)
        .map((token) => token.text)
        .join(''),
    ).toBe(text);
  });
});

describe('a plain-text body', () => {
  it('shows markup in the text as text: no element comes from it', () => {
    const text =
      'Hello <img src=x onerror=alert(1)> <script>alert(2)</script>\n' +
      'Visit https://example.com/"><svg onload=alert(3)> now';
    const wrapper = mount(PlainTextBody, { props: { text } });
    const root = wrapper.element as HTMLElement;
    expect(root.querySelector('img, script, svg')).toBeNull();
    expect(root.textContent).toBe(text);
    const links = root.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]!.getAttribute('href')).toBe('https://example.com/');
    expect(links[0]!.getAttribute('rel')).toContain('noopener');
    expect(links[0]!.getAttribute('target')).toBe('_blank');
  });
});
