/** A piece of a plain-text body: what the sender wrote, or what they quoted. */
export interface TextPart {
  quoted: boolean;
  text: string;
}

const QUOTE_LINE = /^[ \t]*>/;
/** "On Mon, 2 Nov 2026, Ada wrote:", "Am … schrieb …:", "Le … a écrit :", "-----Original Message-----". */
const ATTRIBUTION =
  /(?:\bwrote|schrieb|a écrit|escribió|ha scritto|skrev|schreef|napisał|написал\(а\)?|написал)\s*:\s*$|^-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine)\s*-{2,}$/i;
/** At most this many lines are looked at; the rest is left as written. */
const MAX_LINES = 20_000;

/**
 * Splits a text/plain body into what was written and what was quoted: runs of `>` lines, with
 * the attribution line just above them ("… wrote:"). Nothing is dropped: joined, the parts are
 * the text again.
 */
export function splitQuotedText(text: string): TextPart[] {
  const lines = text.split('\n');
  if (lines.length > MAX_LINES) return [{ quoted: false, text }];
  const quoted = lines.map((line) => QUOTE_LINE.test(line));
  for (let i = 0; i < lines.length; i++) {
    if (!quoted[i]) continue;
    // The attribution (and blank lines between it and the quote) belongs to the quote.
    let j = i - 1;
    while (j >= 0 && !quoted[j] && lines[j]!.trim() === '') j--;
    if (j >= 0 && !quoted[j] && ATTRIBUTION.test(lines[j]!.trim())) {
      for (let k = j; k < i; k++) quoted[k] = true;
    }
  }
  const parts: TextPart[] = [];
  lines.forEach((line, i) => {
    const last = parts.at(-1);
    if (last && last.quoted === quoted[i]) last.text += `\n${line}`;
    else parts.push({ quoted: quoted[i]!, text: line });
  });
  return parts;
}

/** Whether a plain body quotes anything. */
export const hasQuotedText = (text: string) => splitQuotedText(text).some((part) => part.quoted);

/** What mail programs wrap a quoted message in: blockquote, Gmail's and Outlook's markers. */
const QUOTE_SELECTOR =
  'blockquote, div.gmail_quote, div.moz-cite-prefix, div#divRplyFwdMsg, div#appendonsend';

/**
 * The (already sanitized) HTML of a message without its quoted parts, or null when it quotes
 * nothing. Only elements are taken out, nothing is added: parsed by DOMParser (which runs no
 * script and loads nothing) and serialized again; it is shown in the same sandboxed frame.
 */
export function htmlWithoutQuotes(html: string): string | null {
  if (typeof DOMParser === 'undefined') return null;
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const found = [...doc.querySelectorAll(QUOTE_SELECTOR)].filter(
    (element) => !element.parentElement?.closest(QUOTE_SELECTOR),
  );
  if (found.length === 0) return null;
  for (const element of found) {
    // Outlook's "From: … Sent: …" block is followed by the message it answers: all of it goes.
    if (element.id === 'divRplyFwdMsg' || element.id === 'appendonsend') {
      while (element.nextSibling) element.nextSibling.remove();
    }
    element.remove();
  }
  return `<!doctype html>${doc.documentElement.outerHTML}`;
}
