-- Message bytes and bodies are written once and read now and then: lz4 compresses them for a
-- fraction of pglz's CPU, which is most of what PostgreSQL spends on a sync's raw bytes. A server
-- without lz4 (built without it, as the embedded database is, or older than PostgreSQL 14) keeps
-- pglz; nothing else differs.
DO $$
BEGIN
  IF current_setting('server_version_num')::int < 140000 THEN
    RAISE NOTICE 'column compression needs PostgreSQL 14: message bytes stay compressed with pglz';
    RETURN;
  END IF;
  EXECUTE 'ALTER TABLE "message_sources" ALTER COLUMN "bytes" SET COMPRESSION lz4';
  EXECUTE 'ALTER TABLE "messages"
             ALTER COLUMN "textBody" SET COMPRESSION lz4,
             ALTER COLUMN "htmlBody" SET COMPRESSION lz4,
             ALTER COLUMN "headers" SET COMPRESSION lz4';
  EXECUTE 'ALTER TABLE "attachments" ALTER COLUMN "content" SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available on this server: message bytes stay compressed with pglz';
END
$$;
