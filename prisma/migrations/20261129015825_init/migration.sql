-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'user');

-- CreateEnum
CREATE TYPE "Security" AS ENUM ('tls', 'starttls', 'none');

-- CreateEnum
CREATE TYPE "AuthMethod" AS ENUM ('auto', 'plain', 'login', 'cram_md5', 'xoauth2', 'apop', 'user');

-- CreateEnum
CREATE TYPE "AccountStatus" AS ENUM ('new', 'ok', 'syncing', 'auth_failed', 'in_use', 'login_delay', 'temp_error', 'perm_error', 'network_error', 'tls_error', 'disabled');

-- CreateEnum
CREATE TYPE "ServerState" AS ENUM ('on_server', 'delete_pending', 'deleted_by_popgate', 'gone');

-- CreateEnum
CREATE TYPE "SyncOutcome" AS ENUM ('running', 'ok', 'partial', 'failed');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT,
    "role" "Role" NOT NULL DEFAULT 'user',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "lastLoginAt" TIMESTAMP(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "ip" TEXT,
    "userAgent" TEXT,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sign_in_links" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "sign_in_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "login_attempts" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "succeeded" BOOLEAN NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "login_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pop3_accounts" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "security" "Security" NOT NULL DEFAULT 'tls',
    "username" TEXT NOT NULL,
    "authMethod" "AuthMethod" NOT NULL DEFAULT 'auto',
    "secretCiphertext" BYTEA NOT NULL,
    "secretKeyId" TEXT NOT NULL,
    "tlsCaPem" TEXT,
    "tlsPinSha256" TEXT,
    "leaveOnServer" BOOLEAN NOT NULL DEFAULT true,
    "deleteAfterDays" INTEGER,
    "deleteWhenDeletedHere" BOOLEAN NOT NULL DEFAULT false,
    "pollSeconds" INTEGER NOT NULL DEFAULT 300,
    "maxFullDownloadBytes" INTEGER,
    "status" "AccountStatus" NOT NULL DEFAULT 'new',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "lastSyncAt" TIMESTAMP(3),
    "nextSyncAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "lastErrorCode" TEXT,
    "failureCount" INTEGER NOT NULL DEFAULT 0,
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "syncRequested" BOOLEAN NOT NULL DEFAULT false,
    "capabilities" JSONB,
    "serverInfo" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "pop3_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "uidl" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "subject" TEXT NOT NULL DEFAULT '',
    "fromName" TEXT NOT NULL DEFAULT '',
    "fromAddress" TEXT NOT NULL DEFAULT '',
    "to" JSONB NOT NULL DEFAULT '[]',
    "cc" JSONB NOT NULL DEFAULT '[]',
    "replyTo" JSONB NOT NULL DEFAULT '[]',
    "messageId" TEXT,
    "inReplyTo" TEXT,
    "date" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "snippet" TEXT NOT NULL DEFAULT '',
    "textBody" TEXT,
    "htmlBody" TEXT,
    "headers" JSONB NOT NULL DEFAULT '[]',
    "hasAttachments" BOOLEAN NOT NULL DEFAULT false,
    "seen" BOOLEAN NOT NULL DEFAULT false,
    "flagged" BOOLEAN NOT NULL DEFAULT false,
    "trashedAt" TIMESTAMP(3),
    "headersOnly" BOOLEAN NOT NULL DEFAULT false,
    "parseError" TEXT,
    "serverState" "ServerState" NOT NULL DEFAULT 'on_server',
    "sourceSha256" TEXT,
    "search" tsvector,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_sources" (
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_sources_pkey" PRIMARY KEY ("sha256")
);

