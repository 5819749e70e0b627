-- AlterTable
ALTER TABLE "policy" ALTER COLUMN "signupOpen" SET DEFAULT false;

-- A fresh install (nobody signed up yet) closes public sign-up too: its first user, the admin,
-- still signs up and may open it. An install that already has users keeps what it has.
UPDATE "policy" SET "signupOpen" = false WHERE NOT EXISTS (SELECT 1 FROM "users");
