import { poolOf, type Db } from '../db/prisma';
import { inTransaction } from '../db/transaction';
import { utcTimestamps } from '../db/utc-timestamps';
import { assignConversations } from './assign';
import { threadInput } from './thread-input';

/** Messages threaded per transaction. */
export const BACKFILL_BATCH = 500;

interface Unthreaded {
  id: string;
  userId: string;
  messageId: string | null;
  inReplyTo: string | null;
  references: string | null;
  subject: string;
  date: Date;
}

/**
 * Threads messages stored before conversations existed (or by any writer that left them
 * unthreaded), oldest arrival first, in batches of BACKFILL_BATCH: each batch one transaction per
 * user, its rows locked (rows another process is threading are skipped). Stops after `maxBatches`
 * or when none is left; answers how many it threaded. Safe beside the sync and other processes.
 */
export async function threadUnthreaded(
  prisma: Db,
  options: { maxBatches?: number; shouldStop?: () => boolean } = {},
): Promise<number> {
  const pool = poolOf(prisma);
  let threaded = 0;
  for (let batch = 0; batch < (options.maxBatches ?? Infinity); batch++) {
    if (options.shouldStop?.()) break;
    const { rows } = await pool.query<{ id: string; userId: string }>(
      `SELECT id, "userId" FROM messages WHERE "conversationId" IS NULL
        ORDER BY "receivedAt", id LIMIT $1`,
      [BACKFILL_BATCH],
    );
    if (rows.length === 0) break;
    const byUser = new Map<string, string[]>();
    for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row.id]);
    let progress = 0;
    for (const [userId, ids] of byUser) {
      progress += await inTransaction(pool, async (client) => {
        const { rows: messages } = await client.query<Unthreaded>({
          text: `SELECT id, "userId", "messageId", "inReplyTo", subject, date,
                        (SELECT h->>1 FROM jsonb_array_elements(
                            CASE WHEN jsonb_typeof(headers) = 'array' THEN headers ELSE '[]' END) h
                          WHERE h->>0 = 'references' LIMIT 1) AS "references"
                   FROM messages
                  WHERE id = ANY($1::uuid[]) AND "conversationId" IS NULL
                  ORDER BY "receivedAt", id
                    FOR UPDATE SKIP LOCKED`,
          values: [ids],
          types: utcTimestamps,
        });
        if (messages.length === 0) return 0;
        const conversations = await assignConversations(
          client,
          userId,
          messages.map((m) => threadInput({ ...m, headers: [['references', m.references]] })),
        );
        await client.query(
          `UPDATE messages SET "conversationId" = t.conversation
             FROM unnest($1::uuid[], $2::uuid[]) AS t(id, conversation)
            WHERE messages.id = t.id`,
          [messages.map((m) => m.id), conversations.ids],
        );
        await conversations.record();
        return messages.length;
      });
    }
    threaded += progress;
    // Every row of the batch was being threaded by another process: let it finish.
    if (progress === 0) break;
  }
  return threaded;
}
