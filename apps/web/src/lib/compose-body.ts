import type { Signature } from '@popgate/contracts';

/**
 * The body of a message being written, in its two forms: the editor's HTML and the plain text
 * that is always sent (the text alternative, or the whole message in plain-text mode), and the
 * identity's signature within it.
 */

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const BLOCKS = new Set([
  'P',
  'DIV',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'UL',
  'OL',
  'LI',
  'BLOCKQUOTE',
  'PRE',
  'HR',
  'TABLE',
  'TR',
]);

/** Text of a node: paragraphs apart by a blank line, quotes as "> " lines, lists as "- ". */
function blockText(node: Node, listDepth = 0): string {
  const paragraphs: string[] = [];
  let inline = '';
  const flush = () => {
    const text = inline.replace(/[ \t]+\n/g, '\n').trim();
    // The signature delimiter keeps its space ("-- "), as mail programs look for it.
    if (text) paragraphs.push(text === '--' ? SIGNATURE_DELIMITER : text);
    inline = '';
  };
  node.childNodes.forEach((child) => {
    if (child.nodeType === Node.TEXT_NODE) {
      inline += (child.textContent ?? '').replace(/\s+/g, ' ');
      return;
    }
    if (!(child instanceof Element)) return;
    const tag = child.tagName;
    if (tag === 'BR') {
      inline += '\n';
      return;
    }
    if (tag === 'A') {
      const href = child.getAttribute('href') ?? '';
      const label = child.textContent ?? '';
      inline +=
        href && href !== label && !href.startsWith('mailto:') ? `${label} <${href}>` : label;
      return;
    }
    if (!BLOCKS.has(tag)) {
      inline += blockText(child, listDepth).replace(/\n\n+/g, '\n');
      return;
    }
    flush();
    if (tag === 'HR') paragraphs.push('---');
    else if (tag === 'BLOCKQUOTE') {
      const quoted = blockText(child, listDepth);
      paragraphs.push(
        quoted
          .split('\n')
          .map((line) => (line ? `> ${line}` : '>'))
          .join('\n'),
      );
    } else if (tag === 'UL' || tag === 'OL') {
      const items: string[] = [];
      let number = Number(child.getAttribute('start') ?? 1);
      for (const li of Array.from(child.children)) {
        if (li.tagName !== 'LI') continue;
        const marker = tag === 'OL' ? `${number++}.` : '-';
        const text = blockText(li, listDepth + 1).replace(/\n\n+/g, '\n');
        const indent = ' '.repeat(marker.length + 1);
        items.push(`${marker} ${text.split('\n').join(`\n${indent}`)}`);
      }
      paragraphs.push(items.join('\n'));
    } else if (tag === 'PRE') {
      paragraphs.push(child.textContent ?? '');
    } else {
      const text = blockText(child, listDepth);
      if (text) paragraphs.push(text);
    }
  });
  flush();
  return paragraphs.join('\n\n');
}

/** The plain-text version of the editor's HTML. */
export function htmlToText(html: string): string {
  if (!html) return '';
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  return blockText(doc.body).replace(/\n{3,}/g, '\n\n');
}

/** Plain text as editor HTML: paragraphs at blank lines, "> " lines as a quote. */
export function textToHtml(text: string): string {
  if (!text) return '';
  const paragraphs = text.replace(/\r\n?/g, '\n').split(/\n{2,}/);
  return paragraphs
    .map((paragraph) => {
      const lines = paragraph.split('\n');
      if (lines.every((line) => line.startsWith('>'))) {
        const inner = lines.map((line) => line.replace(/^> ?/, '')).join('\n');
        return `<blockquote>${textToHtml(inner)}</blockquote>`;
      }
      return `<p>${lines.map(escapeHtml).join('<br>')}</p>`;
    })
    .join('');
}

/** The line that starts a signature in plain text (RFC 3676's "-- "). */
export const SIGNATURE_DELIMITER = '-- ';

const isEmptySignature = (signature: Signature | null | undefined): signature is null | undefined =>
  !signature || !signature.content.trim();

