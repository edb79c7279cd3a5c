-- Multicast / broadcast sender.
-- usage: lua5.4 mcast_sender.lua [6] port [message] [group]
local lsocket = require "lsocket"

local ipv6 = arg[1] == "6"
local first = ipv6 and 2 or 1
local port = assert(tonumber(arg[first]), "usage: mcast_sender.lua [6] port [message] [group]")
local message = arg[first + 1] or "hello, group"
local group = arg[first + 2] or (ipv6 and "ff15::42" or "239.255.42.1")

-- ttl 1: stay on the local network.
local sock = assert(lsocket.connect("mcast", group, port, 1))
print(("sent %d bytes to %s port %d"):format(assert(sock:send(message)), group, port))
sock:close()
