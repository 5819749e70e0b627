-- Partial indexes for the sync claim (apps/server/src/sync/claim.ts): each part of a claim reads
-- one of them in due order, so a claim costs about what it takes, not a scan of every account.

-- Accounts due that no session holds, by due time (a claimed account leaves it until released).
CREATE INDEX "pop3_accounts_due_idx" ON "pop3_accounts" ("nextSyncAt")
  WHERE "leaseExpiresAt" IS NULL AND NOT "disabled"
    AND "status" NOT IN ('auth_failed', 'perm_error', 'disabled');

-- "Check now" requests.
CREATE INDEX "pop3_accounts_requested_idx" ON "pop3_accounts" ("nextSyncAt") WHERE "syncRequested";

-- Leases held or expired: expired ones to take over, and the sessions running per server and per
-- user that the caps count.
CREATE INDEX "pop3_accounts_lease_expiry_idx" ON "pop3_accounts" ("leaseExpiresAt")
  WHERE "leaseExpiresAt" IS NOT NULL;
CREATE INDEX "pop3_accounts_leased_server_idx" ON "pop3_accounts" ((COALESCE("serverAddress", "host")))
  WHERE "leaseExpiresAt" IS NOT NULL;
CREATE INDEX "pop3_accounts_leased_user_idx" ON "pop3_accounts" ("userId")
  WHERE "leaseExpiresAt" IS NOT NULL;
