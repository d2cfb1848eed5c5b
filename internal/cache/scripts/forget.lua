-- Removes the revision key of a scope that turned out not to exist, which
-- the lookup (get.lua) or the render lock (lock.lua) minted before the store
-- was asked, but only while it still holds the revision the caller rendered
-- under: a write that has since given the scope a token of its own (the
-- scope exists now) keeps it. See missing.go for why removing one is safe.
--
-- KEYS[1]  the scope's revision key
-- ARGV[1]  the revision the caller read before its store said "not found"
--
-- Reply: 1 when removed, 0 when the key held another revision or none.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
