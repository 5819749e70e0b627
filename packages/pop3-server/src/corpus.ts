import { SeededRandom } from './random';

export interface CorpusMessage {
  /** "0001-plain.eml"; names of bare-LF messages contain "bare-lf" (Dovecot rewrites LF). */
  name: string;
  body: Buffer;
}

export interface CorpusOptions {
  count: number;
  /** Same seed, same bytes. Default 1. */
  seed?: number;
  /** Make the last message a ~20 MB one (a large base64 attachment). */
  include20MB?: boolean;
  /** Size range of the text of ordinary messages, in bytes. Default 200..20000. */
  sizes?: { minTextBytes?: number; maxTextBytes?: number };
}

/** Each one appears once, in this order, before ordinary messages fill up the count. */
export const TRICKY_KINDS = [
  'dot-lines',
  'bare-lf',
  'latin1-8bit',
  'utf8-headers',
  'html-alternative',
  'attachment',
  'long-lines',
  'plain',
] as const;

const ORDINARY_KINDS = [
  'plain',
  'plain',
  'html-alternative',
  'attachment',
  'utf8-headers',
] as const;

type Kind = (typeof TRICKY_KINDS)[number] | 'large-20mb';

const WORDS = (
  'the a of to and in is it you that he was for on are with as his they be at one have this ' +
  'from or had by word but what some we can out other were all there when up use your how said ' +
  'an each she which do their time if will way about many then them write would like so these ' +
  'her long make thing see him two has look more day could go come did number sound no most ' +
  'people my over know water than call first who may down side been now find invoice meeting ' +
  'quarterly report server mailbox schedule budget draft review attached thanks regards'
).split(' ');

const PEOPLE = [
  { name: 'Alice Martin', address: 'alice@example.com' },
  { name: 'Bob Okafor', address: 'bob@example.org' },
  { name: 'Carol Nguyen', address: 'carol@example.net' },
  { name: 'Dmitri Volkov', address: 'dmitri@example.com' },
  { name: 'Eve Laurent', address: 'eve@example.fr' },
];

const INTERNATIONAL_PEOPLE = [
  { name: 'Jürgen Groß', address: 'juergen@example.de' },
  { name: 'Zoë Ålander', address: 'zoe@example.se' },
  { name: '山田 太郎', address: 'taro@example.jp' },
  { name: 'Ελένη Παπαδοπούλου', address: 'eleni@example.gr' },
  { name: 'Łukasz Żółć', address: 'lukasz@example.pl' },
];

const INTERNATIONAL_SUBJECTS = [
  'Grüße aus München — Übersicht',
  'Réunion de l’équipe: ordre du jour',
  '会議の議事録 (2024年)',
  'Προσφορά για το έργο ✓',
  'Ça va? Ünïcödé ☃ test',
];

const LATIN1_LINES = [
  'Café crème, déjà vu, naïve façade.',
  'Grüße aus Köln: Straße, Mädchen, Öl.',
  'Señor Muñoz pagó el año pasado.',
  '½ price until 31/12 — £5 or ¥700 ©',
];

const CRLF = '\r\n';

