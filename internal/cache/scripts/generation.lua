-- Restores the generation counter after Redis lost writes, and tells the
-- caller whether it is the process that did (and so drops the revisions).
--
-- KEYS[1]  the generation key
-- ARGV[1]  the highest generation the caller has seen
--
-- Reply: 1 when the counter was below ARGV[1] and now holds it, else 0
-- (another process restored it first, or it moved on since).
local g = tonumber(redis.call('GET', KEYS[1]) or '0')
if g < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1
end
return 0
