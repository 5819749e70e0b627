const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * The href a link in a message may keep: absolute http(s) and mailto URLs only, normalized by the
 * WHATWG URL parser (so whitespace, control characters and entity tricks read the way a browser
 * reads them). Relative links mean nothing outside the sender's site and could point into
 * Popgate itself, so they go too.
 */
export function safeLinkHref(raw: string): string | null {
  const trimmed = raw.trim();
  const absolute = /^[/\\]{2}/.test(trimmed) ? `https:${trimmed}` : trimmed;
  try {
    const url = new URL(absolute);
    return LINK_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}
