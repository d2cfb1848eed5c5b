-- Settles a miss in one round trip: returns the entry when it is stored,
-- else takes the render lock unless another holds it. A replica that
-- stored the entry and released the lock just before cannot be missed,
-- and a scope whose revision moved on is reported rather than locked.
-- Runs after bytes.lua (append_all_bytes), which the Go side puts first.
--
-- KEYS[1]  the lock key
-- KEYS[2]  the entry's hash
-- KEYS[3]  the scope's revision key (all three in one hash slot)
-- ARGV     the caller's token, the lock's TTL (milliseconds), the revision
--
-- Reply:
--   {3}                   the scope's revision is no longer ARGV[3]
--   {2, rev, 0, etag, lastmod, lmns, ctype, field, bytes, field, bytes…}
--                         the entry of that revision is stored; from the
--                         revision on, the shape of get.lua's hit with "all"
--   {1}                   the caller now holds the lock
--   {0}                   another holds it
local cur = redis.call('GET', KEYS[3])
if cur ~= ARGV[3] then
  return {3}
end

local f = redis.call('HMGET', KEYS[2], 'rev', 'etag', 'lastmod', 'lmns', 'ctype')
if f[1] == ARGV[3] then
  return append_all_bytes(KEYS[2], {2, ARGV[3], 0, f[2], f[3], f[4], f[5]})
end

if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1}
end
return {0}
