-- The store builds a batch's search documents before it takes the user's threading lock
-- (messages/store.ts): the rows go into a temporary table first, their documents are computed
-- there, and only then, under the lock, are they inserted into "messages" with their
-- conversations. The document is about 80% of PostgreSQL's work at store; inside the lock, the
-- two batches a sync keeps in the database at once could not build theirs at the same time.
-- The document itself is unchanged (20261207051500_search_document_faster).

-- A message's document from its columns and the file names of its attachments stored so far:
-- declared once, for the trigger below and for the store's batch.
CREATE FUNCTION popgate_message_document(
  message_id uuid, subject text, from_name text, from_address text, to_list jsonb, cc_list jsonb,
  text_body text, snippet text
) RETURNS tsvector
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT popgate_search_document(subject, from_name, from_address, to_list, cc_list,
      coalesce(text_body, snippet, ''),
      (SELECT string_agg(a."filename", ' ') FROM "attachments" a
        WHERE a."messageId" = message_id AND a."filename" IS NOT NULL))
  $$;

-- As before (20261207131057_attachments_before_messages), except that a new row that comes with
-- its document (the store's, built from the same columns) keeps it. An UPDATE of the columns the
-- document is made of always builds it again.
CREATE OR REPLACE FUNCTION "messages_search_update"() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' AND NEW."search" IS NOT NULL THEN
    RETURN NEW;
  END IF;
  NEW."search" := popgate_message_document(NEW."id", NEW."subject", NEW."fromName",
    NEW."fromAddress", NEW."to", NEW."cc", NEW."textBody", NEW."snippet");
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
