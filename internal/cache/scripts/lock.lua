-- Settles a miss in one round trip, at the scope's current revision:
-- returns the entry when it is stored, else takes the render lock unless
-- another replica holds it for that revision. A replica that stored the
-- entry and released the lock just before cannot be missed. The caller's
-- own idea of the revision may be behind (an invalidation message still on
-- its way); the reply names the revision it is about, which the caller
-- renders and stores under.
-- Runs after bytes.lua (append_all_bytes), which the Go side puts first.
--
-- KEYS[1]  the lock key of the feed (one per feed, whatever the revision)
-- KEYS[2]  the entry's hash
-- KEYS[3]  the scope's revision key (all three in one hash slot)
-- ARGV[1]  the caller's token
-- ARGV[2]  the lock's TTL in milliseconds
-- ARGV[3]  a fresh token, stored as the revision if the scope has none
--          (removed again by forget.lua if the store finds no such scope)
-- ARGV[4]  the revision key's TTL in milliseconds
--
-- The lock's value is "<revision> <token>": a lock taken for a revision
-- that a write has since moved on does not hold up the current one, and
-- is replaced by the next caller's.
--
-- Reply:
--   {2, rev, 0, etag, lastmod, lmns, ctype, field, bytes, field, bytes…}
--                 the entry of rev is stored; from rev on, the shape of
--                 get.lua's hit with "all"
--   {1, rev}      the caller now holds the lock for rev
--   {0, rev}      another holds it for rev
local cur = redis.call('GET', KEYS[3])
if not cur then
  cur = ARGV[3]
  redis.call('SET', KEYS[3], cur, 'PX', ARGV[4])
end

local f = redis.call('HMGET', KEYS[2], 'rev', 'etag', 'lastmod', 'lmns', 'ctype')
if f[1] == cur then
  return append_all_bytes(KEYS[2], {2, cur, 0, f[2], f[3], f[4], f[5], redis.call('PTTL', KEYS[2])})
end

local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, #cur + 1) == cur .. ' ' then
  return {0, cur}
end
redis.call('SET', KEYS[1], cur .. ' ' .. ARGV[1], 'PX', ARGV[2])
return {1, cur}
