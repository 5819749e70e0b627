-- Scans of messages run in one process, without parallel workers. Every query of this table
-- reads one user's messages and many run at once (the API's requests, the sync workers): a
-- parallel plan takes cores other queries are waiting for, and the planner picked one at the
-- edge of its cost model (a search matching a sixth of 100,000 messages: a parallel seq scan of
-- the whole table, three to five times slower on a busy 2-core machine than the bitmap scan of
-- the search index it chose for the same query without workers). Results are the same.
ALTER TABLE "messages" SET (parallel_workers = 0);
