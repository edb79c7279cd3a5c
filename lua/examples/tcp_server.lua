-- TCP echo server: echoes what each client sends, many clients at once.
-- usage: lua5.4 tcp_server.lua [6] [port] [clients]
--   6        listen on IPv6 (::1) instead of IPv4 (127.0.0.1)
--   port     port to listen on (default 0: any free port, printed at start)
--   clients  exit after this many clients have disconnected (default: run forever)
local lsocket = require "lsocket"

local ipv6 = arg[1] == "6"
local first = ipv6 and 2 or 1
local port = tonumber(arg[first]) or 0
local max_clients = tonumber(arg[first + 1])

local server = assert(lsocket.bind("tcp", ipv6 and "::1" or "127.0.0.1", port))
local info = server:info("socket")
print(("listening on %s %d"):format(info.addr, info.port))
io.stdout:flush()

local clients, served = {}, 0
while not max_clients or served < max_clients do
  local watch = {server}
  for _, c in ipairs(clients) do watch[#watch + 1] = c end
  local ready = assert(lsocket.select(watch))
  for _, s in ipairs(ready) do
    if s == server then
      local c, addr, cport = server:accept()
      if c then
        print(("client %s:%d connected"):format(addr, cport))
        clients[#clients + 1] = c
      end
    else
      local data = s:recv()
      if data then
        -- A short echo may be partial: send the rest when it fits.
        local sent = 0
        while sent < #data do
          local n = s:send(data:sub(sent + 1))
          if n then sent = sent + n else lsocket.select(nil, {s}, 1) end
        end
      elseif data == nil then
        for i, c in ipairs(clients) do
          if c == s then table.remove(clients, i) break end
        end
        s:close()
        served = served + 1
        print("client disconnected")
      end
    end
  end
  io.stdout:flush()
end
server:close()
