-- 0005_undelivered_invalidations: a scope whose cache invalidation failed
-- after a committed write (Redis unreachable) is recorded on its scopes row,
-- so that the invalidation is delivered later by whichever replica runs
-- then, even if the one that made the write stopped first. Without it such
-- a scope's feeds stayed stale in Redis until feed.cache_ttl.
--
-- undelivered holds the scope's revision when it was recorded, NULL when
-- nothing is owed. A delivered invalidation clears a record only if it
-- still holds the revision that was listed, so a later failure stays.
-- (Later builds write the record with every write, in the write's own
-- transaction, and clear it once the invalidation is delivered; the
-- column is the same.) Adding a nullable column without a default rewrites nothing.

ALTER TABLE scopes ADD COLUMN undelivered bigint;

-- The sweep of every replica asks for the recorded rows only.
CREATE INDEX scopes_undelivered ON scopes (key) WHERE undelivered IS NOT NULL;
