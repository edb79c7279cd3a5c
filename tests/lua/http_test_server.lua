-- A minimal HTTP/1.0 server for the http_client example's test: answers one request per
-- connection with a fixed body, then closes. usage: http_test_server.lua [requests]
local lsocket = require "lsocket"

local max = tonumber(arg[1]) or 1
local server = assert(lsocket.bind("127.0.0.1", 0))
print("listening on 127.0.0.1 " .. server:info("socket").port)
io.stdout:flush()

for _ = 1, max do
  assert(lsocket.select({server}, 10), "no client")
  local c = assert(server:accept())
  local request = ""
  while not request:find("\r\n\r\n", 1, true) do
    assert(lsocket.select({c}, 5), "incomplete request")
    local data = c:recv()
    if not data then break end
    request = request .. data
  end
  local path = request:match("^GET (%S+) HTTP/1%.[01]\r\n") or "?"
  local body = "you asked for " .. path
  c:send(("HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s"):format(#body, body))
  c:close()
end
server:close()
