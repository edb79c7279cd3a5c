-- Unix-domain client: sends a message and prints the echo.
-- usage: lua5.4 unix_client.lua path [message]
local lsocket = require "lsocket"

local path = assert(arg[1], "usage: unix_client.lua path [message]")
local message = arg[2] or "hello, unix"
local sock = assert(lsocket.connect(path))
assert(lsocket.select(nil, {sock}, 5))
assert(sock:status())
sock:send(message)
local answer = ""
while #answer < #message and lsocket.select({sock}, 5) do
  local data = sock:recv()
  if not data then break end
  answer = answer .. data
end
print(answer)
sock:close()
