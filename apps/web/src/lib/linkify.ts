/** A piece of plain text: words to show as they are, or a link that is safe to follow. */
export type TextToken =
  { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const CANDIDATE =
  /\b(?:https?:\/\/|www\.)[^\s<>"'`]+|\bmailto:[^\s<>"'`]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/gi;
const TRAILING = /[.,;:!?'"’”)\]}>]+$/;
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** Trailing punctuation belongs to the sentence, except a `)` that closes one in the URL. */
function trimTrailing(candidate: string): string {
  let text = candidate;
  for (;;) {
    const match = TRAILING.exec(text);
    if (!match) return text;
    const last = text[text.length - 1]!;
    if (last === ')' && count(text, '(') >= count(text, ')')) return text;
    text = text.slice(0, -1);
  }
}

const count = (text: string, char: string) => text.split(char).length - 1;

/** The address a candidate points to, or null when it is not a web or mail link. */
export function safeHref(candidate: string): string | null {
  let href = candidate;
  if (/^www\./i.test(href)) href = `https://${href}`;
  else if (!/^(?:https?|mailto):/i.test(href)) {
    if (!href.includes('@')) return null;
    href = `mailto:${href}`;
  }
  try {
    const url = new URL(href);
    if (!SAFE_PROTOCOLS.has(url.protocol)) return null;
    if (url.protocol !== 'mailto:' && !url.hostname) return null;
    return url.href;
  } catch {
    return null;
  }
}

/**
 * Splits plain text into text and links (web addresses, www. names and mail addresses). The
 * result is rendered as text nodes and anchors, never parsed as HTML, so nothing in the text can
 * become markup; only http, https and mailto links are made.
 */
export function linkify(text: string): TextToken[] {
  const tokens: TextToken[] = [];
  let plain = '';
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const raw = trimTrailing(match[0]);
    const href = raw ? safeHref(raw) : null;
    if (!href) continue;
    plain += text.slice(last, start);
    if (plain) tokens.push({ kind: 'text', text: plain });
    plain = '';
    tokens.push({ kind: 'link', text: raw, href });
    last = start + raw.length;
  }
  plain += text.slice(last);
  if (plain) tokens.push({ kind: 'text', text: plain });
  return tokens;
}
