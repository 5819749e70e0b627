-- The sort keys of the conversation list (migration conversation_sort_keys) are written with the
-- counts, in the same row version: a message stored into a conversation, trashed, restored,
-- moved or removed changes the conversation once, not once for the counts and once more for the
-- keys. The counts' trigger updates the conversation; this row trigger takes the keys into that
-- very update whenever a count or a time changed.
CREATE FUNCTION "conversations_sort_at_update"() RETURNS trigger AS $$
BEGIN
  SELECT k.latest_date, k.sender_key, k.total_size
    INTO NEW."latestDate", NEW."senderKey", NEW."totalSize"
    FROM "conversation_sort_keys"(ARRAY[NEW.id]) k;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "conversations_sort_update"
  BEFORE UPDATE ON "conversations"
  FOR EACH ROW
  WHEN (OLD."messageCount" IS DISTINCT FROM NEW."messageCount"
     OR OLD."trashCount" IS DISTINCT FROM NEW."trashCount"
     OR OLD."latestAt" IS DISTINCT FROM NEW."latestAt"
     OR OLD."lastDate" IS DISTINCT FROM NEW."lastDate")
  EXECUTE FUNCTION "conversations_sort_at_update"();

-- What the counts do not follow (a size, a sender, a date or an arrival changed in place, as when
-- a headers-only message is downloaded whole) is still caught on the messages, after the counts'
-- trigger (the name sorts after it) and only where a key really changed.
DROP TRIGGER "messages_conversation_sort_insert" ON "messages";
DROP TRIGGER "messages_conversation_sort_delete" ON "messages";
DROP TRIGGER "messages_conversation_sort_update" ON "messages";

CREATE OR REPLACE FUNCTION "conversations_sort_refresh"() RETURNS trigger AS $$
DECLARE
  touched uuid[];
BEGIN
  SELECT array_agg(DISTINCT n."conversationId") INTO touched
    FROM new_rows n JOIN old_rows o ON o.id = n.id
   WHERE n."conversationId" IS NOT NULL
     AND n."conversationId" IS NOT DISTINCT FROM o."conversationId"
     AND n."trashedAt" IS NULL AND o."trashedAt" IS NULL
     AND (n."receivedAt" <> o."receivedAt" OR n.date <> o.date OR n.size <> o.size
          OR n."fromName" <> o."fromName" OR n."fromAddress" <> o."fromAddress");
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

CREATE TRIGGER "messages_sort_keys_update"
  AFTER UPDATE ON "messages" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "conversations_sort_refresh"();
