-- Releases a render lock, but only if the caller still holds it: after the
-- lock expired, or a write moved the scope on and another replica took the
-- lock for the new revision, the value differs and that lock is left alone.
--
-- KEYS[1]  the lock key
-- ARGV[1]  the value the caller locked with ("<revision> <token>")
--
-- Reply: 1 when released, 0 when the lock was not the caller's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
