-- CreateEnum
CREATE TYPE "MessageOrigin" AS ENUM ('pop3', 'sent', 'imported');

-- CreateEnum
CREATE TYPE "SmtpAuthMethod" AS ENUM ('auto', 'plain', 'login', 'cram_md5', 'xoauth2');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('queued', 'sending', 'sent', 'failed', 'unknown', 'cancelled');

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "origin" "MessageOrigin" NOT NULL DEFAULT 'pop3';

-- AlterTable
ALTER TABLE "policy" ADD COLUMN     "allowedSmtpPorts" INTEGER[] DEFAULT ARRAY[465, 587]::INTEGER[],
ADD COLUMN     "maxOutgoingBytes" INTEGER NOT NULL DEFAULT 26214400;

-- CreateTable
CREATE TABLE "identities" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "replyTo" JSONB,
    "signature" TEXT NOT NULL DEFAULT '',
    "signatureHtml" BOOLEAN NOT NULL DEFAULT false,
    "smtpHost" TEXT NOT NULL,
    "smtpPort" INTEGER NOT NULL,
    "smtpSecurity" "Security" NOT NULL DEFAULT 'starttls',
    "smtpUsername" TEXT NOT NULL,
    "smtpAuth" "SmtpAuthMethod" NOT NULL DEFAULT 'auto',
    "smtpSecretCiphertext" BYTEA,
    "smtpSecretKeyId" TEXT,
    "smtpTlsCaPem" TEXT,
    "smtpTlsPinSha256" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "identities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "drafts" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "identityId" UUID,
    "to" JSONB NOT NULL DEFAULT '[]',
    "cc" JSONB NOT NULL DEFAULT '[]',
    "bcc" JSONB NOT NULL DEFAULT '[]',
    "subject" TEXT NOT NULL DEFAULT '',
    "text" TEXT NOT NULL DEFAULT '',
    "html" TEXT,
    "inReplyToId" UUID,
    "forwardOfId" UUID,
    "forwardAsAttachment" BOOLEAN NOT NULL DEFAULT false,
    "inReplyToHeader" TEXT,
    "referencesHeader" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "drafts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "draft_attachments" (
    "id" UUID NOT NULL,
    "draftId" UUID NOT NULL,
    "filename" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "draft_attachments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "identityId" UUID,
    "draftId" UUID,
    "messageIdHeader" TEXT NOT NULL,
    "subject" TEXT NOT NULL DEFAULT '',
    "envelopeFrom" TEXT NOT NULL,
    "recipients" TEXT[],
    "raw" BYTEA NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'queued',
    "notBefore" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "handoverStartedAt" TIMESTAMP(3),
    "lastErrorCode" TEXT,
    "lastReply" TEXT,
    "rejectedRecipients" JSONB NOT NULL DEFAULT '[]',
    "sentAt" TIMESTAMP(3),
    "sentMessageId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "identities_userId_idx" ON "identities"("userId");

-- CreateIndex
CREATE INDEX "identities_accountId_idx" ON "identities"("accountId");

-- CreateIndex
CREATE INDEX "drafts_userId_updatedAt_idx" ON "drafts"("userId", "updatedAt" DESC);

-- CreateIndex
CREATE INDEX "draft_attachments_draftId_idx" ON "draft_attachments"("draftId");

-- CreateIndex
CREATE INDEX "outbox_status_nextAttemptAt_idx" ON "outbox"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "outbox_leaseExpiresAt_idx" ON "outbox"("leaseExpiresAt");

-- CreateIndex
CREATE INDEX "outbox_userId_createdAt_idx" ON "outbox"("userId", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "identities" ADD CONSTRAINT "identities_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identities" ADD CONSTRAINT "identities_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "pop3_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drafts" ADD CONSTRAINT "drafts_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drafts" ADD CONSTRAINT "drafts_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "identities"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drafts" ADD CONSTRAINT "drafts_inReplyToId_fkey" FOREIGN KEY ("inReplyToId") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drafts" ADD CONSTRAINT "drafts_forwardOfId_fkey" FOREIGN KEY ("forwardOfId") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "draft_attachments" ADD CONSTRAINT "draft_attachments_draftId_fkey" FOREIGN KEY ("draftId") REFERENCES "drafts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "identities"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_draftId_fkey" FOREIGN KEY ("draftId") REFERENCES "drafts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_sentMessageId_fkey" FOREIGN KEY ("sentMessageId") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE CASCADE;
