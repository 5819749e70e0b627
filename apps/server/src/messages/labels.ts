import type pg from 'pg';
import type { LabelOut } from '@popgate/contracts';
import type { Db } from '../db/prisma';

/** A stored message's labels and the states they set (see portability/takeout-labels.ts). */
export interface MessageLabelling {
  messageId: string;
  labels: string[];
  seen?: boolean;
  flagged?: boolean;
  trashed?: boolean;
  sent?: boolean;
}

/**
 * Writes labels (message_labels, each with its folded key for label:) and sets the states they
 * name on messages just stored, inside the transaction that stored them. Two statements for a
 * batch; a label already there is left as it is.
 */
export async function writeLabels(
  client: pg.ClientBase,
  userId: string,
  items: readonly MessageLabelling[],
): Promise<void> {
  const states = items.filter(
    (i) => i.seen !== undefined || i.flagged !== undefined || i.trashed || i.sent,
  );
  if (states.length > 0) {
    await client.query(
      `UPDATE messages m SET seen = coalesce(s.seen, m.seen), flagged = coalesce(s.flagged, m.flagged),
              "trashedAt" = CASE WHEN s.trashed THEN now() AT TIME ZONE 'UTC' ELSE m."trashedAt" END,
              origin = CASE WHEN s.sent THEN 'sent'::"MessageOrigin" ELSE m.origin END
         FROM unnest($1::uuid[], $2::boolean[], $3::boolean[], $4::boolean[], $5::boolean[])
              AS s(id, seen, flagged, trashed, sent)
        WHERE m.id = s.id AND m."userId" = $6::uuid`,
      [
        states.map((i) => i.messageId),
        states.map((i) => i.seen ?? null),
        states.map((i) => i.flagged ?? null),
        states.map((i) => i.trashed ?? false),
        states.map((i) => i.sent ?? false),
        userId,
      ],
    );
  }
  const pairs = items.flatMap((i) => i.labels.map((name) => ({ id: i.messageId, name })));
  if (pairs.length === 0) return;
  await client.query(
    `INSERT INTO message_labels ("messageId", "userId", name, key)
     SELECT l.id, $3::uuid, l.name, popgate_search_fold(l.name)
       FROM unnest($1::uuid[], $2::text[]) AS l(id, name)
     ON CONFLICT DO NOTHING`,
    [pairs.map((p) => p.id), pairs.map((p) => p.name), userId],
  );
}

/** At most this many of a user's labels are listed (a Takeout holds tens, rarely hundreds). */
const MAX_LISTED = 1000;

/** The user's labels, in order, each with how many messages carry it (one per folded key). */
export async function userLabels(prisma: Db, userId: string): Promise<LabelOut[]> {
  const rows = await prisma.$queryRaw<Array<{ name: string; messages: number }>>`
    SELECT min(name) AS name, count(*)::int AS messages FROM message_labels
     WHERE "userId" = ${userId}::uuid
     GROUP BY key ORDER BY key LIMIT ${MAX_LISTED}`;
  return rows;
}
