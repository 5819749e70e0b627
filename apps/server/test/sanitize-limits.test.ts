import { describe, expect, it } from 'vitest';
import { MAX_ATTRIBUTES_PER_ELEMENT } from '../src/mail/limited-tokenizer';
import { sanitizeStyleAttribute, sanitizeStylesheet } from '../src/mail/sanitize-css';
import {
  HtmlTooComplexError,
  MAX_NESTING_DEPTH,
  sanitizeMessageHtml,
} from '../src/mail/sanitize-html';

const sanitize = (html: string) =>
  sanitizeMessageHtml(html, {
    showRemoteImages: false,
    proxyUrl: (url) => `/proxy?${encodeURIComponent(url)}`,
    inlinePartUrl: () => null,
  }).html;
const keepAll = (url: string) => url;

describe('what bounds the sanitizer’s work', () => {
  it('refuses HTML whose elements nest deeper than browsers build', () => {
    const within = `${'<div>'.repeat(MAX_NESTING_DEPTH)}x${'</div>'.repeat(MAX_NESTING_DEPTH)}`;
    expect(sanitize(within)).toBe(within);
    const deeper = `${'<div>'.repeat(MAX_NESTING_DEPTH + 1)}x`;
    expect(() => sanitize(deeper)).toThrow(HtmlTooComplexError);
    // Void and closed elements do not add up.
    expect(sanitize('<p><br><img alt="a"></p>'.repeat(2000))).toContain(
      '<p><br /><img alt="a" /></p>',
    );
  });

  it('reads only the first attributes of an element', () => {
    const padding = Array.from({ length: MAX_ATTRIBUTES_PER_ELEMENT }, (_, i) => `data-x${i}="1"`);
    expect(sanitize(`<p title="kept" ${padding.join(' ')} lang="en">x</p>`)).toBe(
      '<p title="kept">x</p>',
    );
    expect(sanitize(`<p ${padding.join(' ')} onclick="alert(1)">x</p>`)).toBe('<p>x</p>');
  });

  it('drops images with nothing to show and no words, keeps those with words', () => {
    expect(sanitize('<p><img src="https://cdn.example/a.png"><img src="x.png" alt=""></p>')).toBe(
      '<p></p>',
    );
    expect(sanitize('<p><img src="https://cdn.example/a.png" alt="a"></p>')).toBe(
      '<p><img alt="a" /></p>',
    );
  });

  it('drops stylesheets above 1 MB and style attributes above 64 KB', () => {
    const rule = '.a{color:red}';
    expect(sanitizeStylesheet(rule.repeat(70_000), keepAll)).toBe(rule.repeat(70_000));
    expect(sanitizeStylesheet(rule.repeat(90_000), keepAll)).toBe('');
    expect(sanitizeStyleAttribute('color:red;'.repeat(6000), keepAll)).not.toBe('');
    expect(sanitizeStyleAttribute('color:red;'.repeat(7000), keepAll)).toBe('');
  });

  it('keeps @media nested a few levels and drops what nests deeper', () => {
    const nested = (depth: number) =>
      `${'@media screen{'.repeat(depth)}a{color:red}${'}'.repeat(depth)}`;
    expect(sanitizeStylesheet(nested(3), keepAll)).toBe(
      '@media screen{@media screen{@media screen{a{color:red}}}}',
    );
    expect(sanitizeStylesheet(nested(5000), keepAll)).toBe('');
  });
});
