-- 0004_undelivered_invalidations: a scope whose cache invalidation failed
-- after a committed write (Redis unreachable) is recorded on its scopes row,
-- so that the invalidation is delivered later by whichever process runs
-- then, even if the one that made the write stopped first. Without it such
-- a scope's feeds stayed stale in Redis until feed.cache_ttl.
--
-- undelivered holds the scope's revision when it was recorded, NULL when
-- nothing is owed. A delivered invalidation clears a record only if it
-- still holds the revision that was listed, so a later failure stays.
-- (Later builds write the record with every write, in the write's own
-- transaction, and clear it once the invalidation is delivered; the
-- column is the same.)

ALTER TABLE scopes ADD COLUMN undelivered INTEGER;

-- The sweep of every process asks for the recorded rows only.
CREATE INDEX scopes_undelivered ON scopes (key) WHERE undelivered IS NOT NULL;
