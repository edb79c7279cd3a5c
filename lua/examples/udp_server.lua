-- UDP echo server: answers each datagram to its sender.
-- usage: lua5.4 udp_server.lua [6] [port] [datagrams]
local lsocket = require "lsocket"

local ipv6 = arg[1] == "6"
local first = ipv6 and 2 or 1
local port = tonumber(arg[first]) or 0
local max = tonumber(arg[first + 1])

local sock = assert(lsocket.bind("udp", ipv6 and "::1" or "127.0.0.1", port))
print(("listening on %s %d"):format(sock:info("socket").addr, sock:info("socket").port))
io.stdout:flush()

local count = 0
while not max or count < max do
  lsocket.select({sock})
  local data, addr, from_port = sock:recvfrom()
  if data then
    count = count + 1
    print(("%d bytes from %s:%d"):format(#data, addr, from_port))
    io.stdout:flush()
    sock:sendto(data, addr, from_port)
  end
end
sock:close()
