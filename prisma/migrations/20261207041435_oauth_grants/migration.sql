-- CreateEnum
CREATE TYPE "OAuthGrantStatus" AS ENUM ('active', 'reauth_required');

-- AlterEnum
ALTER TYPE "AuthMethod" ADD VALUE 'oauthbearer';

-- CreateTable
CREATE TABLE "oauth_grants" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "subject" TEXT,
    "scope" TEXT,
    "refreshCiphertext" BYTEA NOT NULL,
    "refreshKeyId" TEXT NOT NULL,
    "accessCiphertext" BYTEA,
    "accessKeyId" TEXT,
    "accessExpiresAt" TIMESTAMP(3),
    "lastRefreshedAt" TIMESTAMP(3),
    "refreshCount" INTEGER NOT NULL DEFAULT 0,
    "status" "OAuthGrantStatus" NOT NULL DEFAULT 'active',
    "lastError" TEXT,
    "boundHost" TEXT NOT NULL,
    "boundPort" INTEGER NOT NULL,
    "boundUsername" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "oauth_grants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "oauth_authorizations" (
    "stateHash" TEXT NOT NULL,
    "sessionId" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "verifierCiphertext" BYTEA NOT NULL,
    "verifierKeyId" TEXT NOT NULL,
    "nonce" TEXT,
    "redirectUri" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oauth_authorizations_pkey" PRIMARY KEY ("stateHash")
);

-- CreateIndex
CREATE UNIQUE INDEX "oauth_grants_accountId_key" ON "oauth_grants"("accountId");

-- CreateIndex
CREATE INDEX "oauth_authorizations_expiresAt_idx" ON "oauth_authorizations"("expiresAt");

-- AddForeignKey
ALTER TABLE "oauth_grants" ADD CONSTRAINT "oauth_grants_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "pop3_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
