import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { ImportItem } from './import-item';

/*
 * Reads a zip of .eml files or of a Maildir (messages under cur/ and new/) entry by entry from a
 * file on disk: an entry is inflated only up to `maxMessageBytes` (a zip bomb stops there), names
 * that climb out of the archive or are absolute are refused (nothing is written to disk, but such
 * a zip is not what it claims to be), and other files are reported, not read.
 */

/** Files a Maildir or an archiver leaves beside the messages: skipped without a word. */
const HOUSEKEEPING =
  /(^|\/)(__MACOSX\/|\.DS_Store$|dovecot[^/]*$|maildirfolder$|subscriptions$|courier[^/]*$|tmp\/)/;
const MAILDIR_MESSAGE = /(^|\/)(cur|new)\/[^/]+$/;

function unsafeName(name: string): boolean {
  return (
    name.startsWith('/') ||
    name.includes('\\') ||
    /^[a-zA-Z]:/.test(name) ||
    name.split('/').some((segment) => segment === '..') ||
    name.includes('\u0000')
  );
}

const open = (path: string) =>
  new Promise<ZipFile>((resolve, reject) =>
    yauzl.open(
      path,
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: true },
      (error, zip) => (error ? reject(error) : resolve(zip)),
    ),
  );

async function readEntry(zip: ZipFile, entry: Entry, max: number): Promise<Buffer | string> {
  if (entry.uncompressedSize > max)
    return `larger than the ${Math.round(max / 1048576)} MB a message may have`;
  if ((entry.generalPurposeBitFlag & 1) !== 0) return 'encrypted: cannot be read';
  const stream = await new Promise<Readable>((resolve, reject) =>
    zip.openReadStream(entry, (error, s) => (error ? reject(error) : resolve(s))),
  );
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      // The declared size is checked by yauzl as well; this bounds what is inflated regardless.
      if (size > max) {
        stream.destroy();
        return `inflates past the ${Math.round(max / 1048576)} MB a message may have`;
      }
      parts.push(chunk);
    }
  } catch (error) {
    return `damaged in the zip: ${(error as Error).message}`;
  }
  return Buffer.concat(parts);
}

export async function* readZip(path: string, maxMessageBytes: number): AsyncGenerator<ImportItem> {
  let zip: ZipFile;
  try {
    zip = await open(path);
  } catch (error) {
    yield {
      kind: 'unreadable',
      where: 'the zip',
      reason: `not a readable zip: ${(error as Error).message}`,
    };
    return;
  }
  try {
    for (;;) {
      const entry = await new Promise<Entry | null>((resolve, reject) => {
        const onEntry = (e: Entry) => done(e);
        const onEnd = () => done(null);
        const onError = (error: Error) => {
          cleanup();
          reject(error);
        };
        const cleanup = () => {
          zip.off('entry', onEntry);
          zip.off('end', onEnd);
          zip.off('error', onError);
        };
        const done = (e: Entry | null) => {
          cleanup();
          resolve(e);
        };
        zip.on('entry', onEntry);
        zip.on('end', onEnd);
        zip.on('error', onError);
        zip.readEntry();
      });
      if (!entry) return;
      const name = (entry.fileName as unknown as Buffer).toString('utf8');
      if (name.endsWith('/') || HOUSEKEEPING.test(name)) continue;
      if (unsafeName(name)) {
        yield {
          kind: 'unreadable',
          where: name,
          reason: 'a file name pointing outside the zip: skipped',
        };
        continue;
      }
      if (!/\.eml$/i.test(name) && !MAILDIR_MESSAGE.test(name)) {
        yield {
          kind: 'unreadable',
          where: name,
          reason: 'not a message file (.eml, or Maildir cur/ and new/)',
        };
        continue;
      }
      const read = await readEntry(zip, entry, maxMessageBytes);
      yield typeof read === 'string'
        ? { kind: 'unreadable', where: name, reason: read }
        : { kind: 'message', where: name, raw: read };
    }
  } catch (error) {
    yield { kind: 'unreadable', where: 'the zip', reason: `damaged: ${(error as Error).message}` };
  } finally {
    zip.close();
  }
}