/** RFC 2047 encoded-word (base64) when the text is not plain ASCII. */
function encodeWord(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function mailbox(person: { name: string; address: string }): string {
  return `${encodeWord(person.name)} <${person.address}>`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date-time in UTC. */
function rfc5322Date(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}

function sentence(random: SeededRandom): string {
  const words = Array.from({ length: random.int(5, 14) }, () => random.pick(WORDS));
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** Paragraphs of wrapped text (lines under 78 characters) of about `bytes` bytes. */
function prose(random: SeededRandom, bytes: number): string[] {
  const lines: string[] = [];
  let size = 0;
  let line = '';
  while (size < bytes) {
    const next = sentence(random);
    if (line.length + next.length + 1 > 76) {
      lines.push(line);
      size += line.length + 2;
      line = next;
      if (random.next() < 0.15) lines.push('');
    } else {
      line = line ? `${line} ${next}` : next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function base64Lines(data: Buffer): string[] {
  const encoded = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 76) lines.push(encoded.slice(i, i + 76));
  return lines;
}

interface Envelope {
  from: string;
  to: string;
  subject: string;
  date: string;
  messageId: string;
}

function headerLines(envelope: Envelope, extra: string[]): string[] {
  const host = envelope.from.replace(/.*@|>.*/g, '');
  return [
    `Return-Path: <${envelope.from.replace(/.*<|>.*/g, '')}>`,
    `Received: from mail.${host} (mail.${host} [192.0.2.25]) by mx.popgate.test with ESMTPS; ${envelope.date}`,
    `From: ${envelope.from}`,
    `To: ${envelope.to}`,
    `Subject: ${envelope.subject}`,
    `Date: ${envelope.date}`,
    `Message-ID: ${envelope.messageId}`,
    'MIME-Version: 1.0',
    ...extra,
  ];
}

function join(lines: string[], eol = CRLF): string {
  return lines.map((line) => `${line}${eol}`).join('');
}

function build(kind: Kind, envelope: Envelope, random: SeededRandom, textBytes: number): Buffer {
  const text = () => prose(random, textBytes);
  const boundary = `=_popgate_${random.hex(16)}`;
  switch (kind) {
    case 'plain':
      return Buffer.from(
        join([
          ...headerLines(envelope, [
            'Content-Type: text/plain; charset=us-ascii',
            'Content-Transfer-Encoding: 7bit',
          ]),
          '',
          ...text(),
        ]),
      );
    case 'dot-lines':
      return Buffer.from(
        join([
          ...headerLines(envelope, ['Content-Type: text/plain; charset=us-ascii']),
          '',
          'Lines below start with dots; the lone dot must not end the message.',
          '.',
          '..',
          '...',
          '.leading dot',
          '..two leading dots',
          '. dot and space',
          '',
          '.',
          'The end, after a lone dot.',
        ]),
      );
    case 'bare-lf':
      return Buffer.from(
        join(
          [
            ...headerLines(envelope, ['Content-Type: text/plain; charset=us-ascii']),
            '',
            'This message uses bare LF line endings, as some broken servers store them.',
            ...text().slice(0, 6),
            '.dot after a bare LF',
            'last line',
          ],
          '\n',
        ),
      );
    case 'latin1-8bit': {
      const lines = [
        ...headerLines(envelope, [
          'Content-Type: text/plain; charset=ISO-8859-1',
          'Content-Transfer-Encoding: 8bit',
        ]),
        '',
        ...LATIN1_LINES,
        ...text().slice(0, 4),
      ];
      // latin1 encoding: é is the single byte 0xE9, which is not valid UTF-8.
      return Buffer.from(join(lines), 'latin1');
    }
    case 'utf8-headers':
      return Buffer.from(
        join([
          ...headerLines(envelope, [
            'Content-Type: text/plain; charset=UTF-8',
            'Content-Transfer-Encoding: 8bit',
          ]),
          '',
          'Grüße — 你好 — Γειά σου — ☃',
          ...text(),
        ]),
        'utf8',
      );
    case 'html-alternative': {
      const paragraphs = text();
      return Buffer.from(
        join([
          ...headerLines(envelope, [`Content-Type: multipart/alternative; boundary="${boundary}"`]),
          '',
          'This is a multi-part message in MIME format.',
          `--${boundary}`,
          'Content-Type: text/plain; charset=us-ascii',
          'Content-Transfer-Encoding: 7bit',
          '',
          ...paragraphs,
          `--${boundary}`,
          'Content-Type: text/html; charset=us-ascii',
          'Content-Transfer-Encoding: 7bit',
          '',
          '<!DOCTYPE html>',
          '<html><head><meta charset="us-ascii"><title>Newsletter</title></head><body>',
          '<h1>Hello</h1>',
          ...paragraphs.filter(Boolean).map((line) => `<p>${line}</p>`),
          '<p><a href="https://example.com/unsubscribe">Unsubscribe</a></p>',
          '</body></html>',
          `--${boundary}--`,
        ]),
      );
    }
    case 'attachment':
    case 'large-20mb': {
      const large = kind === 'large-20mb';
      // 15 MiB of bytes become ~20 MiB of base64 lines.
      const data = random.bytes(large ? 15 * 1024 * 1024 : random.int(2_000, 60_000));
      const file = large ? 'archive.bin' : random.pick(['report.pdf', 'photo.jpg', 'data.xlsx']);
      return Buffer.from(
        join([
          ...headerLines(envelope, [`Content-Type: multipart/mixed; boundary="${boundary}"`]),
          '',
          `--${boundary}`,
          'Content-Type: text/plain; charset=us-ascii',
          '',
          ...text().slice(0, 5),
          `--${boundary}`,
          `Content-Type: application/octet-stream; name="${file}"`,
          `Content-Disposition: attachment; filename="${file}"`,
          'Content-Transfer-Encoding: base64',
          '',
          ...base64Lines(data),
          `--${boundary}--`,
        ]),
      );
    }
    case 'long-lines':
      return Buffer.from(
        join([
          ...headerLines(envelope, ['Content-Type: text/plain; charset=us-ascii']),
          '',
          'The next line is 998 characters, the RFC 5322 limit; the one after is 10,000.',
          'x'.repeat(998),
          Array.from({ length: 3000 }, (_, i) => `w${i % 10}rd`)
            .join('')
            .slice(0, 10_000),
          'short line after the long ones',
        ]),
      );
  }
}

/**
 * Realistic RFC 5322 messages with CRLF endings (except the bare-LF one), deterministic for
 * a seed: the first messages cover the tricky cases, in TRICKY_KINDS order.
 */
export function generateCorpus(options: CorpusOptions): CorpusMessage[] {
  const random = new SeededRandom(options.seed ?? 1);
  const minText = options.sizes?.minTextBytes ?? 200;
  const maxText = Math.max(minText, options.sizes?.maxTextBytes ?? 20_000);
  const start = Date.UTC(2023, 0, 2, 8, 0, 0);
  let time = start;
  const messages: CorpusMessage[] = [];
  for (let i = 0; i < options.count; i++) {
    const kind: Kind =
      options.include20MB && i === options.count - 1
        ? 'large-20mb'
        : (TRICKY_KINDS[i] ?? random.pick(ORDINARY_KINDS));
    time += random.int(60, 36 * 3600) * 1000;
    const international = kind === 'utf8-headers';
    const sender = random.pick(international ? INTERNATIONAL_PEOPLE : PEOPLE);
    const envelope: Envelope = {
      from: mailbox(sender),
      to: mailbox({ name: 'Popgate User', address: 'user@popgate.test' }),
      subject: encodeWord(
        international ? random.pick(INTERNATIONAL_SUBJECTS) : sentence(random).slice(0, 60),
      ),
      date: rfc5322Date(time),
      messageId: `<${options.seed ?? 1}.${i + 1}.${random.hex(12)}@corpus.popgate.test>`,
    };
    const body = build(kind, envelope, random, random.int(minText, maxText));
    messages.push({ name: `${String(i + 1).padStart(4, '0')}-${kind}.eml`, body });
  }
  return messages;
}
