-- DropIndex
DROP INDEX "messages_accountId_date_id_idx";

-- DropIndex
DROP INDEX "messages_userId_flagged_date_id_idx";

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "conversationId" UUID;

-- CreateTable
CREATE TABLE "conversations" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "subject" TEXT NOT NULL DEFAULT '',
    "subjectKey" TEXT NOT NULL DEFAULT '',
    "lastDate" TIMESTAMP(3),
    "latestAt" TIMESTAMP(3),
    "trashLatestAt" TIMESTAMP(3),
    "messageCount" INTEGER NOT NULL DEFAULT 0,
    "inboxCount" INTEGER NOT NULL DEFAULT 0,
    "sentCount" INTEGER NOT NULL DEFAULT 0,
    "unreadCount" INTEGER NOT NULL DEFAULT 0,
    "flaggedCount" INTEGER NOT NULL DEFAULT 0,
    "attachmentCount" INTEGER NOT NULL DEFAULT 0,
    "trashCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "conversations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversation_refs" (
    "userId" UUID NOT NULL,
    "messageIdHeader" TEXT NOT NULL,
    "conversationId" UUID NOT NULL,

    CONSTRAINT "conversation_refs_pkey" PRIMARY KEY ("userId","messageIdHeader")
);

-- CreateIndex
CREATE INDEX "conversations_userId_subjectKey_lastDate_idx" ON "conversations"("userId", "subjectKey", "lastDate" DESC);

-- CreateIndex
CREATE INDEX "conversation_refs_conversationId_idx" ON "conversation_refs"("conversationId");

-- CreateIndex
CREATE INDEX "messages_userId_receivedAt_id_idx" ON "messages"("userId", "receivedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_accountId_receivedAt_id_idx" ON "messages"("accountId", "receivedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_userId_flagged_receivedAt_id_idx" ON "messages"("userId", "flagged", "receivedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_conversationId_receivedAt_id_idx" ON "messages"("conversationId", "receivedAt" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "conversations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversation_refs" ADD CONSTRAINT "conversation_refs_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversation_refs" ADD CONSTRAINT "conversation_refs_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The conversation list: one row per conversation, newest arrival first, an index range per
-- folder (and for the unread and flagged filters), so a page never groups the mailbox.
CREATE INDEX "conversations_inbox_idx" ON "conversations"("userId", "latestAt" DESC, "id" DESC) WHERE "inboxCount" > 0;
CREATE INDEX "conversations_sent_idx" ON "conversations"("userId", "latestAt" DESC, "id" DESC) WHERE "sentCount" > 0;
CREATE INDEX "conversations_trash_idx" ON "conversations"("userId", "trashLatestAt" DESC, "id" DESC) WHERE "trashCount" > 0;
CREATE INDEX "conversations_unread_idx" ON "conversations"("userId", "latestAt" DESC, "id" DESC) WHERE "unreadCount" > 0;
CREATE INDEX "conversations_flagged_idx" ON "conversations"("userId", "latestAt" DESC, "id" DESC) WHERE "flaggedCount" > 0;

-- Messages not yet threaded (stored before this migration): the start-up backfill finds them here.
CREATE INDEX "messages_unthreaded_idx" ON "messages"("receivedAt", "id") WHERE "conversationId" IS NULL;

-- A conversation's counts and times, kept by the database itself so every writer of messages
-- (the store, flags, trash, an account removed by cascade) keeps them right. Once per statement:
-- the conversations the statement touched are locked (in id order: no deadlock between two
-- writers), then counted again from their messages with a snapshot that sees every writer that
-- committed before the lock was granted. A conversation left without messages is removed.
CREATE FUNCTION "conversations_recount"() RETURNS trigger AS $$
DECLARE
  touched uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT n."conversationId") INTO touched
      FROM new_rows n WHERE n."conversationId" IS NOT NULL;
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
    FROM (
      SELECT t.id,
             count(m.id) FILTER (WHERE m."trashedAt" IS NULL) AS message_count,
             count(m.id) FILTER (WHERE m."trashedAt" IS NULL AND m.origin <> 'sent') AS inbox_count,
             count(m.id) FILTER (WHERE m."trashedAt" IS NULL AND m.origin = 'sent') AS sent_count,
             count(m.id) FILTER (WHERE m."trashedAt" IS NULL AND NOT m.seen) AS unread_count,
             count(m.id) FILTER (WHERE m."trashedAt" IS NULL AND m.flagged) AS flagged_count,
             count(m.id) FILTER (WHERE m."trashedAt" IS NULL AND m."hasAttachments") AS attachment_count,
             count(m.id) FILTER (WHERE m."trashedAt" IS NOT NULL) AS trash_count,
             max(m."receivedAt") FILTER (WHERE m."trashedAt" IS NULL) AS latest_at,
             max(m."receivedAt") FILTER (WHERE m."trashedAt" IS NOT NULL) AS trash_latest_at,
             -- A future Date header must not hold the subject window open for years.
             max(least(m.date, m."receivedAt" + interval '1 day')) AS last_date
        FROM unnest(touched) AS t(id)
        LEFT JOIN "messages" m ON m."conversationId" = t.id
       GROUP BY t.id
    ) a
   WHERE c.id = a.id;
  DELETE FROM "conversations" c
   WHERE c.id = ANY(touched) AND c."messageCount" = 0 AND c."trashCount" = 0;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "messages_conversations_insert"
  AFTER INSERT ON "messages" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "conversations_recount"();
CREATE TRIGGER "messages_conversations_update"
  AFTER UPDATE ON "messages" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "conversations_recount"();
CREATE TRIGGER "messages_conversations_delete"
  AFTER DELETE ON "messages" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "conversations_recount"();
