import { createHash } from 'node:crypto';
import type pg from 'pg';
import { insertRows } from '../../apps/server/src/db/insert-rows';
import { inTransaction } from '../../apps/server/src/db/transaction';
import { COMMIT_BATCH } from '../../apps/server/src/sync/account-sync';
import { CommitQueue } from '../../apps/server/src/sync/commit-queue';
import { SOURCE_COLUMNS, sourceRow } from '../../apps/server/src/messages/columns';
import { connectOverTls, type FetchTarget } from '../pop3-fetch/fetch-with-popgate';

/**
 * The least a POP3 sync into PostgreSQL does: download every message over TLS (Popgate's POP3
 * client, pipelined) and commit its raw bytes, batched and two batches at a time as the sync
 * commits them. No parsing, no message rows, no search column, no events. What the sync takes
 * beyond this is the price of reading mail in a browser rather than keeping files.
 */
export async function storeRawBytesOnly(pool: pg.Pool, target: FetchTarget): Promise<number> {
  const client = await connectOverTls(target);
  const queue = new CommitQueue<Buffer>(async (batch) => {
    const now = new Date().toISOString();
    const rows = batch.map((raw) =>
      sourceRow(createHash('sha256').update(raw).digest('hex'), raw, now),
    );
    await inTransaction(pool, (db) =>
      insertRows(db, 'message_sources', SOURCE_COLUMNS, rows, 'ON CONFLICT DO NOTHING'),
    );
  }, COMMIT_BATCH);
  const listing = await client.uidl();
  const result = await client.fetchMany(
    listing.map((entry) => entry.number),
    { onMessage: (_number, raw) => queue.add(raw, raw.length) },
  );
  if (result.error) throw result.error;
  await queue.flush();
  await client.quit();
  return result.fetched.length;
}
