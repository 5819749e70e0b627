import { PassThrough, type Readable } from 'node:stream';
import { MailParser, type AttachmentStream, type MessageText } from 'mailparser';
import { inPieces } from '../../apps/server/src/mail/parse-message';

/**
 * The `index`th attachment of a message (in the order the parser meets them, which is the order
 * Popgate stores them in), decoded from the message's raw bytes as they stream through
 * mailparser: what serving an attachment would take if only the raw bytes were kept.
 */
export function attachmentFromSource(raw: Buffer, index: number): Readable {
  const out = new PassThrough();
  const parser = new MailParser({ skipImageLinks: true, skipTextToHtml: true });
  let met = 0;
  parser.on('data', (data: AttachmentStream | MessageText) => {
    if (data.type !== 'attachment') return;
    // The parser goes on only once each attachment is read to its end and released.
    data.content.on('end', () => data.release?.());
    if (met++ === index) data.content.pipe(out);
    else data.content.resume();
  });
  parser.on('error', (error: Error) => out.destroy(error));
  parser.on('end', () => {
    if (met <= index) out.destroy(new Error(`the message has no attachment ${index}`));
  });
  inPieces(raw).pipe(parser);
  return out;
}
