-- Takes a render lock unless the entry it would guard is already stored,
-- in one step: a replica that stored the entry and released the lock just
-- before cannot be missed.
--
-- KEYS[1]  the lock key
-- KEYS[2]  the entry's hash (same hash slot as KEYS[1])
-- ARGV     the caller's token, the lock's TTL (milliseconds), the revision
--
-- Reply: 2 when the entry of that revision is stored, 1 when the caller
-- now holds the lock, 0 when another holds it.
if redis.call('HGET', KEYS[2], 'rev') == ARGV[3] then
  return 2
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
return 0
