import { describe, expect, it, vi } from 'vitest';
import { prepareMailHtml } from '../src/lib/mail-html';

const origin = 'https://popgate.example';

describe('mail HTML for the sandboxed frame', () => {
  it('opens links in a new tab without a referrer and drops other schemes', async () => {
    const html = await prepareMailHtml(
      '<p><a href="https://example.com">web</a> <a href="javascript:alert(1)">bad</a> <a href="mailto:a@b.c">mail</a></p>',
      { origin, loadImage: async () => null },
    );
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const links = Array.from(doc.querySelectorAll('a'));
    expect(links.map((link) => link.getAttribute('href'))).toEqual([
      'https://example.com',
      null,
      'mailto:a@b.c',
    ]);
    for (const link of links) {
      expect(link.getAttribute('target')).toBe('_blank');
      expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    }
  });

  it('inlines Popgate’s own images as data: URLs and drops any other', async () => {
    const loadImage = vi.fn(async (url: string) => `data:image/png;base64,${btoa(url)}`);
    const html = await prepareMailHtml(
      '<img src="/api/messages/1/images?url=x&amp;sig=y" alt="proxied"><img src="https://tracker.example/pixel.gif" alt="remote"><img src="data:image/gif;base64,R0lGOD" alt="inline">',
      { origin, loadImage },
    );
    expect(loadImage).toHaveBeenCalledTimes(1);
    expect(loadImage).toHaveBeenCalledWith(`${origin}/api/messages/1/images?url=x&sig=y`);
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const [proxied, remote, inline] = Array.from(doc.querySelectorAll('img'));
    expect(proxied!.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(remote!.hasAttribute('src')).toBe(false);
    expect(remote!.getAttribute('alt')).toBe('remote');
    expect(inline!.getAttribute('src')).toBe('data:image/gif;base64,R0lGOD');
  });

  it('sets a policy of its own that lets the frame load nothing but data: images', async () => {
    const html = await prepareMailHtml(
      '<html><head><meta http-equiv="refresh" content="0;url=https://evil.example"><base href="https://evil.example/"></head><body><script>alert(1)</script>Hi</body></html>',
      { origin, loadImage: async () => null },
    );
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const policies = Array.from(doc.querySelectorAll('meta[http-equiv]'));
    expect(policies).toHaveLength(1);
    expect(policies[0]!.getAttribute('http-equiv')).toBe('Content-Security-Policy');
    expect(policies[0]!.getAttribute('content')).toContain("default-src 'none'");
    expect(policies[0]!.getAttribute('content')).toContain('img-src data:');
    expect(doc.querySelector('script, base')).toBeNull();
    expect(doc.body.textContent).toContain('Hi');
  });

  it('loads Popgate’s own background images as data: URLs, in style attributes, style elements and background attributes', async () => {
    const proxied = '/api/messages/1/images?url=https%3A%2F%2Fcdn.example%2Fbg.png&sig=s';
    const loadImage = vi.fn(async (url: string) =>
      url.includes('missing') ? null : `data:image/png;base64,${btoa(url)}`,
    );
    const html = await prepareMailHtml(
      `<style>.hero{background:url("${proxied}") no-repeat}.gone{background:url("/api/missing")}</style>` +
        `<div class="hero" style="background-image:url(&quot;${proxied}&quot;);color:red">hero</div>` +
        `<table background="${proxied}"><tr><td background="https://elsewhere.example/x.png">x</td></tr></table>` +
        `<p style="background:url('https://elsewhere.example/y.png')">other</p>`,
      { origin, loadImage },
    );
    // One load per distinct URL, only for Popgate’s own.
    expect(loadImage.mock.calls.map(([url]) => url).sort()).toEqual([
      `${origin}${proxied}`,
      `${origin}/api/missing`,
    ]);
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const dataUrl = `data:image/png;base64,${btoa(`${origin}${proxied}`)}`;
    const sheet = Array.from(doc.querySelectorAll('style'))
      .map((style) => style.textContent)
      .find((text) => text?.includes('.hero'));
    expect(sheet).toBe(`.hero{background:url("${dataUrl}") no-repeat}.gone{background:none}`);
    expect(doc.querySelector('.hero')!.getAttribute('style')).toBe(
      `background-image:url("${dataUrl}");color:red`,
    );
    expect(doc.querySelector('table')!.getAttribute('background')).toBe(dataUrl);
    expect(doc.querySelector('td')!.hasAttribute('background')).toBe(false);
    expect(doc.querySelector('p')!.getAttribute('style')).toBe('background:none');
  });
});
