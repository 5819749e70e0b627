-- AlterTable
ALTER TABLE "pop3_accounts" ADD COLUMN     "serverAddress" TEXT;

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "partialReason" TEXT;
