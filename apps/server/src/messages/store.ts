import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { PartialReason } from '@popgate/contracts';
import { insertRows, utc } from '../db/insert-rows';
import { poolOf, type Db } from '../db/prisma';
import type { MessageOrigin } from '../generated/prisma/client';
import { inTransaction } from '../db/transaction';
import { utcTimestamps } from '../db/utc-timestamps';
import { assignConversations } from '../conversations/assign';
import { threadInput } from '../conversations/thread-input';
import { notFound } from '../domain-errors';
import type { ParsedMessage } from '../mail/parse-message';
import {
  ATTACHMENT_COLUMNS,
  attachmentRows,
  DOWNLOADED_COLUMNS,
  downloadedColumns,
  listColumnsSql,
  NEW_MESSAGE_COLUMNS,
  newMessageRow,
  SOURCE_COLUMNS,
  sourceRow,
  type ListColumns,
} from './columns';

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
  /** Default pop3; the outbox stores what it sent with origin sent (uidl "sent <outbox id>"). */
  origin?: MessageOrigin;
}

export interface StoreResult {
  id: string;
  /** False when (account, UIDL) was already stored: nothing was written. */
  created: boolean;
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

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const INSERT_TAIL = `ON CONFLICT ("accountId", uidl) DO NOTHING RETURNING ${listColumnsSql()}, uidl`;

/**
 * A batch's new rows before the user's threading lock, emptied at commit. Its values are
 * compressed as messages' are (lz4 where the server has it), so moving them into messages copies
 * them as they are; column compression is PostgreSQL 14's. Created once per connection and kept:
 * a table created and dropped for every batch wrote about 20 catalog rows a time (pg_class,
 * pg_attribute, …), bloating the catalog at thousands of polls a minute; emptying it at commit
 * truncates it in place, with no catalog write.
 */
const STAGE = `DO $$ BEGIN
  IF to_regclass('pg_temp.new_messages') IS NULL THEN
    EXECUTE 'CREATE TEMP TABLE new_messages (LIKE messages INCLUDING DEFAULTS'
      || CASE WHEN current_setting('server_version_num')::int >= 140000
              THEN ' INCLUDING COMPRESSION' ELSE '' END
      || ') ON COMMIT DELETE ROWS';
  END IF;
END $$`;

/**
 * The staged rows' search documents (the function messages' trigger builds them with); only
 * this batch's, should a transaction store two.
 */
const STAGED_DOCUMENTS = `UPDATE pg_temp.new_messages SET search = popgate_message_document(id, subject,
  "fromName", "fromAddress", "to", cc, "textBody", snippet) WHERE search IS NULL`;

/** The staged rows into messages, each with its conversation ($1 ids, $2 conversations). */
const INSERT_STAGED = `INSERT INTO messages (${NEW_MESSAGE_COLUMNS.map((c) => `"${c.name}"`).join(', ')}, search)
  SELECT ${NEW_MESSAGE_COLUMNS.map((c) => (c.name === 'conversationId' ? 'c.conversation' : `n."${c.name}"`)).join(', ')}, n.search
    FROM pg_temp.new_messages n JOIN unnest($1::uuid[], $2::uuid[]) AS c(id, conversation) ON c.id = n.id
   ORDER BY n.id
  ${INSERT_TAIL}`;

/** Sets what a download fills in ($2…) on the message $1. */
const COMPLETE = `UPDATE messages SET (${DOWNLOADED_COLUMNS.map((c) => `"${c.name}"`).join(', ')})
  = ROW(${DOWNLOADED_COLUMNS.map((c, i) => `$${i + 2}${c.type ? `::${c.type}` : ''}`).join(', ')})
  WHERE id = $1::uuid`;

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

/**
 * Commits downloaded messages of one account in one transaction, as storeMessage does for one:
 * one multi-row statement per table and a single commit, through node-postgres directly (Prisma's
 * work per row and its copies of every value cost more Node time than the statements themselves).
 * Answers in the order given; UIDLs must differ within a batch.
 */
export async function storeMessages(
  prisma: Db,
  batch: readonly MessageToStore[],
  options: {
    /** Runs first in the transaction; throwing rolls it back (the sync's lease check). */
    guard?: (client: pg.PoolClient) => Promise<void>;
    /** Runs last in the transaction, with the results (an import's labels and states). */
    then?: (client: pg.PoolClient, results: BatchStoreResult[]) => Promise<void>;
  } = {},
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
        sourceRow(sourceSha256, message.raw, now),
      ]),
  );
  return inTransaction(poolOf(prisma), async (client) => {
    await options.guard?.(client);
    await insertRows(
      client,
      'message_sources',
      SOURCE_COLUMNS,
      [...sources.values()],
      'ON CONFLICT DO NOTHING',
    );
    // Attachments first, under their message's id to be: before the user's threading lock, and
    // so that the message's search document takes their file names as it is written (once).
    const rows = hashed.map(({ message, parsed, sourceSha256 }) =>
      newMessageRow(message, parsed, sourceSha256, null),
    );
    const attachments = hashed.flatMap(({ parsed }, index) =>
      attachmentRows(rows[index]!.id, parsed),
    );
    if (attachments.length > 0) {
      await insertRows(client, 'attachments', ATTACHMENT_COLUMNS, attachments);
    }
    // The rows and their search documents, before the user's threading lock: the document is
    // most of PostgreSQL's work at store, and the sync's other batch in the database builds its
    // own meanwhile instead of waiting. In a temporary table, so the bodies are sent once.
    await client.query(STAGE);
    await insertRows(client, 'pg_temp.new_messages', NEW_MESSAGE_COLUMNS, rows);
    await client.query(STAGED_DOCUMENTS);
    // Each message's conversation, found or made before its row is written (one user a batch);
    // a new one is written after its messages, counted from them.
    const conversations = await assignConversations(
      client,
      batch[0]!.message.userId,
      hashed.map(({ message, parsed }) =>
        threadInput({ ...parsed, date: parsed.date ?? message.receivedAt }),
      ),
    );
    const { rows: created } = await client.query<StoredListRow>({
      text: INSERT_STAGED,
      values: [rows.map((row) => row.id), conversations.ids],
      types: utcTimestamps,
    });
    await conversations.record();
    const createdByUidl = new Map(created.map((row) => [row.uidl, row]));
    const skipped = hashed.flatMap(({ message }, index) =>
      createdByUidl.has(message.uidl) ? [] : [{ uidl: message.uidl, id: rows[index]!.id }],
    );
    let existingIds = new Map<string, string>();
    if (skipped.length > 0) {
      // Already stored: the attachments written for the row that was not are removed again.
      if (attachments.length > 0) {
        await client.query('DELETE FROM attachments WHERE "messageId" = ANY($1::uuid[])', [
          skipped.map(({ id }) => id),
        ]);
      }
      const { rows: existing } = await client.query<{ id: string; uidl: string }>(
        'SELECT id, uidl FROM messages WHERE "accountId" = $1::uuid AND uidl = ANY($2::text[])',
        [accountId, skipped.map(({ uidl }) => uidl)],
      );
      existingIds = new Map(existing.map((row) => [row.uidl, row.id]));
    }
    const results = hashed.map(({ message }): BatchStoreResult => {
      const row = createdByUidl.get(message.uidl);
      if (row) return { uidl: message.uidl, id: row.id, created: true, row };
      const id = existingIds.get(message.uidl);
      if (id === undefined) throw new Error(`message ${message.uidl} was neither stored nor found`);
      return { uidl: message.uidl, id, created: false };
    });
    await options.then?.(client, results);
    return results;
  });
}

