-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "latestDate" TIMESTAMP(3),
ADD COLUMN     "senderKey" TEXT,
ADD COLUMN     "totalSize" BIGINT NOT NULL DEFAULT 0;

-- A conversation's keys in the list's other orders (conversations/list-order.ts), from its
-- messages outside the trash: the latest Date header, the sender of the latest arrival as the
-- message list sorts senders (the expression of messages_userId_sender_id_idx and
-- messages/list-order.ts: the name, else the address, folded, cut at 200), and the size of them
-- all. Declared once, for the triggers below and for the conversations stored before them.
CREATE FUNCTION "conversation_sort_keys"(ids uuid[]) RETURNS TABLE (
  id uuid, latest_date timestamp(3), sender_key text, total_size bigint
) LANGUAGE sql STABLE AS $$
  SELECT t.id, a.latest_date, l.sender_key, coalesce(a.total_size, 0)
    FROM unnest(ids) AS t(id)
    LEFT JOIN LATERAL (
      SELECT max(m.date) AS latest_date, sum(m.size)::bigint AS total_size
        FROM "messages" m
       WHERE m."conversationId" = t.id AND m."trashedAt" IS NULL) a ON true
    LEFT JOIN LATERAL (
      SELECT left(popgate_search_fold(coalesce(nullif(m."fromName", ''), m."fromAddress")), 200)
             AS sender_key
        FROM "messages" m
       WHERE m."conversationId" = t.id AND m."trashedAt" IS NULL
       ORDER BY m."receivedAt" DESC, m.id DESC
       LIMIT 1) l ON true
$$;

-- Messages written, moved, trashed or restored, or changed where a key comes from: the keys of
-- the conversations they are in (and leave) again. A conversation its store writes after its
-- messages is not there yet: its insert takes its keys (the trigger after this one).
CREATE FUNCTION "conversations_sort_refresh"() RETURNS trigger AS $$
DECLARE
  touched uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT n."conversationId") INTO touched
      FROM new_rows n WHERE n."conversationId" IS NOT NULL AND n."trashedAt" IS NULL;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT o."conversationId") INTO touched
      FROM old_rows o WHERE o."conversationId" IS NOT NULL AND o."trashedAt" IS NULL;
  ELSE
    SELECT array_agg(DISTINCT c) INTO touched FROM (
      SELECT unnest(ARRAY[n."conversationId", o."conversationId"]) AS c
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE n."conversationId" IS DISTINCT FROM o."conversationId"
          OR n."trashedAt" IS DISTINCT FROM o."trashedAt"
          OR n."receivedAt" <> o."receivedAt" OR n.date <> o.date OR n.size <> o.size
          OR n."fromName" <> o."fromName" OR n."fromAddress" <> o."fromAddress"
    ) changed WHERE c IS NOT NULL;
  END IF;
  IF touched IS NULL THEN
    RETURN NULL;
  END IF;
  -- In id order, as the counts' trigger locks them: two writers never wait on each other.
  SELECT array_agg(c.id) INTO touched FROM (
    SELECT id FROM "conversations" WHERE id = ANY(touched) ORDER BY id FOR UPDATE) c;
  IF touched IS NULL THEN
    RETURN NULL;
  END IF;
  UPDATE "conversations" c SET
      "latestDate" = k.latest_date,
      "senderKey" = k.sender_key,
      "totalSize" = k.total_size
    FROM "conversation_sort_keys"(touched) k
   WHERE c.id = k.id
     AND (c."latestDate", c."senderKey", c."totalSize")
         IS DISTINCT FROM (k.latest_date, k.sender_key, k.total_size);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "messages_conversation_sort_insert"
  AFTER INSERT ON "messages" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "conversations_sort_refresh"();
CREATE TRIGGER "messages_conversation_sort_update"
  AFTER UPDATE ON "messages" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "conversations_sort_refresh"();
CREATE TRIGGER "messages_conversation_sort_delete"
  AFTER DELETE ON "messages" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "conversations_sort_refresh"();

-- A new conversation is written after its messages (conversations/assign.ts): its keys from them.
CREATE FUNCTION "conversations_sort_at_insert"() RETURNS trigger AS $$
BEGIN
  SELECT k.latest_date, k.sender_key, k.total_size
    INTO NEW."latestDate", NEW."senderKey", NEW."totalSize"
    FROM "conversation_sort_keys"(ARRAY[NEW.id]) k;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "conversations_sort_insert"
  BEFORE INSERT ON "conversations"
  FOR EACH ROW EXECUTE FUNCTION "conversations_sort_at_insert"();

-- The conversations stored before.
UPDATE "conversations" c SET
    "latestDate" = k.latest_date,
    "senderKey" = k.sender_key,
    "totalSize" = k.total_size
  FROM "conversation_sort_keys"(ARRAY(SELECT id FROM "conversations")) k
 WHERE c.id = k.id;

-- Each order a page at a time (an index range, however many conversations), outside the trash;
-- the folder (received, sent, unread, flagged) is checked on the rows the range passes. The trash
-- computes its keys from its trashed messages as it lists them.
CREATE INDEX "conversations_date_idx" ON "conversations"("userId", "latestDate" DESC, "id" DESC)
  WHERE "messageCount" > 0;
CREATE INDEX "conversations_sender_idx" ON "conversations"("userId", "senderKey", "id")
  WHERE "messageCount" > 0;
CREATE INDEX "conversations_size_idx" ON "conversations"("userId", "totalSize" DESC, "id" DESC)
  WHERE "messageCount" > 0;
