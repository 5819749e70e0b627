-- Accounts checked per server (address dialled, or host name until then): a server's session cap
-- grows with its accounts (apps/server/src/sync/claim.ts hostCap), counted per claim through this.
CREATE INDEX "pop3_accounts_server_idx" ON "pop3_accounts" ((COALESCE("serverAddress", "host")))
  WHERE NOT "disabled";
