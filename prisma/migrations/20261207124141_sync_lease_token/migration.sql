-- AlterTable
ALTER TABLE "pop3_accounts" ADD COLUMN     "leaseToken" BIGINT NOT NULL DEFAULT 0;