/**
 * Replaces a headers-only message with its full download (fetched on demand), keeping its id,
 * flags and place in the list (its date too when the whole message has no Date header).
 */
export async function completeMessage(
  prisma: Db,
  messageId: string,
  message: Pick<DownloadedMessage, 'raw' | 'receivedAt'>,
  parsed: ParsedMessage,
): Promise<void> {
  const sourceSha256 = sha256(message.raw);
  await inTransaction(poolOf(prisma), async (client) => {
    await insertRows(
      client,
      'message_sources',
      SOURCE_COLUMNS,
      [sourceRow(sourceSha256, message.raw, utc(new Date()))],
      'ON CONFLICT DO NOTHING',
    );
    const { rows } = await client.query<{ date: Date }>({
      text: 'SELECT date FROM messages WHERE id = $1::uuid',
      values: [messageId],
      types: utcTimestamps,
    });
    if (!rows[0]) throw notFound('No such message');
    const columns = downloadedColumns({ headersOnly: false }, parsed, sourceSha256, rows[0].date);
    await client.query(COMPLETE, [messageId, ...DOWNLOADED_COLUMNS.map((c) => columns[c.name])]);
    await client.query('DELETE FROM attachments WHERE "messageId" = $1::uuid', [messageId]);
    const attachments = attachmentRows(messageId, parsed);
    if (attachments.length > 0) {
      await insertRows(client, 'attachments', ATTACHMENT_COLUMNS, attachments);
    }
  });
}
