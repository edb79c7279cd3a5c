-- UDP client: sends one datagram and prints the echo.
-- usage: lua5.4 udp_client.lua [6] port [message]
local lsocket = require "lsocket"

local ipv6 = arg[1] == "6"
local first = ipv6 and 2 or 1
local port = assert(tonumber(arg[first]), "usage: udp_client.lua [6] port [message]")
local message = arg[first + 1] or "hello, udp"

local sock = assert(lsocket.connect("udp", ipv6 and "::1" or "127.0.0.1", port))
assert(sock:send(message))
assert(lsocket.select({sock}, 5), "no answer")
print(sock:recv())
sock:close()
