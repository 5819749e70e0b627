-- AlterTable
ALTER TABLE "policy" ADD COLUMN     "hostSessionLimits" JSONB NOT NULL DEFAULT '[{"host": "pop.gmail.com", "sessions": 50}, {"host": "outlook.office365.com", "sessions": 50}]',
ADD COLUMN     "syncAccountsPerHostSession" INTEGER,
ADD COLUMN     "syncSessionsPerHost" INTEGER;

-- Accounts per server with their host names (apps/server/src/sync/host-sessions.ts): the count
-- that a server's session cap grows with reads its prefix, and whether an admin's per-host limit
-- applies to an address is one probe of (address, host name). It replaces the index on the
-- address alone, which it covers.
CREATE INDEX "pop3_accounts_server_host_idx" ON "pop3_accounts" ((COALESCE("serverAddress", "host")), "host")
  WHERE NOT "disabled";
DROP INDEX "pop3_accounts_server_idx";
