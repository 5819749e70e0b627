import { describe, expect, it } from 'vitest';
import { classifyImageSource } from '../src/mail/image-source';
import { safeLinkHref } from '../src/mail/link-href';
import { ImageProxySigner } from '../src/mail/remote-images';
import { sanitizeStyleAttribute, sanitizeStylesheet } from '../src/mail/sanitize-css';
import { sanitizeMessageHtml } from '../src/mail/sanitize-html';

const MESSAGE = '0190f5a4-0000-7000-8000-000000000001';
const signer = new ImageProxySigner(Buffer.alloc(32, 7));
const sanitize = (html: string, showRemoteImages = false) =>
  sanitizeMessageHtml(html, {
    showRemoteImages,
    proxyUrl: (url) => signer.proxyUrl(MESSAGE, url),
    inlinePartUrl: (cid) =>
      cid === 'logo@shop' ? `/api/messages/${MESSAGE}/attachments/a1?inline=1` : null,
  });
const keepAll = (url: string) => url;

describe('what ordinary mail keeps', () => {
  it('keeps text formatting, tables and presentation attributes', () => {
    const html =
      '<table width="600" cellpadding="0" bgcolor="#ffffff" align="center"><tr><td valign="top" ' +
      'style="padding:10px;font-family:Arial, sans-serif;color:#333">' +
      '<h1>Title</h1><p><b>bold</b> <i>it</i> <u>u</u> <font face="Verdana" color="red">f</font></p>' +
      '<ul><li>one</li></ul><blockquote>quoted</blockquote><pre>code</pre></td></tr></table>';
    expect(sanitize(html).html).toBe(html);
  });

  it('opens links in a new window without telling the target where they came from', () => {
    expect(sanitize('<a href="https://shop.example/offer?a=1&amp;b=2">offer</a>').html).toBe(
      '<a href="https://shop.example/offer?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">offer</a>',
    );
    expect(sanitize('<a href="mailto:sales@shop.example">mail</a>').html).toContain(
      'href="mailto:sales@shop.example"',
    );
    // Relative links lead nowhere outside the sender's site (or into Popgate): they go.
    expect(sanitize('<a href="/account/delete">x</a>').html).toBe('<a>x</a>');
  });

  it('shows inline parts by their attachment URL and keeps raster data: images', () => {
    expect(sanitize('<img src="cid:logo@shop" alt="Shop">').html).toBe(
      `<img src="/api/messages/${MESSAGE}/attachments/a1?inline=1" alt="Shop" />`,
    );
    expect(sanitize('<img src="cid:unknown@x" alt="gone">').html).toBe('<img alt="gone" />');
    const gif = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
    expect(sanitize(`<img src="${gif}">`).html).toBe(`<img src="${gif}" />`);
  });

  it('keeps style elements, media queries included, and cleans them as CSS', () => {
    const out = sanitize(
      '<style><!-- /* Outlook */ p.MsoNormal{margin:0cm;font-size:11.0pt} a:hover > b {color:red !important}' +
        ' @media (max-width:600px){.col{width:100% !important}} @font-face{font-family:X;src:url(https://fonts.example/x.woff)}' +
        ' @page WordSection1{size:612pt 792pt} --></style><p class="MsoNormal">x</p>',
    ).html;
    expect(out).toBe(
      '<style>p.MsoNormal{margin:0cm;font-size:11.0pt}a:hover > b{color:red !important}' +
        '@media (max-width:600px){.col{width:100% !important}}</style><p class="MsoNormal">x</p>',
    );
  });

  it('drops a whole stylesheet it cannot read rather than guess', () => {
    expect(sanitize('<style>p{color:red</style><p>x</p>').html).toBe('<p>x</p>');
  });

  it('removes remote images unless asked, then sends them through the proxy', () => {
    const html =
      '<img src="https://cdn.example/a.png" alt="a"><div style="background:url(https://cdn.example/b.png) no-repeat">b</div>';
    const blocked = sanitize(html);
    expect(blocked).toEqual({
      html: '<img alt="a" /><div>b</div>',
      remoteImagesBlocked: true,
    });
    const shown = sanitize(html, true);
    expect(shown.remoteImagesBlocked).toBe(false);
    expect(shown.html).toBe(
      `<img src="${signer.proxyUrl(MESSAGE, 'https://cdn.example/a.png').replace(/&/g, '&amp;')}" alt="a" />` +
        `<div style="background:url(&quot;${signer.proxyUrl(MESSAGE, 'https://cdn.example/b.png').replace(/&/g, '&amp;')}&quot;) no-repeat">b</div>`,
    );
  });

  it('says nothing was blocked when a message has no remote images', () => {
    expect(sanitize('<p>hello</p><img src="cid:logo@shop">').remoteImagesBlocked).toBe(false);
  });
});

describe('image sources', () => {
  it('are read the way a browser reads them', () => {
    expect(classifyImageSource(' https://a.example/x.png ')).toEqual({
      kind: 'remote',
      url: 'https://a.example/x.png',
    });
    expect(classifyImageSource('//a.example/x.png')).toMatchObject({ kind: 'remote' });
    expect(classifyImageSource('\\\\a.example\\x.png')).toMatchObject({ kind: 'remote' });
    expect(classifyImageSource('ht\ttp://a.example/x.png')).toMatchObject({ kind: 'remote' });
    expect(classifyImageSource('CID:%3Clogo@shop%3E')).toEqual({
      kind: 'inline-part',
      contentId: 'logo@shop',
    });
    for (const unusable of [
      'javascript:alert(1)',
      'java\nscript:alert(1)',
      'data:image/svg+xml;base64,PHN2Zz4=',
      'data:text/html,<script>',
      'images/logo.png',
      'file:///etc/passwd',
      'ftp://a.example/x.png',
      '',
    ]) {
      expect(classifyImageSource(unusable).kind, unusable).toBe('unusable');
    }
  });
});

