import type { ComposeAddress } from './compose-address';

/** What quoting needs of the message answered or forwarded. */
export interface QuotedOriginal {
  from: ComposeAddress;
  to: ComposeAddress[];
  date: Date;
  subject: string;
  text: string | null;
  /** Already sanitized; null when the message has none (or it could not be sanitized). */
  html: string | null;
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const person = (address: ComposeAddress) =>
  address.name ? `${address.name} <${address.address}>` : address.address;

/** The date as mail programs show it in an attribution, in UTC (the server knows no time zone). */
const when = (date: Date) => date.toUTCString().replace(/:\d\d GMT$/, ' UTC');

const attribution = (original: QuotedOriginal) =>
  `On ${when(original.date)}, ${original.from.name || original.from.address} wrote:`;

/** Plain text of the original: its text part, or the text of its HTML part. */
function originalText(original: QuotedOriginal, htmlToText: (html: string) => string): string {
  if (original.text !== null) return original.text;
  return original.html !== null ? htmlToText(original.html) : '';
}

/** The original's HTML, or its text escaped, to quote in HTML. */
function originalHtml(original: QuotedOriginal): string {
  if (original.html !== null) return original.html;
  return `<div style="white-space: pre-wrap">${escapeHtml(original.text ?? '')}</div>`;
}

/** A reply's body in plain text: room to write, then "On <date>, <name> wrote:" and "> " lines. */
export function quotePlain(original: QuotedOriginal, htmlToText: (html: string) => string): string {
  const lines = originalText(original, htmlToText).replace(/\r\n?/g, '\n').replace(/\n+$/, '');
  const quoted = lines
    .split('\n')
    .map((line) => (line.startsWith('>') ? `>${line}` : `> ${line}`).trimEnd())
    .join('\n');
  return `\n\n${attribution(original)}\n${quoted}\n`;
}

/** A reply's body in HTML: room to write, the attribution, the original in a cite blockquote. */
export function quoteHtml(original: QuotedOriginal): string {
  return `<p></p><p>${escapeHtml(attribution(original))}</p><blockquote type="cite">${originalHtml(original)}</blockquote>`;
}

const FORWARD_LINE = '---------- Forwarded message ----------';

function forwardFields(original: QuotedOriginal): Array<[string, string]> {
  return [
    ['From', person(original.from)],
    ['Date', when(original.date)],
    ['Subject', original.subject],
    ['To', original.to.map(person).join(', ')],
  ];
}

/** A forward's body in plain text: the "Forwarded message" block, then the original as it was. */
export function forwardPlain(
  original: QuotedOriginal,
  htmlToText: (html: string) => string,
): string {
  const header = forwardFields(original)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  return `\n\n${FORWARD_LINE}\n${header}\n\n${originalText(original, htmlToText)}`;
}

/** A forward's body in HTML: the same block, then the original's HTML. */
export function forwardHtml(original: QuotedOriginal): string {
  const header = forwardFields(original)
    .map(([name, value]) => `${name}: ${escapeHtml(value)}`)
    .join('<br>');
  return `<p></p><div>${FORWARD_LINE}<br>${header}</div><br><div>${originalHtml(original)}</div>`;
}
