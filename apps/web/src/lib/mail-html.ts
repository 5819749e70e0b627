/**
 * Mail HTML arrives sanitized by the server. Before it goes into the reading pane's sandboxed
 * frame (no scripts, no same-origin), it is prepared here, inertly (DOMParser runs no script and
 * loads nothing):
 * - links open in a new tab without a referrer, and only http, https and mailto links stay;
 * - images served by Popgate itself (attachments shown inline, proxied remote images), in <img>,
 *   in CSS url() (style attributes and <style> elements) and in `background` attributes, become
 *   data: URLs, because the frame's opaque origin gets neither the session cookie nor the
 *   same-origin resources; a data: image is also readable offline;
 * - a policy of its own lets the frame load nothing else, whatever slipped through.
 */

export type ImageLoader = (url: string) => Promise<string | null>;

const FRAME_POLICY =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; form-action 'none'";
const FRAME_STYLE = `
:root { color-scheme: light; }
html, body { margin: 0; }
body { padding: 16px; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1f2328; background: #fff; overflow-wrap: anywhere; }
img { max-width: 100%; height: auto; }
table { max-width: 100%; }
pre { white-space: pre-wrap; }
a { color: #0b57d0; }
`;

const SAFE_LINK = /^(?:https?:|mailto:)/i;
const MAX_IMAGES = 100;
const CSS_URL = /url\(\s*(["']?)([^"')]*)\1\s*\)/gi;

export function isSameOrigin(src: string, origin: string): boolean {
  try {
    const url = new URL(src, origin);
    return url.origin === origin && (url.protocol === 'http:' || url.protocol === 'https:');
  } catch {
    return false;
  }
}

/** Loads a same-origin image as a data: URL, or null. */
export const fetchImageAsDataUrl: ImageLoader = async (url) => {
  try {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) return null;
    const blob = await response.blob();
    if (!blob.type.startsWith('image/') || blob.size > 10 * 1024 * 1024) return null;
    return await new Promise<string | null>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : null);
      reader.onerror = () => resolve(null);
      reader.readAsDataURL(blob);
    });
  } catch {
    return null;
  }
};

export async function prepareMailHtml(
  html: string,
  options: { origin?: string; loadImage?: ImageLoader } = {},
): Promise<string> {
  const origin = options.origin ?? window.location.origin;
  const loadImage = options.loadImage ?? fetchImageAsDataUrl;
  const doc = new DOMParser().parseFromString(html, 'text/html');

  for (const element of Array.from(doc.querySelectorAll('script, base, meta[http-equiv]'))) {
    element.remove();
  }
  for (const link of Array.from(doc.querySelectorAll('a, area'))) {
    const href = link.getAttribute('href')?.trim() ?? '';
    if (!SAFE_LINK.test(href)) link.removeAttribute('href');
    link.setAttribute('target', '_blank');
    link.setAttribute('rel', 'noopener noreferrer');
  }

  const images = Array.from(doc.querySelectorAll('img')).slice(0, MAX_IMAGES);
  await Promise.all(
    images.map(async (image) => {
      image.removeAttribute('srcset');
      const src = image.getAttribute('src') ?? '';
      if (src.startsWith('data:')) return;
      if (!isSameOrigin(src, origin)) {
        // Anything else could not load in the frame anyway: keep the alt text and the layout.
        image.removeAttribute('src');
        return;
      }
      const dataUrl = await loadImage(new URL(src, origin).href);
      if (dataUrl) image.setAttribute('src', dataUrl);
      else image.removeAttribute('src');
    }),
  );

  await inlineBackgroundImages(doc, origin, loadImage);

  const head = doc.head;
  const policy = doc.createElement('meta');
  policy.setAttribute('http-equiv', 'Content-Security-Policy');
  policy.setAttribute('content', FRAME_POLICY);
  const referrer = doc.createElement('meta');
  referrer.setAttribute('name', 'referrer');
  referrer.setAttribute('content', 'no-referrer');
  const style = doc.createElement('style');
  style.textContent = FRAME_STYLE;
  head.prepend(policy, referrer, style);
  return `<!doctype html>${doc.documentElement.outerHTML}`;
}

/**
 * Background images (CSS url() and the `background` attribute) as data: URLs, like <img>: the
 * server wrote Popgate's own URLs there (the proxy once images are allowed, inline parts), which
 * the frame could not load; any other URL goes. Each distinct URL is loaded once.
 */
async function inlineBackgroundImages(
  doc: Document,
  origin: string,
  loadImage: ImageLoader,
): Promise<void> {
  const styled = Array.from(doc.querySelectorAll('[style]')).filter((element) =>
    /url\(/i.test(element.getAttribute('style') ?? ''),
  );
  const sheets = Array.from(doc.querySelectorAll('style')).filter((style) =>
    /url\(/i.test(style.textContent ?? ''),
  );
  const backgrounds = Array.from(doc.querySelectorAll('[background]'));

  const wanted = new Set<string>();
  const note = (url: string) => {
    if (!url.startsWith('data:') && isSameOrigin(url, origin) && wanted.size < MAX_IMAGES) {
      wanted.add(url);
    }
  };
  for (const css of [
    ...styled.map((e) => e.getAttribute('style')!),
    ...sheets.map((s) => s.textContent!),
  ]) {
    for (const match of css.matchAll(CSS_URL)) note(match[2]!);
  }
  for (const element of backgrounds) note(element.getAttribute('background')!.trim());

  const loaded = new Map<string, string | null>();
  await Promise.all(
    [...wanted].map(async (url) => {
      loaded.set(url, await loadImage(new URL(url, origin).href));
    }),
  );
  const dataUrlOf = (url: string): string | null =>
    url.startsWith('data:') ? url : (loaded.get(url) ?? null);
  // A url() that cannot load becomes `none`, which every property taking an image accepts.
  const rewrite = (css: string) =>
    css.replace(CSS_URL, (_match, _quote: string, url: string) => {
      const dataUrl = dataUrlOf(url);
      return dataUrl ? `url("${dataUrl}")` : 'none';
    });

  for (const element of styled)
    element.setAttribute('style', rewrite(element.getAttribute('style')!));
  for (const sheet of sheets) sheet.textContent = rewrite(sheet.textContent!);
  for (const element of backgrounds) {
    const dataUrl = dataUrlOf(element.getAttribute('background')!.trim());
    if (dataUrl) element.setAttribute('background', dataUrl);
    else element.removeAttribute('background');
  }
}
