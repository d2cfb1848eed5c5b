-- Reads one cached feed in a single round trip.
--
-- KEYS[1]  the scope's revision key
-- KEYS[2]  the entry's hash (same hash slot as KEYS[1])
-- ARGV[1]  a fresh token, stored as the revision if the scope has none
-- ARGV[2]  the revision key's TTL in milliseconds
-- ARGV[3]  the request's condition: "none", "inm" or "ims"
--   inm: ARGV[4..] the If-None-Match tags, quoted, weak prefix removed;
--        a lone "*" matches anything
--   ims: ARGV[4] the If-Modified-Since date and ARGV[5] now, unix seconds
--
-- Reply:
--   {rev}                                           no current entry
--   {rev, 1, etag, lastmod, lmns, ctype}            the condition holds: 304
--   {rev, 0, etag, lastmod, lmns, ctype, body}      a full hit
--
-- The condition logic mirrors herald.Condition.NotModified; keep the two in
-- step (the Go side checks the answer again).
local rev = redis.call('GET', KEYS[1])
if not rev then
  rev = ARGV[1]
  redis.call('SET', KEYS[1], rev, 'PX', ARGV[2])
  return {rev}
end

local f = redis.call('HMGET', KEYS[2], 'rev', 'etag', 'lastmod', 'lmns', 'ctype')
if f[1] ~= rev then
  return {rev}
end

local notModified = false
local mode = ARGV[3]
if mode == 'inm' then
  local opaque = f[2]
  if string.sub(opaque, 1, 2) == 'W/' then
    opaque = string.sub(opaque, 3)
  end
  for i = 4, #ARGV do
    if ARGV[i] == '*' or ARGV[i] == opaque then
      notModified = true
      break
    end
  end
elseif mode == 'ims' then
  local since, now = tonumber(ARGV[4]), tonumber(ARGV[5])
  -- A date in the future is invalid and ignored.
  if since <= now and tonumber(f[3]) <= since then
    notModified = true
  end
end

if notModified then
  return {rev, 1, f[2], f[3], f[4], f[5]}
end
return {rev, 0, f[2], f[3], f[4], f[5], redis.call('HGET', KEYS[2], 'body')}
