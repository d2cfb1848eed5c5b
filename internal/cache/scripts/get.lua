-- Reads one cached feed in a single round trip.
-- Runs after bytes.lua (append_all_bytes), which the Go side puts first.
--
-- KEYS[1]  the scope's revision key
-- KEYS[2]  the entry's hash (same hash slot as KEYS[1])
-- ARGV[1]  a fresh token, stored as the revision if the scope has none
--          (before the store is read, as it must be; when the store then
--          finds no such scope, forget.lua removes it again)
-- ARGV[2]  the revision key's TTL in milliseconds
-- ARGV[3]  which bytes a hit returns: "all" (the body and every stored
--          variant), or one field: "body", "gz", "br" or "zst"; a missing
--          variant field falls back to "body"
-- ARGV[4]  the request's condition: "none", "inm" or "ims"
--   inm: ARGV[5..] the If-None-Match tags, quoted, weak prefix and coding
--        suffix removed; a lone "*" matches anything
--   ims: ARGV[5] the If-Modified-Since date and ARGV[6] now, unix seconds
--
-- Reply:
--   {rev}                                           no current entry
--   {rev, 1, etag, lastmod, lmns, ctype, pttl}      the condition holds: 304
--   {rev, 0, etag, lastmod, lmns, ctype, pttl, field, bytes, field, bytes…}
--                                                   a hit, with the fields asked for
-- pttl is the entry's remaining lifetime in milliseconds (PTTL), which a
-- local copy must not outlive: it ends early when a scheduled article is due.
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
local mode = ARGV[4]
if mode == 'inm' then
  local opaque = f[2]
  if string.sub(opaque, 1, 2) == 'W/' then
    opaque = string.sub(opaque, 3)
  end
  for i = 5, #ARGV do
    if ARGV[i] == '*' or ARGV[i] == opaque then
      notModified = true
      break
    end
  end
elseif mode == 'ims' then
  local since, now = tonumber(ARGV[5]), tonumber(ARGV[6])
  -- A date in the future is invalid and ignored.
  if since <= now and tonumber(f[3]) <= since then
    notModified = true
  end
end

local pttl = redis.call('PTTL', KEYS[2])
if notModified then
  return {rev, 1, f[2], f[3], f[4], f[5], pttl}
end
local reply = {rev, 0, f[2], f[3], f[4], f[5], pttl}
local want = ARGV[3]
if want == 'all' then
  return append_all_bytes(KEYS[2], reply)
end
local b = redis.call('HGET', KEYS[2], want)
if not b and want ~= 'body' then
  want = 'body'
  b = redis.call('HGET', KEYS[2], 'body')
end
table.insert(reply, want)
table.insert(reply, b)
return reply
