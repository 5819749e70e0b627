-- AlterTable
ALTER TABLE "oauth_grants" ADD COLUMN     "smtpHosts" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "oauth_authorizations" ADD COLUMN     "newAccount" JSONB,
ALTER COLUMN "accountId" DROP NOT NULL;
