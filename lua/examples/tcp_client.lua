-- TCP client: sends a message to the echo server and prints the answer.
-- usage: lua5.4 tcp_client.lua [6] port [message]
local lsocket = require "lsocket"

local ipv6 = arg[1] == "6"
local first = ipv6 and 2 or 1
local port = assert(tonumber(arg[first]), "usage: tcp_client.lua [6] port [message]")
local message = arg[first + 1] or "hello, lsocket"

local sock = assert(lsocket.connect("tcp", ipv6 and "::1" or "127.0.0.1", port))
-- The connect finishes in the background: wait until writable, then ask how it went.
assert(lsocket.select(nil, {sock}, 5), "connect timed out")
assert(sock:status())
assert(sock:send(message))

local answer = ""
while #answer < #message do
  assert(lsocket.select({sock}, 5), "no answer")
  local data = sock:recv()
  if not data then break end
  answer = answer .. data
end
print(answer)
sock:close()
