import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';

export interface MailAddress {
  name: string;
  address: string;
}

export interface ParsedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  sha256: string;
  content: Buffer;
}

/** What Popgate keeps of a message besides its raw bytes. */
export interface ParsedMessage {
  subject: string;
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
  messageId: string | null;
  inReplyTo: string | null;
  /** The Date header; null when missing or unreadable. */
  date: Date | null;
  text: string | null;
  html: string | null;
  snippet: string;
  headers: Array<[string, string]>;
  attachments: ParsedAttachment[];
  /** Set when the message could not be parsed fully; what could be read is still filled in. */
  parseError: string | null;
}

const SNIPPET_LENGTH = 200;
/** How much of the message the parser takes at a time. */
const PIECE_BYTES = 64 * 1024;

/**
 * The message as a stream of views into its bytes (nothing is copied). Handed one Buffer, the
 * parser decodes a large attachment as one string several times the attachment's size.
 */
export function inPieces(raw: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let start = 0; start < raw.length; start += PIECE_BYTES)
        yield raw.subarray(start, start + PIECE_BYTES);
    })(),
    { objectMode: false },
  );
}

/** Parses raw RFC 5322 bytes. Never throws: a broken message still yields what can be read. */
export async function parseMessage(raw: Buffer): Promise<ParsedMessage> {
  let mail: ParsedMail;
  try {
    mail = await simpleParser(inPieces(raw), {
      skipImageLinks: true,
      skipTextToHtml: true,
      keepCidLinks: true,
    });
  } catch (error) {
    return fallbackParse(raw, `MIME parsing failed: ${(error as Error).message}`);
  }
  const text = mail.text?.length ? mail.text : null;
  const html = typeof mail.html === 'string' && mail.html.length ? mail.html : null;
  const date = headerDate(mail);
  return {
    subject: mail.subject ?? '',
    from: addresses(mail.from)[0] ?? { name: '', address: '' },
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    replyTo: addresses(mail.replyTo),
    messageId: mail.messageId ?? null,
    inReplyTo: mail.inReplyTo ?? null,
    date,
    text,
    html,
    snippet: snippetOf(text ?? (html ? stripTags(html) : '')),
    headers: mail.headerLines.map((line) => [
      line.key,
      line.line.slice(line.key.length + 1).trim(),
    ]),
    attachments: mail.attachments.map((a) => ({
      filename: a.filename ?? null,
      contentType: a.contentType || 'application/octet-stream',
      size: a.content.length,
      contentId: a.contentId ? a.contentId.replace(/^<|>$/g, '') : null,
      inline: a.contentDisposition === 'inline' || (a.related ?? false),
      sha256: createHash('sha256').update(a.content).digest('hex'),
      content: a.content,
    })),
    parseError: null,
  };
}

/** mailparser answers "now" for a missing or unreadable Date header; Popgate wants to know. */
function headerDate(mail: ParsedMail): Date | null {
  const line = mail.headerLines.find((header) => header.key === 'date');
  if (!line || !mail.date || Number.isNaN(mail.date.getTime())) return null;
  const value = line.line
    .slice(line.line.indexOf(':') + 1)
    .replace(/\([^)]*\)/g, '')
    .trim();
  return Number.isNaN(Date.parse(value)) ? null : mail.date;
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  if (!value) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: MailAddress[] = [];
  const visit = (entries: AddressObject['value']) => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group);
      else out.push({ name: entry.name ?? '', address: entry.address ?? '' });
    }
  };
  for (const item of list) visit(item.value);
  return out;
}

export function snippetOf(text: string): string {
  // Only the start is shown: flatten a growing prefix rather than a body of megabytes.
  for (let take = SNIPPET_LENGTH * 4; ; take *= 4) {
    const flat = text.slice(0, take).replace(/\s+/g, ' ').trim();
    if (flat.length > SNIPPET_LENGTH) return `${flat.slice(0, SNIPPET_LENGTH - 1)}…`;
    if (take >= text.length) return flat;
  }
}

/**
 * The words of an HTML body, roughly, for a snippet. Linear in the size of the HTML: a regular
 * expression that searches ahead for an end that is not there scans the rest of the body once per
 * start, and a body of many starts (`<style<style…`, `<<<…`) would take minutes.
 */
function stripTags(html: string): string {
  const words = withoutScriptsAndStyles(html);
  // A tag needs a `>` ahead: past the last one, nothing is a tag.
  const lastEnd = words.lastIndexOf('>');
  return (words.slice(0, lastEnd + 1).replace(/<[^>]+>/g, ' ') + words.slice(lastEnd + 1))
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

/** `html` with each `<script…</script>` and `<style…</style>` (the nearest end tag) made a space. */
function withoutScriptsAndStyles(html: string): string {
  // Where the last end tag of each starts: a start after it has no end and is left as it is.
  const lastEndTag = { script: -1, style: -1 };
  for (const end of html.matchAll(/<\/(script|style)>/gi)) {
    lastEndTag[end[1]!.toLowerCase() as keyof typeof lastEndTag] = end.index;
  }
  const start = /<(script|style)/gi;
  const endTags = { script: /<\/script>/gi, style: /<\/style>/gi };
  let out = '';
  let copied = 0;
  for (let found = start.exec(html); found; found = start.exec(html)) {
    const name = found[1]!.toLowerCase() as keyof typeof lastEndTag;
    if (lastEndTag[name] < start.lastIndex) continue;
    const endTag = endTags[name];
    endTag.lastIndex = start.lastIndex;
    const end = endTag.exec(html)!;
    out += `${html.slice(copied, found.index)} `;
    copied = end.index + end[0].length;
    start.lastIndex = copied;
  }
  return out + html.slice(copied);
}

/** Reads the header block by hand when the MIME parser gives up. */
function fallbackParse(raw: Buffer, reason: string): ParsedMessage {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const headerBlock = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end).trim();
  const headers: Array<[string, string]> = [];
  for (const line of headerBlock.split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.push([
        line.slice(0, colon).trim().toLowerCase(),
        line
          .slice(colon + 1)
          .replace(/\r?\n[ \t]+/g, ' ')
          .trim(),
      ]);
  }
  const header = (name: string) => headers.find(([key]) => key === name)?.[1] ?? '';
  const fromHeader = header('from');
  const angle = /<([^>]+)>/.exec(fromHeader);
  const date = new Date(header('date'));
  return {
    subject: header('subject'),
    from: angle
      ? { name: fromHeader.slice(0, angle.index).replace(/"/g, '').trim(), address: angle[1]! }
      : { name: '', address: fromHeader },
    to: [],
    cc: [],
    replyTo: [],
    messageId: header('message-id') || null,
    inReplyTo: header('in-reply-to') || null,
    date: Number.isNaN(date.getTime()) ? null : date,
    text: body || null,
    html: null,
    snippet: snippetOf(body),
    headers,
    attachments: [],
    parseError: reason,
  };
}
