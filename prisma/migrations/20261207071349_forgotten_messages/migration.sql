-- CreateTable
CREATE TABLE "forgotten_messages" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "uidl" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "trashedAt" TIMESTAMP(3) NOT NULL,
    "headersOnly" BOOLEAN NOT NULL,
    "serverState" "ServerState" NOT NULL,
    "forgottenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "forgotten_messages_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "forgotten_messages_accountId_serverState_idx" ON "forgotten_messages"("accountId", "serverState");

-- CreateIndex
CREATE UNIQUE INDEX "forgotten_messages_accountId_uidl_key" ON "forgotten_messages"("accountId", "uidl");

-- AddForeignKey
ALTER TABLE "forgotten_messages" ADD CONSTRAINT "forgotten_messages_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "pop3_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
