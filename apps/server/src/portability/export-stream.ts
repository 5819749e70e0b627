import { Readable, Transform } from 'node:stream';
import { ZipFile } from 'yazl';
import { safeFilename } from '../mail/content-disposition';
import type { ExportedMessage } from './export-selection';
import { mboxrdEntry } from './mboxrd';

export const EXPORT_FORMATS = ['mbox', 'zip'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** mboxrd of the messages, pulled one message at a time as the reader reads. */
export function mboxStream(messages: AsyncGenerator<ExportedMessage>): Readable {
  return Readable.from(
    (async function* () {
      for await (const message of messages) {
        yield Buffer.concat(mboxrdEntry(message.raw, message.fromAddress, message.receivedAt));
      }
    })(),
    { objectMode: false },
  );
}

/** A file name safe on every system, short enough to leave room for the date and the id. */
const entryName = (text: string, fallback: string) =>
  safeFilename(text.normalize('NFC').replace(/\s+/g, ' '), fallback).slice(0, 80).trim() ||
  fallback;

/**
 * A zip of .eml files, one folder per account, each named by date, subject and id (unique). An
 * entry's bytes are read only when the zip reaches it, and the next batch of names waits for
 * that: memory stays bounded by one message.
 */
export function zipStream(messages: AsyncGenerator<ExportedMessage>): Readable {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  void (async () => {
    try {
      for (;;) {
        const next = await messages.next();
        if (next.done) break;
        const message = next.value;
        const day = message.receivedAt.toISOString().slice(0, 10);
        const name = `${entryName(message.accountLabel, 'account')}/${day} ${entryName(
          message.subject,
          'message',
        )} ${message.id}.eml`;
        // The next message is read once the zip has taken this one in.
        await new Promise<void>((taken) => {
          zip.addReadStreamLazy(name, { mtime: message.receivedAt }, (cb) => {
            cb(null, Readable.from([message.raw]));
            taken();
          });
        });
      }
      zip.end();
    } catch (error) {
      output.destroy(error as Error);
    }
  })();
  // A reader that goes away stops the reading of messages.
  output.once('close', () => void messages.return(undefined));
  return output;
}

/**
 * The export in `format`, telling `onWritten` how many messages and bytes have gone out with
 * each chunk (the caller throttles what it does with that).
 */
export function exportStream(
  messages: AsyncGenerator<ExportedMessage>,
  format: ExportFormat,
  onWritten: (messages: number, bytes: number) => void,
): Readable {
  let count = 0;
  let bytes = 0;
  const counted = (async function* () {
    for await (const message of messages) {
      count++;
      yield message;
    }
  })();
  const source = format === 'mbox' ? mboxStream(counted) : zipStream(counted);
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      onWritten(count, bytes);
      done(null, chunk);
    },
  });
  source.on('error', (error) => measure.destroy(error));
  // A reader that goes away stops the reading of messages.
  measure.once('close', () => source.destroy());
  return source.pipe(measure);
}
