-- AlterTable
ALTER TABLE "pop3_accounts" ADD COLUMN     "listingDigest" TEXT,
ADD COLUMN     "unchangedPolls" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "unchangedSince" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "sync_runs" ADD COLUMN     "unchangedBefore" INTEGER NOT NULL DEFAULT 0;
