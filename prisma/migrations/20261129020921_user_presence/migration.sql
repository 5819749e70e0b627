-- AlterTable
ALTER TABLE "users" ADD COLUMN     "activeUntil" TIMESTAMP(3);
