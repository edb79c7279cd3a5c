-- Instructions per select call, for callgrind: N idle UDP sockets plus one holding a datagram,
-- the same table on every call (as select_scale). Only the select calls are counted:
--   valgrind --tool=callgrind --toggle-collect='*lsocket_select*' \
--     lua5.4 tests/bench/select_calls.lua N ROUNDS
-- then divide the inclusive count by ROUNDS (callgrind_annotate --inclusive=yes).
local lsocket = require "lsocket"
local n, rounds = tonumber(arg[1] or "1000"), tonumber(arg[2] or "1000")
local socks = {}
for i = 1, n do socks[i] = assert(lsocket.bind("udp", "127.0.0.1", 0)) end
local ready = socks[n // 2 + 1]
ready:sendto("x", "127.0.0.1", ready:info("socket").port)
assert(lsocket.select({ready}, 5), "the datagram did not arrive")
local select = lsocket.select
for _ = 1, rounds do
  local r = select(socks, 5)
  if #r ~= 1 or r[1] ~= ready then error("wrong sockets ready") end
end
for _, s in ipairs(socks) do s:close() end
