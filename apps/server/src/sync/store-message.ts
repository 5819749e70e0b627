import { createHash } from 'node:crypto';
import { poolOf, type Db } from '../db/prisma';
import { insertRows, type InsertColumn } from '../db/insert-rows';
import { inTransaction } from '../db/transaction';
import { uuidV7 } from '../db/uuid-v7';
import { asBytes } from '../db/bytes';
import { listColumns, type ListColumns } from '../mail/list-item';
import type { ParsedMessage } from '../mail/parse-message';
import type { PartialReason } from './partial-message';

/** One message as it came off the POP3 server. */
export interface DownloadedMessage {
  accountId: string;
  userId: string;
  uidl: string;
  /** The size the server listed (advisory; the bytes are what count). */
  listedSize: number;
  raw: Buffer;
  /** True when only the headers were fetched (TOP n 0), or kept of a message cut off by a limit. */
  headersOnly: boolean;
  /** Why only part of it is kept, and what the message says about it in place of its snippet. */
  partial?: { reason: PartialReason; notice: string };
  receivedAt: Date;
}

export interface StoreResult {
  id: string;
  /** False when (account, UIDL) was already stored: nothing was written. */
  created: boolean;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** PostgreSQL text and jsonb cannot hold NUL characters; mail sometimes does. The raw bytes keep them. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what must go
const NUL = /\u0000/g;
const clean = (text: string) => text.replace(NUL, '');
const cleanOrNull = (text: string | null) => (text === null ? null : clean(text));
function cleanDeep<T>(value: T): T {
  if (typeof value === 'string') return clean(value) as T;
  if (Array.isArray(value)) return value.map(cleanDeep) as T;
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanDeep(v)])) as T;
  }
  return value;
}

function messageFields(message: DownloadedMessage, parsedRaw: ParsedMessage) {
  const parsed = cleanDeep({ ...parsedRaw, attachments: [] });
  return {
    subject: parsed.subject,
    fromName: parsed.from.name,
    fromAddress: parsed.from.address,
    to: parsed.to as object[],
    cc: parsed.cc as object[],
    replyTo: parsed.replyTo as object[],
    messageId: parsed.messageId,
    inReplyTo: parsed.inReplyTo,
    date: parsedRaw.date ?? message.receivedAt,
    snippet: message.partial ? message.partial.notice : parsed.snippet,
    textBody: parsed.text,
    htmlBody: parsed.html,
    headers: parsed.headers,
    hasAttachments: parsedRaw.attachments.some((a) => !a.inline),
    parseError: parsed.parseError,
  };
}

function attachmentRows(messageId: string, parsed: ParsedMessage) {
  return parsed.attachments.map((a) => ({
    messageId,
    filename: cleanOrNull(a.filename),
    contentType: clean(a.contentType),
    size: a.size,
    contentId: cleanOrNull(a.contentId),
    inline: a.inline,
    sha256: a.sha256,
    content: asBytes(a.content),
  }));
}

/** A downloaded message with what the parser read from it, ready to commit. */
export interface MessageToStore {
  message: DownloadedMessage;
  parsed: ParsedMessage;
}

/** A stored message as the list shows it, for the message.new event. */
export type StoredListRow = ListColumns & { uidl: string };

export interface BatchStoreResult extends StoreResult {
  uidl: string;
  /** Set when this call created the message. */
  row?: StoredListRow;
}

/**
 * Commits one downloaded message: raw bytes (content-addressed), the parsed fields and the
 * attachments, in one transaction. (account, UIDL) is unique, so storing the same server message
 * twice (a retry, a second process, a crash between commit and DELE) writes nothing the second time.
 */
export async function storeMessage(
  prisma: Db,
  message: DownloadedMessage,
  parsed: ParsedMessage,
): Promise<StoreResult> {
  const [stored] = await storeMessages(prisma, [{ message, parsed }]);
  return { id: stored!.id, created: stored!.created };
}

/** The columns of a new messages row, in the order of `messageRow`. */
const MESSAGE_COLUMNS: InsertColumn[] = [
  { name: 'id', type: 'uuid' },
  { name: 'accountId', type: 'uuid' },
  { name: 'userId', type: 'uuid' },
  { name: 'uidl' },
  { name: 'size', type: 'integer' },
  { name: 'receivedAt', type: 'timestamp' },
  { name: 'headersOnly', type: 'boolean' },
  { name: 'partialReason' },
  { name: 'sourceSha256' },
  { name: 'subject' },
  { name: 'fromName' },
  { name: 'fromAddress' },
  { name: 'to', type: 'jsonb' },
  { name: 'cc', type: 'jsonb' },
  { name: 'replyTo', type: 'jsonb' },
  { name: 'messageId' },
  { name: 'inReplyTo' },
  { name: 'date', type: 'timestamp' },
  { name: 'snippet' },
  { name: 'textBody' },
  { name: 'htmlBody' },
  { name: 'headers', type: 'jsonb' },
  { name: 'hasAttachments', type: 'boolean' },
  { name: 'parseError' },
];

/** Timestamps are kept as UTC wall time (as Prisma keeps them); the cast drops the zone. */
const utc = (date: Date) => date.toISOString();

function messageRow(message: DownloadedMessage, parsed: ParsedMessage, sourceSha256: string) {
  const fields = messageFields(message, parsed);
  return [
    uuidV7(),
    message.accountId,
    message.userId,
    message.uidl,
    message.listedSize,
    utc(message.receivedAt),
    message.headersOnly,
    message.partial?.reason ?? null,
    sourceSha256,
    fields.subject,
    fields.fromName,
    fields.fromAddress,
    JSON.stringify(fields.to),
    JSON.stringify(fields.cc),
    JSON.stringify(fields.replyTo),
    fields.messageId,
    fields.inReplyTo,
    utc(fields.date),
    fields.snippet,
    fields.textBody,
    fields.htmlBody,
    JSON.stringify(fields.headers),
    fields.hasAttachments,
    fields.parseError,
  ];
}

