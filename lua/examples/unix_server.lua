-- Unix-domain echo server on a path (or a Linux abstract name starting with '@').
-- usage: lua5.4 unix_server.lua path [clients]
local lsocket = require "lsocket"

local path = assert(arg[1], "usage: unix_server.lua path [clients]")
local max = tonumber(arg[2])
local server = assert(lsocket.bind(path))
print("listening on " .. server:info("socket").addr)
io.stdout:flush()

local served = 0
while not max or served < max do
  lsocket.select({server})
  local c = server:accept()
  if c then
    -- One client at a time: echo until it hangs up.
    while true do
      lsocket.select({c}, 5)
      local data = c:recv()
      if data == nil then break end
      if data then c:send(data) end
    end
    c:close()
    served = served + 1
  end
end
server:close()
if path:sub(1, 1) ~= "@" then os.remove(path) end
