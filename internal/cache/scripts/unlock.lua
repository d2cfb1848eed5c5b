-- Releases a render lock, but only if the caller still holds it: after the
-- lock expired and another replica took it, the token differs and the other
-- replica's lock is left alone.
--
-- KEYS[1]  the lock key
-- ARGV[1]  the token the caller locked with
--
-- Reply: 1 when released, 0 when the lock was not the caller's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
