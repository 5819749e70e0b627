-- A stored message is written once: the store inserts its attachments first (before the
-- per-user threading lock, so their bytes are not written while another batch of the user
-- waits), then the message, whose search document then takes the attachments' file names at
-- once. Before, the attachments came second and their trigger rewrote each such message row with
-- the names added: a second row version, its search index entries inserted again. The
-- attachments' foreign key is checked at commit for that.
ALTER TABLE "attachments" ALTER CONSTRAINT "attachments_messageId_fkey" DEFERRABLE INITIALLY DEFERRED;

CREATE OR REPLACE FUNCTION "messages_search_update"() RETURNS trigger AS $$
DECLARE
  names text;
BEGIN
  -- A new message's attachments are there already when the store wrote them first.
  SELECT string_agg("filename", ' ') INTO names
    FROM "attachments" WHERE "messageId" = NEW."id" AND "filename" IS NOT NULL;
  NEW."search" := popgate_search_document(NEW."subject", NEW."fromName", NEW."fromAddress",
    NEW."to", NEW."cc", coalesce(NEW."textBody", NEW."snippet", ''), names);
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

-- Attachments written after their message (a headers-only message completed, other writers)
-- still add their names to its document here; attachments written before their message find
-- no row to update.
