-- Stores one rendered feed, but only under the scope's current revision, so
-- a slow render that raced an invalidation cannot replace a newer entry.
--
-- KEYS[1]  the scope's revision key
-- KEYS[2]  the entry's hash (same hash slot as KEYS[1])
-- ARGV     rev, etag, lastmod (unix seconds), lmns (nanoseconds within the
--          second), ctype, body, ttl (milliseconds), then the compressed
--          variants gz, br, zst, each an empty string when absent
--
-- Reply: 1 when stored, 0 when the revision has moved on.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[2],
  'rev', ARGV[1], 'etag', ARGV[2], 'lastmod', ARGV[3], 'lmns', ARGV[4],
  'ctype', ARGV[5], 'body', ARGV[6])
-- A variant is stored only beside the body it encodes; an absent one
-- must not survive from an earlier rendering.
local names = {'gz', 'br', 'zst'}
for i = 1, 3 do
  local v = ARGV[7 + i]
  if v and v ~= '' then
    redis.call('HSET', KEYS[2], names[i], v)
  else
    redis.call('HDEL', KEYS[2], names[i])
  end
end
redis.call('PEXPIRE', KEYS[2], ARGV[7])
return 1
