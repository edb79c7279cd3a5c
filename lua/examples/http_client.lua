-- A small non-blocking HTTP/1.0 client: GET a path, print status line and body.
-- usage: lua5.4 http_client.lua host port [path]
local lsocket = require "lsocket"

local host = assert(arg[1], "usage: http_client.lua host port [path]")
local port = assert(tonumber(arg[2]), "usage: http_client.lua host port [path]")
local path = arg[3] or "/"
local deadline = os.time() + 10

local sock, err = lsocket.connect(host, port)
if not sock then error("connect: " .. err) end

-- 1. wait for the connection, then check it worked
assert(lsocket.select(nil, {sock}, 5), "connect timed out")
local ok, why = sock:status()
if not ok then error("connect: " .. why) end

-- 2. send the request; send may take only part of it
local request = ("GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: lsocket-example\r\n\r\n"):format(
  path, host)
while #request > 0 and os.time() <= deadline do
  local n = sock:send(request)
  if n then request = request:sub(n + 1) else lsocket.select(nil, {sock}, 1) end
end

-- 3. read until the server closes the connection (HTTP/1.0)
local parts = {}
while os.time() <= deadline do
  lsocket.select({sock}, 1)
  local data = sock:recv()
  if data == nil then break end      -- closed: the response is complete
  if data then parts[#parts + 1] = data end
end
sock:close()

local response = table.concat(parts)
local head, body = response:match("^(.-)\r\n\r\n(.*)$")
print(head and head:match("^[^\r\n]*") or "no response")
print(body or "")
