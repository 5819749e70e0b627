import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Db } from '../db/prisma';
import { storedBytes } from '../db/bytes';
import { parseMessage, type ParsedMessage } from '../mail/parse-message';
import { writeLabels, type MessageLabelling } from '../messages/labels';
import { storeMessages, type MessageToStore } from '../messages/store';
import { CommitQueue } from '../sync/commit-queue';
import type { ImportItem } from './import-item';
import { readMbox } from './mbox-reader';
import { labelEffects, type LabelEffects } from './takeout-labels';
import { readZip } from './zip-reader';

export interface ImportProblem {
  where: string;
  reason: string;
}

export interface ImportSummary {
  imported: number;
  duplicates: number;
  failed: number;
  /** The first problems found (at most MAX_PROBLEMS), each with where in the file and why. */
  problems: ImportProblem[];
}

export interface ImportOptions {
  userId: string;
  accountId: string;
  /** The uploaded file, on disk. */
  path: string;
  maxMessageBytes: number;
  onProgress?: (summary: ImportSummary) => void;
  signal?: AbortSignal;
}

const MAX_PROBLEMS = 500;
/** Messages committed together: one transaction, as the sync does. */
const BATCH_MESSAGES = 100;
const BATCH_BYTES = 16 * 1024 * 1024;

/** A message read and parsed, waiting for its batch's commit. */
interface Parsed {
  raw: Buffer;
  sha: string;
  parsed: ParsedMessage;
  /** Google Takeout's labels (X-GM-LABELS), when the message has them. */
  labels: LabelEffects | null;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The body's digest: the same message with headers added on the way (Takeout's) matches. */
function bodyDigest(raw: Buffer): string {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const at = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : raw.length;
  return sha256(raw.subarray(at));
}

/** A message starts with a header field ("Name: value"), or the mbox's own Return-Path etc. */
const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+:[ \t]?[^\r\n]*\r?\n/;
const looksLikeMail = (raw: Buffer) => HEADER_LINE.test(raw.subarray(0, 1000).toString('latin1'));