-- CreateTable
CREATE TABLE "attachments" (
    "id" UUID NOT NULL,
    "messageId" UUID NOT NULL,
    "filename" TEXT,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "contentId" TEXT,
    "inline" BOOLEAN NOT NULL DEFAULT false,
    "sha256" TEXT NOT NULL,
    "content" BYTEA NOT NULL,

    CONSTRAINT "attachments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trusted_senders" (
    "userId" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "trusted_senders_pkey" PRIMARY KEY ("userId","address")
);

-- CreateTable
CREATE TABLE "sync_runs" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "instanceId" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),
    "outcome" "SyncOutcome" NOT NULL DEFAULT 'running',
    "newMessages" INTEGER NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "deletedOnServer" INTEGER NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "error" TEXT,

    CONSTRAINT "sync_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" BIGSERIAL NOT NULL,
    "userId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorUserId" UUID,
    "actorEmail" TEXT,
    "action" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "ip" TEXT,
    "userAgent" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policy" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "signupOpen" BOOLEAN NOT NULL DEFAULT true,
    "allowedHosts" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "refusedHosts" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "allowedNetworks" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "refusedNetworks" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "allowedPorts" INTEGER[] DEFAULT ARRAY[110, 995]::INTEGER[],
    "requireTls" BOOLEAN NOT NULL DEFAULT false,
    "minPollSeconds" INTEGER NOT NULL DEFAULT 60,
    "maxAccountsPerUser" INTEGER NOT NULL DEFAULT 20,
    "maxMessageBytes" INTEGER NOT NULL DEFAULT 52428800,
    "defaultRetentionDays" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_tokenHash_key" ON "sessions"("tokenHash");

-- CreateIndex
CREATE INDEX "sessions_userId_idx" ON "sessions"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "sign_in_links_tokenHash_key" ON "sign_in_links"("tokenHash");

-- CreateIndex
CREATE INDEX "login_attempts_key_at_idx" ON "login_attempts"("key", "at");

-- CreateIndex
CREATE INDEX "pop3_accounts_userId_idx" ON "pop3_accounts"("userId");

-- CreateIndex
CREATE INDEX "pop3_accounts_disabled_nextSyncAt_idx" ON "pop3_accounts"("disabled", "nextSyncAt");

-- CreateIndex
CREATE INDEX "pop3_accounts_host_idx" ON "pop3_accounts"("host");

-- CreateIndex
CREATE INDEX "messages_userId_date_id_idx" ON "messages"("userId", "date" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_accountId_date_id_idx" ON "messages"("accountId", "date" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_accountId_serverState_idx" ON "messages"("accountId", "serverState");

-- CreateIndex
CREATE INDEX "messages_search_idx" ON "messages" USING GIN ("search");

-- CreateIndex
CREATE UNIQUE INDEX "messages_accountId_uidl_key" ON "messages"("accountId", "uidl");

-- CreateIndex
CREATE INDEX "attachments_messageId_idx" ON "attachments"("messageId");

-- CreateIndex
CREATE INDEX "sync_runs_accountId_startedAt_idx" ON "sync_runs"("accountId", "startedAt" DESC);

-- CreateIndex
CREATE INDEX "sync_runs_startedAt_idx" ON "sync_runs"("startedAt");

-- CreateIndex
CREATE INDEX "events_userId_id_idx" ON "events"("userId", "id");

-- CreateIndex
CREATE INDEX "events_createdAt_idx" ON "events"("createdAt");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE INDEX "audit_log_action_at_idx" ON "audit_log"("action", "at");

-- CreateIndex
CREATE INDEX "audit_log_actorUserId_at_idx" ON "audit_log"("actorUserId", "at");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sign_in_links" ADD CONSTRAINT "sign_in_links_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pop3_accounts" ADD CONSTRAINT "pop3_accounts_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "pop3_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_sourceSha256_fkey" FOREIGN KEY ("sourceSha256") REFERENCES "message_sources"("sha256") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trusted_senders" ADD CONSTRAINT "trusted_senders_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "pop3_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Full-text search: kept by the database itself so every writer fills it the same way.
-- 'simple' keeps words as written: mail arrives in every language.
CREATE FUNCTION "messages_search_update"() RETURNS trigger AS $$
BEGIN
  NEW."search" :=
    setweight(to_tsvector('simple', coalesce(NEW."subject", '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(NEW."fromName", '') || ' ' || coalesce(NEW."fromAddress", '')), 'B') ||
    setweight(to_tsvector('simple', left(coalesce(NEW."textBody", NEW."snippet", ''), 200000)), 'D');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "messages_search_trigger"
  BEFORE INSERT OR UPDATE OF "subject", "fromName", "fromAddress", "textBody", "snippet" ON "messages"
  FOR EACH ROW EXECUTE FUNCTION "messages_search_update"();

-- The admin policy is a single row.
INSERT INTO "policy" ("id") VALUES (1);
