/**
 * Whether a websocket handshake comes from a page of this very site: its Origin must be
 * http(s)://<the Host it was sent to>. Browsers always send Origin with websockets, so this is
 * what keeps another site from opening the stream with the user's cookie.
 */
export function isSameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host) return false;
  let from: URL;
  let to: URL;
  try {
    from = new URL(origin);
    if (from.protocol !== 'http:' && from.protocol !== 'https:') return false;
    to = new URL(`${from.protocol}//${host}`);
  } catch {
    return false;
  }
  return from.host === to.host;
}
