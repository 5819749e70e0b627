-- A new conversation is written once, with its counts: the store inserts it after the messages
-- that make it (conversations/assign.ts), counted from them, instead of inserting it empty first
-- and having the messages' trigger update it straight away. For that a message may name a
-- conversation that its transaction writes later: the foreign key is checked at commit.
ALTER TABLE "messages" ALTER CONSTRAINT "messages_conversationId_fkey" DEFERRABLE INITIALLY DEFERRED;

-- A conversation's counts and times from its messages, as stored now: declared once, for the
-- recount of the trigger below and for a new conversation's first (and only) insert.
CREATE FUNCTION "conversation_counts"(ids uuid[]) RETURNS TABLE (
  id uuid, message_count integer, inbox_count integer, sent_count integer, unread_count integer,
  flagged_count integer, attachment_count integer, trash_count integer,
  latest_at timestamp(3), trash_latest_at timestamp(3), last_date timestamp(3)
) LANGUAGE sql STABLE AS $$
  SELECT t.id,
         (count(m.id) FILTER (WHERE m."trashedAt" IS NULL))::integer,
         (count(m.id) FILTER (WHERE m."trashedAt" IS NULL AND m.origin <> 'sent'))::integer,
         (count(m.id) FILTER (WHERE m."trashedAt" IS NULL AND m.origin = 'sent'))::integer,
         (count(m.id) FILTER (WHERE m."trashedAt" IS NULL AND NOT m.seen))::integer,
         (count(m.id) FILTER (WHERE m."trashedAt" IS NULL AND m.flagged))::integer,
         (count(m.id) FILTER (WHERE m."trashedAt" IS NULL AND m."hasAttachments"))::integer,
         (count(m.id) FILTER (WHERE m."trashedAt" IS NOT NULL))::integer,
         max(m."receivedAt") FILTER (WHERE m."trashedAt" IS NULL),
         max(m."receivedAt") FILTER (WHERE m."trashedAt" IS NOT NULL),
         -- A future Date header must not hold the subject window open for years.
         max(least(m.date, m."receivedAt" + interval '1 day'))
    FROM unnest(ids) AS t(id)
    LEFT JOIN "messages" m ON m."conversationId" = t.id
   GROUP BY t.id
$$;

-- As before (20261207051640_conversations_counts_at_insert), the recount through the function
-- above. A conversation that does not exist yet (its store writes it after its messages) is not
-- in "conversations": its rows are neither locked nor updated here.
CREATE OR REPLACE FUNCTION "conversations_recount"() RETURNS trigger AS $$
DECLARE
  touched uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT n."conversationId") INTO touched
      FROM new_rows n WHERE n."conversationId" IS NOT NULL;
    IF touched IS NULL THEN
      RETURN NULL;
    END IF;
    PERFORM 1 FROM "conversations" WHERE id = ANY(touched) ORDER BY id FOR UPDATE;
    UPDATE "conversations" c SET
        "messageCount" = c."messageCount" + a.message_count,
        "inboxCount" = c."inboxCount" + a.inbox_count,
        "sentCount" = c."sentCount" + a.sent_count,
        "unreadCount" = c."unreadCount" + a.unread_count,
        "flaggedCount" = c."flaggedCount" + a.flagged_count,
        "attachmentCount" = c."attachmentCount" + a.attachment_count,
        "trashCount" = c."trashCount" + a.trash_count,
        -- greatest() passes over nulls: a conversation without messages in a folder has none.
        "latestAt" = greatest(c."latestAt", a.latest_at),
        "trashLatestAt" = greatest(c."trashLatestAt", a.trash_latest_at),
        "lastDate" = CASE WHEN c."messageCount" = 0 AND c."trashCount" = 0 THEN a.last_date
                          ELSE greatest(c."lastDate", a.last_date) END
      FROM (
        SELECT n."conversationId" AS id,
               count(*) FILTER (WHERE n."trashedAt" IS NULL) AS message_count,
               count(*) FILTER (WHERE n."trashedAt" IS NULL AND n.origin <> 'sent') AS inbox_count,
               count(*) FILTER (WHERE n."trashedAt" IS NULL AND n.origin = 'sent') AS sent_count,
               count(*) FILTER (WHERE n."trashedAt" IS NULL AND NOT n.seen) AS unread_count,
               count(*) FILTER (WHERE n."trashedAt" IS NULL AND n.flagged) AS flagged_count,
               count(*) FILTER (WHERE n."trashedAt" IS NULL AND n."hasAttachments") AS attachment_count,
               count(*) FILTER (WHERE n."trashedAt" IS NOT NULL) AS trash_count,
               max(n."receivedAt") FILTER (WHERE n."trashedAt" IS NULL) AS latest_at,
               max(n."receivedAt") FILTER (WHERE n."trashedAt" IS NOT NULL) AS trash_latest_at,
               max(least(n.date, n."receivedAt" + interval '1 day')) AS last_date
          FROM new_rows n
         WHERE n."conversationId" IS NOT NULL
         GROUP BY n."conversationId"
      ) a
     WHERE c.id = a.id;
    RETURN NULL;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT o."conversationId") INTO touched
      FROM old_rows o WHERE o."conversationId" IS NOT NULL;
  ELSE
    SELECT array_agg(DISTINCT c) INTO touched FROM (
      SELECT unnest(ARRAY[n."conversationId", o."conversationId"]) AS c
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE n."conversationId" IS DISTINCT FROM o."conversationId"
          OR n.seen <> o.seen OR n.flagged <> o.flagged
          OR n."trashedAt" IS DISTINCT FROM o."trashedAt"
          OR n."hasAttachments" <> o."hasAttachments"
          OR n."receivedAt" <> o."receivedAt" OR n.date <> o.date OR n.origin <> o.origin
    ) changed WHERE c IS NOT NULL;
  END IF;
  IF touched IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM 1 FROM "conversations" WHERE id = ANY(touched) ORDER BY id FOR UPDATE;
  UPDATE "conversations" c SET
      "messageCount" = a.message_count,
      "inboxCount" = a.inbox_count,
      "sentCount" = a.sent_count,
      "unreadCount" = a.unread_count,
      "flaggedCount" = a.flagged_count,
      "attachmentCount" = a.attachment_count,
      "trashCount" = a.trash_count,
      "latestAt" = a.latest_at,
      "trashLatestAt" = a.trash_latest_at,
      "lastDate" = a.last_date
    FROM "conversation_counts"(touched) a
   WHERE c.id = a.id;
  DELETE FROM "conversations" c
   WHERE c.id = ANY(touched) AND c."messageCount" = 0 AND c."trashCount" = 0;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
