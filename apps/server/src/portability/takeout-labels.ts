/*
 * Google Takeout writes a message's Gmail labels in an X-GM-LABELS header: comma-separated,
 * quoted when a label holds a comma or a quote, in UTF-8 (sometimes as RFC 2047 encoded words),
 * "/" nesting a label in another ("Work/Project X"). Gmail's own states come as labels too.
 */

/** What the labels of an imported message set, and the labels it keeps. */
export interface LabelEffects {
  /** Kept on the message: shown, and found with label:. */
  labels: string[];
  /** Unread -> unread; Opened (read in Gmail) -> read; neither: as imported mail is (unread). */
  seen?: boolean;
  /** Starred -> starred. */
  flagged?: boolean;
  /** Trash -> in the trash. */
  trashed?: boolean;
  /** Sent (and not also in the Inbox: mail to oneself stays there) -> the sent folder. */
  sent?: boolean;
}

/** Labels that are a state Popgate keeps itself: they set it, and are not kept as labels. */
const STATES = new Set(['unread', 'opened', 'starred', 'sent', 'trash']);
/** At most this many labels, each at most this long: a header is not a place to store a book. */
const MAX_LABELS = 100;
const MAX_LABEL_LENGTH = 200;

/** The header block of a message, up to the first empty line (or the first 256 KB). */
function headerBlock(raw: Buffer): Buffer {
  const limit = raw.subarray(0, 256 * 1024);
  const crlf = limit.indexOf('\r\n\r\n');
  const lf = limit.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf >= 0 ? lf : limit.length;
  return limit.subarray(0, end);
}

/** UTF-8 when the bytes are UTF-8, else Latin-1 (each byte a character): never fails. */
function text(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** RFC 2047 encoded words (=?charset?Q|B?…?=) decoded; adjacent ones join without the space. */
function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?\s]+\?[QqBb]\?[^?\s]*\?=)\s+(?==\?)/g, '$1')
    .replace(
      /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=/g,
      (word, charset, kind, data) => {
        try {
          const bytes =
            kind.toUpperCase() === 'B'
              ? Buffer.from(data, 'base64')
              : Buffer.from(
                  (data as string)
                    .replace(/_/g, ' ')
                    .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
                      String.fromCharCode(parseInt(hex, 16)),
                    ),
                  'latin1',
                );
          return new TextDecoder(charset).decode(bytes);
        } catch {
          return word;
        }
      },
    );
}

/** A comma-separated list where a label may be "quoted" (with \" and \\ inside). */
function splitLabels(value: string): string[] {
  const labels: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted && c === '\\' && i + 1 < value.length) current += value[++i];
    else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      labels.push(current);
      current = '';
    } else current += c;
  }
  labels.push(current);
  return labels.map((label) => label.replace(/\s+/g, ' ').trim()).filter((label) => label !== '');
}

/** The labels of the X-GM-LABELS header as written, or null when the message has none. */
export function takeoutLabels(raw: Buffer): string[] | null {
  const block = text(headerBlock(raw));
  const match = /^x-gm-labels[ \t]*:((?:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*))/im.exec(block);
  if (!match) return null;
  const value = decodeWords(match[1]!.replace(/\r?\n(?=[ \t])/g, ''));
  const unique = new Map<string, string>();
  for (const label of splitLabels(value)) {
    const name = label.slice(0, MAX_LABEL_LENGTH);
    const key = name.toLowerCase();
    if (!unique.has(key)) unique.set(key, name);
  }
  return [...unique.values()].slice(0, MAX_LABELS);
}

/** What a message's Takeout labels do on import (see LabelEffects); null: it has none. */
export function labelEffects(raw: Buffer): LabelEffects | null {
  const found = takeoutLabels(raw);
  if (!found) return null;
  const has = (state: string) => found.some((label) => label.toLowerCase() === state);
  const effects: LabelEffects = {
    labels: found.filter((label) => !STATES.has(label.toLowerCase())),
  };
  if (has('unread')) effects.seen = false;
  else if (has('opened')) effects.seen = true;
  if (has('starred')) effects.flagged = true;
  if (has('trash')) effects.trashed = true;
  if (has('sent') && !has('inbox')) effects.sent = true;
  return effects;
}
