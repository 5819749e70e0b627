import type pg from 'pg';
import { utc } from '../db/insert-rows';
import { uuidV7 } from '../db/uuid-v7';
import type { ThreadInput } from './thread-input';

/**
 * How far apart (by Date header) a reply that names no parent and the conversation with its
 * subject may be and still join it: "Re: Report" a week later joins "Report"; "Re: Report" three
 * months later starts a conversation of its own.
 */
export const SUBJECT_WINDOW_DAYS = 30;
const DAY = 86_400_000;

/** Each message's conversation, and what is left to write once the messages are. */
export interface ConversationAssignment {
  ids: string[];
  /**
   * Writes the new conversations and the Message-IDs that lead to them; after the messages rows,
   * in the same transaction (their foreign key to conversations is checked at commit).
   */
  record(): Promise<void>;
}

/**
 * Finds or makes the conversation of each message about to be stored (or threaded late) for one
 * user, as JWZ's threading does: by the Message-IDs it names (its own, In-Reply-To, References),
 * through conversation_refs, which also keeps ids only ever referenced, so a reply stored before
 * its parent is found by the parent; when a message joins two conversations (the missing link
 * arrived) they become one. A reply ("Re:", "Aw:", "Fwd:"…) that names no known message joins the
 * latest conversation with the same subject within SUBJECT_WINDOW_DAYS, never by an empty or
 * generic subject. Answers each message's conversation id, in the order given; the caller writes
 * them into the messages rows (whose trigger then counts the conversations they join), then calls
 * `record`, which writes the conversations this batch starts, counted from those rows (once: not
 * inserted empty and then updated), and the Message-IDs it learnt.
 *
 * Runs inside the caller's transaction, holding a transaction lock on the user's threading: two
 * accounts of one user storing at once do not split a conversation between them.
 */