/** mbox or zip, by the file's first bytes. */
async function formatOf(path: string): Promise<'mbox' | 'zip' | 'eml' | null> {
  const handle = await fs.promises.open(path, 'r');
  try {
    const head = Buffer.alloc(1000);
    const { bytesRead } = await handle.read(head, 0, 1000, 0);
    const start = head.subarray(0, bytesRead);
    if (start.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'zip';
    if (start.subarray(0, 5).toString('latin1') === 'From ') return 'mbox';
    if (looksLikeMail(start)) return 'eml';
    return null;
  } finally {
    await handle.close();
  }
}

async function* itemsOf(path: string, maxMessageBytes: number): AsyncGenerator<ImportItem> {
  const format = await formatOf(path);
  if (format === 'zip') return yield* readZip(path, maxMessageBytes);
  if (format === 'mbox')
    return yield* readMbox(
      fs.createReadStream(path, { highWaterMark: 256 * 1024 }),
      maxMessageBytes,
    );
  if (format === 'eml') {
    const { size } = await fs.promises.stat(path);
    if (size > maxMessageBytes)
      yield { kind: 'unreadable', where: 'the file', reason: 'larger than a message may be' };
    else yield { kind: 'message', where: 'the file', raw: await fs.promises.readFile(path) };
    return;
  }
  yield {
    kind: 'unreadable',
    where: 'the file',
    reason: 'neither an mbox (it starts with "From "), a zip of .eml files, nor a message',
  };
}

/**
 * Imports an mbox, a zip of .eml files or of a Maildir, or one .eml into an account: each message
 * stored and indexed as a downloaded one (origin imported, its UIDL "import <sha256>"), except
 * those already there (the same bytes, or the same Message-ID with the same body) and those
 * that cannot be mail, which the summary names with the reason. Memory holds one batch.
 */
export async function importMailbox(prisma: Db, options: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { imported: 0, duplicates: 0, failed: 0, problems: [] };
  const seen = new Set<string>();
  const problem = (where: string, reason: string) => {
    summary.failed++;
    if (summary.problems.length < MAX_PROBLEMS) summary.problems.push({ where, reason });
  };

  /** Leaves out what is already stored, commits the rest: while the next batch is read. */
  const commit = async (items: Parsed[]) => {
    const shas = items.map((i) => i.sha);
    const ids = [
      ...new Set(items.flatMap((i) => (i.parsed.messageId ? [i.parsed.messageId] : []))),
    ];
    const [stored, sameIds] = await Promise.all([
      prisma.$queryRaw<Array<{ sha: string }>>`
        SELECT DISTINCT "sourceSha256" AS sha FROM messages
         WHERE "userId" = ${options.userId}::uuid AND "sourceSha256" = ANY(${shas}::text[])`,
      ids.length === 0
        ? []
        : prisma.$queryRaw<Array<{ messageId: string; bytes: Uint8Array }>>`
        SELECT m."messageId", s.bytes FROM messages m
          JOIN message_sources s ON s.sha256 = m."sourceSha256"
         WHERE m."userId" = ${options.userId}::uuid AND m."messageId" = ANY(${ids}::text[])
           AND NOT (m."sourceSha256" = ANY(${shas}::text[]))`,
    ]);
    const storedShas = new Set(stored.map((s) => s.sha));
    // The same message with other headers (Takeout adds its own): the same Message-ID and body.
    const storedBodies = new Set(
      sameIds.map((m) => `${m.messageId} ${bodyDigest(storedBytes(m.bytes))}`),
    );
    const toStore: MessageToStore[] = [];
    const labelled: Array<LabelEffects | null> = [];
    for (const item of items) {
      const id = item.parsed.messageId;
      if (storedShas.has(item.sha) || (id && storedBodies.has(`${id} ${bodyDigest(item.raw)}`))) {
        summary.duplicates++;
        continue;
      }
      const date = item.parsed.date;
      toStore.push({
        message: {
          accountId: options.accountId,
          userId: options.userId,
          uidl: `import ${item.sha}`,
          listedSize: item.raw.length,
          raw: item.raw,
          headersOnly: false,
          receivedAt: date && !Number.isNaN(date.getTime()) ? date : new Date(),
          origin: 'imported',
        },
        parsed: item.parsed,
      });
      labelled.push(item.labels);
    }
    // Labels and the states they name are written with the messages, in their transaction.
    const results = await storeMessages(prisma, toStore, {
      then: (client, created) =>
        writeLabels(
          client,
          options.userId,
          created.flatMap((result, index): MessageLabelling[] => {
            const effects = labelled[index];
            return result.created && effects ? [{ messageId: result.id, ...effects }] : [];
          }),
        ),
    });
    for (const result of results) {
      if (result.created) summary.imported++;
      else summary.duplicates++;
    }
    options.onProgress?.(summary);
  };
  const queue = new CommitQueue<Parsed>(commit, {
    items: BATCH_MESSAGES,
    bytes: BATCH_BYTES,
    inFlight: 2,
  });

  for await (const item of itemsOf(options.path, options.maxMessageBytes)) {
    if (options.signal?.aborted) break;
    if (item.kind === 'unreadable') {
      problem(item.where, item.reason);
      continue;
    }
    if (!looksLikeMail(item.raw)) {
      problem(item.where, 'not a mail message (it does not start with header fields)');
      continue;
    }
    const sha = sha256(item.raw);
    if (seen.has(sha)) {
      summary.duplicates++;
      continue;
    }
    seen.add(sha);
    await queue.add(
      { raw: item.raw, sha, parsed: await parseMessage(item.raw), labels: labelEffects(item.raw) },
      item.raw.length,
    );
  }
  await queue.flush();
  return summary;
}
