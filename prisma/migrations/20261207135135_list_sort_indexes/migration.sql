-- CreateIndex
CREATE INDEX "messages_userId_size_id_idx" ON "messages"("userId", "size" DESC, "id" DESC);

-- The list sorted by sender (A to Z, ties by id): the very expression messages/list-order.ts
-- orders and pages by (the name, else the address, folded as search folds, cut at 200), so a
-- page is an index range instead of a sort of all of a user's messages.
CREATE INDEX "messages_userId_sender_id_idx" ON "messages" (
  "userId",
  left(popgate_search_fold(coalesce(nullif("fromName", ''), "fromAddress")), 200),
  "id"
);