export async function assignConversations(
  client: pg.ClientBase,
  userId: string,
  inputs: readonly ThreadInput[],
): Promise<ConversationAssignment> {
  if (inputs.length === 0) return { ids: [], record: async () => {} };
  await client.query(
    "SELECT pg_advisory_xact_lock(hashtextextended('popgate.conversations:' || $1, 0))",
    [userId],
  );
  const keysOf = inputs.map((input) => [
    ...new Set(input.messageId ? [input.messageId, ...input.ancestors] : input.ancestors),
  ]);
  const allKeys = [...new Set(keysOf.flat())];
  const known =
    allKeys.length === 0
      ? []
      : (
          await client.query<{ key: string; conversationId: string }>(
            `SELECT "messageIdHeader" AS key, "conversationId" FROM conversation_refs
              WHERE "userId" = $1::uuid AND "messageIdHeader" = ANY($2::text[])`,
            [userId, allKeys],
          )
        ).rows;
  const conversationOf = new Map(known.map((row) => [row.key, row.conversationId]));
  const knownKeys = new Set(conversationOf.keys());
  const bySubject = await subjectMatches(client, userId, inputs, keysOf, conversationOf);

  // Union-find over conversation ids: a merged conversation points at the one it joined.
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.has(root)) root = parent.get(root)!;
    return root;
  };
  const created = new Map<string, ThreadInput>();
  /** Conversations this batch started or joined, by subject key, for replies later in it. */
  const batchSubjects = new Map<string, { id: string; date: Date }>();
  const assigned = inputs.map((input, index) => {
    const found = [
      ...new Set(
        keysOf[index]!.flatMap((key) => {
          const id = conversationOf.get(key);
          return id ? [find(id)] : [];
        }),
      ),
    ].sort();
    let target = found[0];
    // uuid v7 sorts by creation: the oldest conversation absorbs the others.
    for (const other of found.slice(1)) parent.set(other, target!);
    if (!target && input.isReply && input.subjectKey) {
      const inBatch = batchSubjects.get(input.subjectKey);
      if (
        inBatch &&
        Math.abs(inBatch.date.getTime() - input.date.getTime()) <= SUBJECT_WINDOW_DAYS * DAY
      )
        target = find(inBatch.id);
      else if (bySubject.has(index)) target = find(bySubject.get(index)!);
    }
    if (!target) {
      target = uuidV7();
      created.set(target, input);
    }
    for (const key of keysOf[index]!) conversationOf.set(key, target);
    if (input.subjectKey) batchSubjects.set(input.subjectKey, { id: target, date: input.date });
    return target;
  });
  const result = assigned.map(find);

  const fresh = [...created.entries()].filter(([id]) => find(id) === id);
  const existing = new Set([...known.map((row) => row.conversationId), ...bySubject.values()]);
  const merged = [...existing].filter((id) => find(id) !== id);
  if (merged.length > 0) {
    const into = merged.map(find);
    // Ids first: the trigger removes a conversation left without messages, and its ids with it.
    await client.query(
      `UPDATE conversation_refs r SET "conversationId" = m.target
         FROM unnest($1::uuid[], $2::uuid[]) AS m(gone, target)
        WHERE r."conversationId" = m.gone`,
      [merged, into],
    );
    await client.query(
      `UPDATE messages SET "conversationId" = m.target
         FROM unnest($1::uuid[], $2::uuid[]) AS m(gone, target)
        WHERE messages."conversationId" = m.gone`,
      [merged, into],
    );
  }
  const newKeys = allKeys.filter((key) => !knownKeys.has(key));
  return {
    ids: result,
    async record() {
      if (fresh.length > 0) {
        // Only conversations that got a message (one whose message was already stored gets none).
        await client.query(
          `INSERT INTO conversations (id, "userId", subject, "subjectKey", "lastDate", "latestAt",
                                      "trashLatestAt", "messageCount", "inboxCount", "sentCount",
                                      "unreadCount", "flaggedCount", "attachmentCount", "trashCount")
           SELECT t.id, $1::uuid, t.subject, t.key, a.last_date, a.latest_at, a.trash_latest_at,
                  a.message_count, a.inbox_count, a.sent_count, a.unread_count, a.flagged_count,
                  a.attachment_count, a.trash_count
             FROM unnest($2::uuid[], $3::text[], $4::text[]) AS t(id, subject, key)
             JOIN conversation_counts($2::uuid[]) a ON a.id = t.id
            WHERE a.message_count + a.trash_count > 0`,
          [
            userId,
            fresh.map(([id]) => id),
            fresh.map(([, input]) => input.subject),
            fresh.map(([, input]) => input.subjectKey),
          ],
        );
      }
      if (newKeys.length > 0) {
        await client.query(
          `INSERT INTO conversation_refs ("userId", "messageIdHeader", "conversationId")
           SELECT $1::uuid, t.key, t.id FROM unnest($2::text[], $3::uuid[]) AS t(key, id)
            WHERE EXISTS (SELECT 1 FROM conversations c WHERE c.id = t.id)
           ON CONFLICT DO NOTHING`,
          [userId, newKeys, newKeys.map((key) => find(conversationOf.get(key)!))],
        );
      }
    },
  };
}

/**
 * For each reply that names no known message: the latest of the user's conversations with its
 * subject key whose latest Date header is within the window of its own. One statement for the
 * whole batch, only when some message needs it.
 */
async function subjectMatches(
  client: pg.ClientBase,
  userId: string,
  inputs: readonly ThreadInput[],
  keysOf: readonly string[][],
  conversationOf: ReadonlyMap<string, string>,
): Promise<Map<number, string>> {
  const wanted = inputs.flatMap((input, index) =>
    input.isReply && input.subjectKey && !keysOf[index]!.some((key) => conversationOf.has(key))
      ? [{ index, key: input.subjectKey, date: utc(input.date) }]
      : [],
  );
  if (wanted.length === 0) return new Map();
  const { rows } = await client.query<{ index: number; id: string }>(
    `SELECT t.index, c.id
       FROM unnest($2::int[], $3::text[], $4::timestamp[]) AS t(index, key, date)
       CROSS JOIN LATERAL (
         SELECT c.id FROM conversations c
          WHERE c."userId" = $1::uuid AND c."subjectKey" = t.key
            AND c."lastDate" BETWEEN t.date - $5::interval AND t.date + $5::interval
          ORDER BY c."lastDate" DESC
          LIMIT 1) c`,
    [
      userId,
      wanted.map((w) => w.index),
      wanted.map((w) => w.key),
      wanted.map((w) => w.date),
      `${SUBJECT_WINDOW_DAYS} days`,
    ],
  );
  return new Map(rows.map((row) => [row.index, row.id]));
}