const ATTACHMENT_COLUMNS: InsertColumn[] = [
  { name: 'id', type: 'uuid' },
  { name: 'messageId', type: 'uuid' },
  { name: 'filename' },
  { name: 'contentType' },
  { name: 'size', type: 'integer' },
  { name: 'contentId' },
  { name: 'inline', type: 'boolean' },
  { name: 'sha256' },
  { name: 'content', type: 'bytea' },
];

/** The columns of a message_sources row: raw bytes, content-addressed. */
export const SOURCE_COLUMNS: InsertColumn[] = [
  { name: 'sha256' },
  { name: 'size', type: 'integer' },
  { name: 'bytes', type: 'bytea' },
  { name: 'createdAt', type: 'timestamp' },
];

const LIST_RETURNING = Object.keys(listColumns)
  .map((name) => `"${name}"`)
  .join(', ');

/**
 * Commits downloaded messages of one account in one transaction, as storeMessage does for one:
 * one multi-row statement per table and a single commit, through node-postgres directly (Prisma's
 * work per row and its copies of every value cost more Node time than the statements themselves).
 * Answers in the order given; UIDLs must differ within a batch.
 */
export async function storeMessages(
  prisma: Db,
  batch: readonly MessageToStore[],
): Promise<BatchStoreResult[]> {
  if (batch.length === 0) return [];
  const accountId = batch[0]!.message.accountId;
  const hashed = batch.map((item) => ({ ...item, sourceSha256: sha256(item.message.raw) }));
  const now = utc(new Date());
  // Two messages with the same bytes need the bytes sent once. In hash order: transactions that
  // insert the same sources at once then lock them in the same order and cannot deadlock.
  const sources = new Map(
    hashed
      .map(({ message, sourceSha256 }) => ({ message, sourceSha256 }))
      .sort((a, b) => (a.sourceSha256 < b.sourceSha256 ? -1 : 1))
      .map(({ message, sourceSha256 }) => [
        sourceSha256,
        [sourceSha256, message.raw.length, message.raw, now],
      ]),
  );
  return inTransaction(poolOf(prisma), async (client) => {
    await insertRows(
      client,
      'message_sources',
      SOURCE_COLUMNS,
      [...sources.values()],
      'ON CONFLICT DO NOTHING',
    );
    const created = await insertRows<StoredListRow>(
      client,
      'messages',
      MESSAGE_COLUMNS,
      hashed.map(({ message, parsed, sourceSha256 }) => messageRow(message, parsed, sourceSha256)),
      `ON CONFLICT ("accountId", uidl) DO NOTHING RETURNING ${LIST_RETURNING}, uidl`,
    );
    const createdByUidl = new Map(created.map((row) => [row.uidl, row]));
    const skipped = hashed.filter(({ message }) => !createdByUidl.has(message.uidl));
    const existing =
      skipped.length === 0
        ? []
        : (
            await client.query<{ id: string; uidl: string }>(
              'SELECT id, uidl FROM messages WHERE "accountId" = $1::uuid AND uidl = ANY($2::text[])',
              [accountId, skipped.map(({ message }) => message.uidl)],
            )
          ).rows;
    const existingIds = new Map(existing.map((row) => [row.uidl, row.id]));
    const attachments = hashed.flatMap(({ message, parsed }) => {
      const row = createdByUidl.get(message.uidl);
      return row
        ? attachmentRows(row.id, parsed).map((a) => [
            uuidV7(),
            a.messageId,
            a.filename,
            a.contentType,
            a.size,
            a.contentId,
            a.inline,
            a.sha256,
            a.content,
          ])
        : [];
    });
    if (attachments.length > 0)
      await insertRows(client, 'attachments', ATTACHMENT_COLUMNS, attachments);
    return hashed.map(({ message }): BatchStoreResult => {
      const row = createdByUidl.get(message.uidl);
      if (row) return { uidl: message.uidl, id: row.id, created: true, row };
      const id = existingIds.get(message.uidl);
      if (id === undefined) throw new Error(`message ${message.uidl} was neither stored nor found`);
      return { uidl: message.uidl, id, created: false };
    });
  });
}

/**
 * Replaces a headers-only message with its full download (fetched on demand), keeping its id,
 * flags and place in the list.
 */
export async function completeMessage(
  prisma: Db,
  messageId: string,
  message: Pick<DownloadedMessage, 'raw' | 'receivedAt'>,
  parsed: ParsedMessage,
): Promise<void> {
  const sourceSha256 = sha256(message.raw);
  await prisma.$transaction(async (tx) => {
    await tx.messageSource.createMany({
      data: [{ sha256: sourceSha256, size: message.raw.length, bytes: asBytes(message.raw) }],
      skipDuplicates: true,
    });
    const current = await tx.message.findUniqueOrThrow({
      where: { id: messageId },
      select: { date: true },
    });
    const fields = messageFields({ receivedAt: current.date } as DownloadedMessage, parsed);
    await tx.message.update({
      where: { id: messageId },
      data: { ...fields, headersOnly: false, partialReason: null, sourceSha256 },
    });
    await tx.attachment.deleteMany({ where: { messageId } });
    if (parsed.attachments.length > 0) {
      await tx.attachment.createMany({ data: attachmentRows(messageId, parsed) });
    }
  });
}
