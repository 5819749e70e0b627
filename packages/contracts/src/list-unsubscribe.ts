/**
 * Shared by the server (which sends the one-click POST) and the reader (which offers it).
 * What a message's List-Unsubscribe header (RFC 2369) offers, and whether its sender takes the
 * one-click POST of RFC 8058 (List-Unsubscribe-Post: List-Unsubscribe=One-Click, to an HTTPS URL).
 */
export interface UnsubscribeOffer {
  /** The HTTPS URL to POST "List-Unsubscribe=One-Click" to; null when not offered. */
  oneClick: string | null;
  /** A web page to open (http or https), the first the header names. */
  url: string | null;
  /** A mailto: URL, the first the header names. */
  mailto: string | null;
}

type Headers = ReadonlyArray<readonly [string, string]>;

/** The value of the first header of this name, unfolded (its line breaks are folding). */
function headerValue(headers: Headers, name: string): string | null {
  const found = headers.find(([key]) => key.toLowerCase() === name);
  return found ? found[1].replace(/\r?\n[ \t]*/g, ' ').trim() : null;
}

/** The <...> entries of List-Unsubscribe, in order (RFC 2369: angle brackets, commas between). */
function entries(value: string): URL[] {
  const urls: URL[] = [];
  for (const match of value.matchAll(/<([^>]*)>/g)) {
    try {
      urls.push(new URL(match[1]!.replace(/\s+/g, '')));
    } catch {
      // Not a URL: skipped, as RFC 2369 lets a client skip what it cannot use.
    }
  }
  return urls;
}

export function unsubscribeOffer(headers: Headers): UnsubscribeOffer | null {
  const value = headerValue(headers, 'list-unsubscribe');
  if (!value) return null;
  const urls = entries(value);
  const web = urls.find((url) => url.protocol === 'https:' || url.protocol === 'http:');
  const mailto = urls.find((url) => url.protocol === 'mailto:');
  const post = headerValue(headers, 'list-unsubscribe-post');
  // RFC 8058: exactly this key and value, and the POST goes to an HTTPS URI of List-Unsubscribe.
  const https = urls.find((url) => url.protocol === 'https:');
  const oneClick = post && /^list-unsubscribe=one-click$/i.test(post) && https ? https.href : null;
  if (!web && !mailto) return null;
  return { oneClick, url: web?.href ?? null, mailto: mailto?.href ?? null };
}