/** A signature as plain text, with its delimiter line; '' for none. */
export function signatureText(signature: Signature | null | undefined): string {
  if (isEmptySignature(signature)) return '';
  const content =
    signature.format === 'html' ? htmlToText(signature.content) : signature.content.trim();
  return `${SIGNATURE_DELIMITER}\n${content}`;
}

/** A signature as the editor keeps it: a block marked data-signature; '' for none. */
export function signatureHtml(signature: Signature | null | undefined): string {
  if (isEmptySignature(signature)) return '';
  const content =
    signature.format === 'html' ? signature.content.trim() : textToHtml(signature.content.trim());
  return `<div data-signature=""><p>${SIGNATURE_DELIMITER}</p>${content}</div>`;
}

/**
 * The body with the identity's signature put in, or swapped for another's: the marked block is
 * replaced (or removed, for none), or added before the quoted original (or at the end). Nothing
 * else in the body changes.
 */
export function withHtmlSignature(html: string, signature: Signature | null | undefined): string {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const body = doc.body;
  const block = signatureHtml(signature);
  const existing = body.querySelector('[data-signature]');
  if (existing) {
    if (block) existing.outerHTML = block;
    else existing.remove();
    return body.innerHTML;
  }
  if (!block) return html;
  const template = doc.createElement('template');
  template.innerHTML = block;
  const quote = Array.from(body.children).find((child) => child.tagName === 'BLOCKQUOTE');
  if (quote) {
    // A reply: the signature goes above the quoted original, after what the user writes.
    let before: Element = quote;
    const previous = quote.previousElementSibling;
    if (previous && /wrote:|schrieb|a écrit|Forwarded message/i.test(previous.textContent ?? '')) {
      before = previous;
    }
    body.insertBefore(template.content, before);
  } else {
    if (!body.innerHTML.trim()) body.appendChild(doc.createElement('p'));
    body.appendChild(template.content);
  }
  return body.innerHTML;
}

/** Where the quoted original starts: its "On …, … wrote:" line, else its first "> " line. */
function quoteStart(lines: string[], from = 0): number {
  const at = lines.findIndex((line, index) => index >= from && line.startsWith('>'));
  if (at < 0) return -1;
  return at > from && /wrote:|:$/.test(lines[at - 1] ?? '') ? at - 1 : at;
}

/**
 * The plain-text body with the identity's signature swapped for another's: the block from the
 * "-- " line to the quoted original (or the end) is replaced, or removed; without one, the new
 * signature goes before the quoted original (or at the end). Nothing else changes.
 */
export function withTextSignature(
  text: string,
  previous: Signature | null | undefined,
  next: Signature | null | undefined,
): string {
  const oldBlock = signatureText(previous);
  const newBlock = signatureText(next);
  if (oldBlock && text.includes(oldBlock)) {
    if (newBlock) return text.replace(oldBlock, newBlock);
    return text.replace(`\n\n${oldBlock}`, '').replace(oldBlock, '');
  }
  const lines = text.split('\n');
  const quoteAt = quoteStart(lines);
  const delimiter = lines.findIndex(
    (line, index) =>
      (line === SIGNATURE_DELIMITER || line === '--') && (quoteAt < 0 || index < quoteAt),
  );
  if (delimiter >= 0) {
    // A signature written some other way (converted from rich text, say): its whole block.
    const end = quoteAt >= 0 ? quoteAt : lines.length;
    const head = lines.slice(0, delimiter).join('\n').replace(/\n+$/, '');
    const tail = lines.slice(end).join('\n');
    const parts = [head, newBlock, tail].filter((part) => part !== '');
    return parts.join('\n\n');
  }
  if (!newBlock) return text;
  if (quoteAt >= 0) {
    const head = lines.slice(0, quoteAt).join('\n').replace(/\n+$/, '');
    const tail = lines.slice(quoteAt).join('\n');
    return `${head}\n\n${newBlock}\n\n${tail}`;
  }
  return text.trim() ? `${text.replace(/\n+$/, '')}\n\n${newBlock}` : `\n\n${newBlock}`;
}
