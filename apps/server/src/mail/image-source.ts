/** Where an image in a message's HTML comes from, decided before anything may load it. */
export type ImageSource =
  | { kind: 'remote'; url: string }
  | { kind: 'inline-part'; contentId: string }
  | { kind: 'data'; url: string }
  | { kind: 'unusable' };

/** Raster formats a browser shows without running anything; SVG is left out on purpose. */
const DATA_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp|bmp);base64,[a-z0-9+/]+={0,2}$/i;
// eslint-disable-next-line no-control-regex -- browsers drop these around and inside URLs
const IGNORED_BY_BROWSERS = /[\u0000-\u0020\u007f]/g;

/**
 * Classifies an image URL the way a browser would read it (the WHATWG URL parser ignores the
 * same control characters and whitespace): http(s) and protocol-relative URLs are remote, `cid:`
 * names a part of the message, `data:` is kept only for raster images; anything else (relative
 * paths, javascript:, other schemes) cannot be shown.
 */
export function classifyImageSource(raw: string): ImageSource {
  const compact = raw.replace(IGNORED_BY_BROWSERS, '');
  if (/^cid:/i.test(compact)) {
    const contentId = safeDecode(compact.slice(4)).replace(/^<|>$/g, '');
    return contentId ? { kind: 'inline-part', contentId } : { kind: 'unusable' };
  }
  if (/^data:/i.test(compact)) {
    return DATA_IMAGE.test(compact) ? { kind: 'data', url: compact } : { kind: 'unusable' };
  }
  const absolute = /^[/\\]{2}/.test(compact) ? `https:${raw.trim()}` : raw;
  let url: URL;
  try {
    url = new URL(absolute);
  } catch {
    return { kind: 'unusable' };
  }
  if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname) {
    return { kind: 'remote', url: url.href };
  }
  return { kind: 'unusable' };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
