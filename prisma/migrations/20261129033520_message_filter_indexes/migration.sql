-- CreateIndex
CREATE INDEX "messages_userId_flagged_date_id_idx" ON "messages"("userId", "flagged", "date" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_userId_trashedAt_idx" ON "messages"("userId", "trashedAt");
