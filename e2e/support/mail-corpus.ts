/** Messages for the browser tests, as a POP3 server would hand them over. */

const CRLF = '\r\n';

export interface CorpusMessage {
  subject: string;
  raw: Buffer;
}

function headers(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `${name}: ${value}`)
    .join(CRLF);
}

function dateAt(minutesAgo: number): string {
  return new Date(Date.now() - minutesAgo * 60_000).toUTCString().replace('GMT', '+0000');
}

let counter = 0;
const messageId = () => `<e2e-${Date.now()}-${++counter}@popgate.test>`;

export function plainMessage(options: {
  subject: string;
  body: string;
  from?: string;
  minutesAgo?: number;
}): CorpusMessage {
  const raw =
    headers({
      From: options.from ?? 'Ada Lovelace <ada@example.com>',
      To: 'user@example.com',
      Subject: options.subject,
      Date: dateAt(options.minutesAgo ?? 60),
      'Message-ID': messageId(),
      'MIME-Version': '1.0',
      'Content-Type': 'text/plain; charset=utf-8',
    }) +
    CRLF +
    CRLF +
    options.body.replace(/\n/g, CRLF) +
    CRLF;
  return { subject: options.subject, raw: Buffer.from(raw) };
}

/** An HTML newsletter with a script that must not run and a remote image that must wait. */
export function htmlMessage(options: {
  subject: string;
  imageUrl: string;
  minutesAgo?: number;
}): CorpusMessage {
  const html = `<!doctype html><html><body>
<h1 id="headline">Quarterly newsletter</h1>
<script>document.body.setAttribute('data-script-ran', 'yes'); parent.document.title = 'pwned';</script>
<img id="remote" src="${options.imageUrl}" alt="Remote picture" width="32" height="32">
<img src="x" onerror="document.body.setAttribute('data-onerror-ran', 'yes')" alt="broken">
<p>Read more on <a href="https://example.com/newsletter">our site</a>.</p>
</body></html>`;
  const raw =
    headers({
      From: 'Newsletter <news@example.com>',
      To: 'user@example.com',
      Subject: options.subject,
      Date: dateAt(options.minutesAgo ?? 1),
      'Message-ID': messageId(),
      'MIME-Version': '1.0',
      'Content-Type': 'text/html; charset=utf-8',
    }) +
    CRLF +
    CRLF +
    html.replace(/\n/g, CRLF) +
    CRLF;
  return { subject: options.subject, raw: Buffer.from(raw) };
}

/** A 1×1 PNG. */
export const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** A one-page PDF, as small as a valid one gets. */
export const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
    '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n' +
    'trailer<</Root 1 0 R>>\n%%EOF\n',
);

export function messageWithImageAttachment(options: {
  subject: string;
  minutesAgo?: number;
}): CorpusMessage {
  const boundary = 'popgate-boundary-42';
  const raw =
    headers({
      From: 'Grace Hopper <grace@example.com>',
      To: 'user@example.com',
      Subject: options.subject,
      Date: dateAt(options.minutesAgo ?? 5),
      'Message-ID': messageId(),
      'MIME-Version': '1.0',
      'Content-Type': `multipart/mixed; boundary="${boundary}"`,
    }) +
    CRLF +
    CRLF +
    `--${boundary}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}` +
    `The chart is attached. Details at https://example.com/charts?id=7 and <b>not bold</b>.${CRLF}` +
    `--${boundary}${CRLF}Content-Type: image/png; name="chart.png"${CRLF}` +
    `Content-Disposition: attachment; filename="chart.png"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}` +
    PIXEL_PNG.toString('base64') +
    CRLF +
    `--${boundary}${CRLF}Content-Type: application/pdf; name="minutes.pdf"${CRLF}` +
    `Content-Disposition: attachment; filename="minutes.pdf"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}` +
    TINY_PDF.toString('base64') +
    CRLF +
    `--${boundary}--${CRLF}`;
  return { subject: options.subject, raw: Buffer.from(raw) };
}