describe('links', () => {
  it('keep only absolute http(s) and mailto URLs, normalized', () => {
    expect(safeLinkHref('HTTPS://Shop.Example/a b')).toBe('https://shop.example/a%20b');
    expect(safeLinkHref('//shop.example/x')).toBe('https://shop.example/x');
    for (const bad of ['javascript:alert(1)', ' jav\tascript:x', 'tel:123', '#top', 'x.html']) {
      expect(safeLinkHref(bad), bad).toBeNull();
    }
  });
});

describe('CSS', () => {
  it('keeps ordinary declarations and drops the dangerous ones one by one', () => {
    expect(
      sanitizeStyleAttribute(
        'color:red; width:expression(alert(1)); behavior:url(x.htc); font:12px "Segoe UI"; -moz-binding:url(x)',
        keepAll,
      ),
    ).toBe('color:red;font:12px "Segoe UI"');
  });

  it('drops declarations written with escapes, which could spell anything', () => {
    expect(
      sanitizeStyleAttribute('background:u\\72l(https://x.example/a);color:blue', keepAll),
    ).toBe('color:blue');
    expect(
      sanitizeStyleAttribute('font-family:"\\5FAE\\8F6F\\96C5\\9ED1";color:blue', keepAll),
    ).toBe('color:blue');
  });

  it('sends every url() through the caller and drops what it refuses', () => {
    const seen: string[] = [];
    const policy = (url: string) => {
      seen.push(url);
      return url.startsWith('cid:') ? '/api/messages/m/attachments/a' : null;
    };
    expect(
      sanitizeStyleAttribute(
        `background:url("cid:a");border-image:url('https://x.example/b');list-style:URL(c)`,
        policy,
      ),
    ).toBe('background:url("/api/messages/m/attachments/a")');
    expect(seen).toEqual(['cid:a', 'https://x.example/b', 'c']);
  });

  it("drops fixed and sticky positioning, which would pin the sender's box over the message", () => {
    expect(
      sanitizeStyleAttribute(
        'position:fixed;top:0;left:0;width:100%;height:100%;z-index:9999;color:red',
        keepAll,
      ),
    ).toBe('top:0;left:0;width:100%;height:100%;z-index:9999;color:red');
    expect(sanitizeStyleAttribute('position: -webkit-sticky;position: STICKY', keepAll)).toBe('');
    expect(sanitizeStyleAttribute('position:relative;top:2px', keepAll)).toBe(
      'position:relative;top:2px',
    );
    expect(
      sanitizeStylesheet(
        '.banner{position:fixed;inset:0;background:#000}@media (min-width:1px){.b{position:sticky;top:0}}',
        keepAll,
      ),
    ).toBe('.banner{inset:0;background:#000}@media (min-width:1px){.b{top:0}}');
    const { html } = sanitize('<div style="position:fixed;inset:0">cover</div>');
    expect(html).toBe('<div style="inset:0">cover</div>');
  });

  it('routes a background image through the proxy once images are allowed, in style attributes and style elements alike', () => {
    const remote = 'https://cdn.example/bg.png';
    const blocked = sanitize(
      `<style>.hero{background:url(${remote}) no-repeat}</style><td style="background-image:url('${remote}')">x</td>`,
    );
    expect(blocked.remoteImagesBlocked).toBe(true);
    expect(blocked.html).not.toContain('cdn.example');
    const shown = sanitize(
      `<style>.hero{background:url(${remote}) no-repeat}</style><div style="background-image:url('${remote}')">x</div>`,
      true,
    );
    const proxied = signer.proxyUrl(MESSAGE, remote);
    expect(shown.remoteImagesBlocked).toBe(false);
    expect(shown.html).toBe(
      `<style>.hero{background:url("${proxied}") no-repeat}</style><div style="background-image:url(&quot;${proxied.replace(/&/g, '&amp;')}&quot;)">x</div>`,
    );
  });

  it('never lets loading functions other than url() through', () => {
    for (const value of [
      "background-image:image-set('https://x.example/a.png' 1x)",
      "background-image:-webkit-image-set('https://x.example/a.png' 1x)",
      "background-image:src('https://x.example/a.png')",
      'background-image:cross-fade(url(a), url(b), 50%)',
    ]) {
      expect(sanitizeStyleAttribute(value, keepAll), value).toBe('');
    }
  });

  it('keeps only rules, @media, @supports and @keyframes in a stylesheet', () => {
    expect(
      sanitizeStylesheet(
        '@import "https://x.example/a.css"; @charset "utf-8"; @namespace svg url(x); a{color:red}' +
          ' @supports (display:grid){div{display:grid}} @keyframes spin{from{opacity:0}to{opacity:1}}',
        keepAll,
      ),
    ).toBe(
      'a{color:red}@supports (display:grid){div{display:grid}}@keyframes spin{from{opacity:0}to{opacity:1}}',
    );
  });

  it('refuses selectors and at-rule conditions that could hide something', () => {
    expect(sanitizeStylesheet('a\\3c script{color:red} b{color:blue}', keepAll)).toBe(
      'b{color:blue}',
    );
    expect(sanitizeStylesheet('@media url(x){a{color:red}}', keepAll)).toBe('');
  });
});
