/**
 * Reads the JSON error an OAuth 2.0 SASL server sends as a challenge when the token is
 * refused ({"status":"401","schemes":"bearer","scope":"..."}). Anything unreadable is kept as text.
 */
export function parseOAuthError(challenge: Buffer): Record<string, unknown> {
  const text = challenge.toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // fall through
  }
  return { message: text };
}
