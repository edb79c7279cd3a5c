-- Multicast / broadcast receiver.
-- usage: lua5.4 mcast_receiver.lua [6] [port] [count] [group]
--   IPv4 joins 239.255.42.1 (give 255.255.255.255 as group for broadcast); IPv6 joins ff15::42.
local lsocket = require "lsocket"

local ipv6 = arg[1] == "6"
local first = ipv6 and 2 or 1
local port = tonumber(arg[first]) or 0
local count = tonumber(arg[first + 1]) or 1
local group = arg[first + 2] or (ipv6 and "ff15::42" or "239.255.42.1")
-- Broadcasts arrive on a socket bound to the wildcard address.
local bind_to = group == "255.255.255.255" and lsocket.INADDR_ANY or group

local sock = assert(lsocket.bind("mcast", bind_to, port))
print(("joined %s port %d"):format(group, sock:info("socket").port))
io.stdout:flush()
for _ = 1, count do
  assert(lsocket.select({sock}, 10), "nothing arrived")
  local data, addr, from_port = sock:recvfrom()
  print(("%s from %s:%d"):format(data, addr, from_port))
  io.stdout:flush()
end
sock:close()
