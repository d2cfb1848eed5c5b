-- Shared by get.lua and lock.lua, which the Go side prefixes with it.
--
-- append_all_bytes appends the body and every stored variant of the
-- entry hash key to reply, as name, bytes pairs (a missing variant is left
-- out), and returns reply.
local function append_all_bytes(key, reply)
  local names = {'body', 'gz', 'br', 'zst'}
  local v = redis.call('HMGET', key, 'body', 'gz', 'br', 'zst')
  for i = 1, 4 do
    if v[i] then
      table.insert(reply, names[i])
      table.insert(reply, v[i])
    end
  end
  return reply
end

