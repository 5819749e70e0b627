/**
 * Adversarial HTML shapes for the sanitizer: each builds about `bytes` of HTML by repeating one
 * unit (or growing one construct), so that time per MB can be compared across sizes.
 */
export interface Shape {
  name: string;
  make: (bytes: number) => string;
  /** Sanitize with remote images shown (each one signed into a proxy URL). */
  showRemoteImages?: boolean;
}

/** `unit(i)` repeated until the HTML reaches `bytes`. */
const repeated =
  (unit: (i: number) => string, before = '', after = '') =>
  (bytes: number): string => {
    const parts: string[] = [before];
    let length = before.length + after.length;
    for (let i = 0; length < bytes; i++) {
      const part = unit(i);
      parts.push(part);
      length += part.length;
    }
    parts.push(after);
    return parts.join('');
  };

const times = (text: string, count: number) => text.repeat(count);

/** `<style>` elements of about 100 KB of `unit(i)` each, until the HTML reaches `bytes`. */
const styleElements = (unit: (i: number) => string) =>
  repeated((i) => `<style>${repeated((j) => unit(i * 10_000 + j))(100_000)}</style>`);
const base64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk'.repeat(170);

export const shapes: Shape[] = [
  {
    name: 'dropped remote images',
    make: repeated((i) => `<div><span><img src="http://t.example/p/${i}.png"></span></div>`),
  },
  {
    name: 'remote images shown (proxied)',
    make: repeated((i) => `<img src="http://t.example/p/${i}.png" alt="">`),
    showRemoteImages: true,
  },
  { name: 'unknown cid: images', make: repeated((i) => `<img src="cid:part${i}@x">`) },
  {
    name: 'data: images (10 KB each)',
    make: repeated(() => `<img src="data:image/png;base64,${base64}" alt="i">`),
  },
  { name: 'links', make: repeated((i) => `<a href="https://x.example/${i}?a=b&amp;c=d">link</a>`) },
  { name: 'javascript: links', make: repeated(() => '<a href="java&#x09;script:alert(1)">x</a>') },
  {
    name: 'nesting 500 deep, repeated',
    make: repeated(() => `${times('<div>', 500)}x${times('</div>', 500)}`),
  },
  {
    name: 'tables nested 150 deep, repeated',
    make: repeated(() => `${times('<table><tr><td>', 150)}x${times('</td></tr></table>', 150)}`),
  },
  { name: 'nesting without end (refused)', make: repeated(() => '<div>') },
  {
    name: 'stray end tags at depth 500',
    make: repeated(() => '</span>', times('<div>', 500)),
  },
  { name: 'unclosed paragraphs', make: repeated(() => '<p>x') },
  { name: 'unclosed list items', make: repeated(() => '<li>x') },
  {
    name: 'dropped elements with content',
    make: repeated((i) => `<script>alert(${i})</script><select><option>o</option></select>`),
  },
  {
    name: 'svg nested 300 deep, repeated',
    make: repeated(() => `<svg>${times('<g>', 300)}${times('</g>', 300)}</svg>`),
  },
  {
    name: 'noscript, repeated',
    make: repeated(() => '<div><noscript><p>x</div></noscript>'),
  },
  { name: 'iframes with fallback', make: repeated(() => '<iframe><p>x</p></iframe>') },
  {
    name: '<style> elements of 100 KB',
    make: styleElements(
      (i) => `.c${i}{color:red;background:url(http://x.example/${i}.png) no-repeat}`,
    ),
  },
  {
    name: '<style> with @media 20 deep',
    make: styleElements(() => `${times('@media screen{', 20)}a{color:red}${times('}', 20)}`),
  },
  { name: '<style> unclosed blocks', make: styleElements(() => 'a{color:red;@media x{') },
  {
    name: 'one huge <style> (dropped > 1 MB)',
    make: repeated((i) => `.c${i}{color:red}`, '<style>', '</style>'),
  },
  {
    name: 'huge style attribute (dropped > 64 KB)',
    make: repeated(() => 'color:red;margin:0 auto;', '<div style="', '">x</div>'),
  },
  {
    name: 'many style attributes',
    make: repeated(
      (i) =>
        `<span style="color:#${(i % 4096).toString(16)};background:url(http://x/${i})">x</span>`,
    ),
  },
  {
    name: 'style attribute, unclosed comment',
    make: repeated(() => 'x/*', '<div style="color:', '">x</div>'),
  },
  {
    name: 'style attribute, url( runs',
    make: repeated(() => 'url( url("', '<div style="background:', '">x</div>'),
  },
  { name: 'many attributes on one tag', make: repeated((i) => ` a${i}="x"`, '<div', '>x</div>') },
  { name: 'long unclosed tag', make: repeated(() => 'x', '<div title="') },
  { name: 'long unclosed attribute list', make: repeated(() => ' a', '<div') },
  { name: 'comments', make: repeated((i) => `<!-- comment ${i} -->x`) },
  { name: 'unclosed comment', make: repeated(() => 'x', '<!--') },
  { name: 'entities', make: repeated(() => '&amp;&lt;&#x41;&eacute;&nbsp;&#128512;') },
  { name: 'plain text', make: repeated((i) => `word${i % 100} `) },
];
