-- The benchmark workloads on LuaSocket (Debian's lua-socket), in its own idioms:
-- settimeout(0), socket.select, partial sends resumed with send(data, i). Same loop shape.
-- usage: lua5.4 luasocket_bench.lua WORKLOAD [scale]
local socket = require "socket"
local now = socket.gettime
local select = socket.select

local workload, scale = arg[1], tonumber(arg[2]) or 1

local function emit(name, value, unit, extra)
  io.write(('{"impl":"luasocket","workload":"%s","value":%.3f,"unit":"%s"%s}\n'):format(
    name, value, unit, extra or ""))
end

local function pair_tcp()
  local srv = assert(socket.bind("127.0.0.1", 0))
  srv:settimeout(0)
  local _, port = srv:getsockname()
  local c = assert(socket.tcp())
  c:settimeout(0)
  c:connect("127.0.0.1", port)
  select(nil, {c}, 5)
  select({srv}, nil, 5)
  local s = assert(srv:accept())
  s:settimeout(0)
  return c, s, srv
end

local function pair_unix(path)
  local unix = require "socket.unix"
  local srv = assert(unix())
  assert(srv:bind(path))
  assert(srv:listen(32))
  srv:settimeout(0)
  local c = assert(unix())
  c:settimeout(0)
  c:connect(path)
  select(nil, {c}, 5)
  select({srv}, nil, 5)
  local s = assert(srv:accept())
  s:settimeout(0)
  return c, s, srv
end

local function send_all(sock, data)
  local i = 1
  while i <= #data do
    local last, err, partial = sock:send(data, i)
    if last then
      i = last + 1
    else
      i = partial + 1
      if err == "timeout" then select(nil, {sock}, 5) else error(err) end
    end
  end
end

local function recv_exactly(sock, n)
  local data, err, partial = sock:receive(n)
  if data then return data end
  local buf = partial
  while true do
    if err ~= "timeout" then error(err) end
    select({sock}, 5)
    data, err, partial = sock:receive(n - #buf)
    if data then return buf .. data end
    buf = buf .. partial
  end
end

local function pingpong(c, s, rounds)
  local msg = string.rep("p", 64)
  local cset, sset = {c}, {s}
  local t0 = now()
  for _ = 1, rounds do
    send_all(c, msg)
    select(sset, nil, 5)
    local got = recv_exactly(s, 64)
    send_all(s, got)
    select(cset, nil, 5)
    recv_exactly(c, 64)
  end
  return rounds / (now() - t0)
end

local run = {}

function run.tcp_pingpong()
  local c, s = pair_tcp()
  emit("tcp_pingpong", pingpong(c, s, math.floor(200000 * scale)), "msgs/s")
end

function run.unix_pingpong()
  local path = os.tmpname()
  os.remove(path)
  local c, s = pair_unix(path)
  emit("unix_pingpong", pingpong(c, s, math.floor(200000 * scale)), "msgs/s")
  os.remove(path)
end

function run.tcp_bulk()
  local c, s = pair_tcp()
  local total = math.floor(1024 * 1024 * 1024 * scale)
  local chunk = string.rep("b", 65536)
  local sent, received = 0, 0
  local rset, wset, none = {s}, {c}, {}
  local t0 = now()
  while received < total do
    local r, w = select(rset, sent < total and wset or none, 5)
    if w[1] then
      local want = math.min(#chunk, total - sent)
      local last, _, partial = c:send(chunk, 1, want)
      sent = sent + (last or partial)
    end
    if r[1] then
      local data, _, partial = s:receive(65536)
      received = received + #(data or partial)
    end
  end
  emit("tcp_bulk", total / 1e6 / (now() - t0), "MB/s")
end

function run.udp_pps()
  local r = assert(socket.udp())
  assert(r:setsockname("127.0.0.1", 0))
  r:settimeout(0)
  local _, port = r:getsockname()
  local w = assert(socket.udp())
  w:settimeout(0)
  local total = math.floor(200000 * scale)
  local msg = string.rep("u", 64)
  local sent, received = 0, 0
  local rset = {r}
  local t0 = now()
  while sent < total do
    for _ = 1, 32 do
      if sent >= total then break end
      if not w:sendto(msg, "127.0.0.1", port) then break end
      sent = sent + 1
    end
    select(rset, nil, 0.1)
    while r:receivefrom(2048) do received = received + 1 end
  end
  local secs = now() - t0
  emit("udp_pps", received / secs, "datagrams/s",
       (',"sent":%d,"lost":%d'):format(sent, sent - received))
end

function run.select_scale()
  for _, n in ipairs {100, 1000, 4000, 10000} do
    local socks = {}
    for i = 1, n do
      local s = socket.udp()
      if not s then break end
      s:setsockname("127.0.0.1", 0)
      s:settimeout(0)
      socks[i] = s
    end
    local ready = socks[n // 2]
    local _, port = ready:getsockname()
    socks[1]:sendto("x", "127.0.0.1", port)
    local rounds = math.max(10, math.floor(2000000 * scale / n))
    local ok, r = pcall(select, socks, nil, 1)
    if not ok or #r ~= 1 then
      local why = ok and ("select returned " .. #r .. " sockets") or tostring(r)
      io.write(('{"impl":"luasocket","workload":"select_scale","n":%d,"error":%q}\n')
        :format(n, why))
    else
      local t0 = now()
      for _ = 1, rounds do
        r = select(socks, nil, 1)
        assert(#r == 1 and r[1] == ready)
      end
      io.write(('{"impl":"luasocket","workload":"select_scale","n":%d,"value":%.3f,"unit":"us/select"}\n')
        :format(n, (now() - t0) * 1e6 / rounds))
    end
    for _, s in ipairs(socks) do s:close() end
  end
end

function run.accept_churn()
  local srv = assert(socket.bind("127.0.0.1", 0, 128))
  srv:settimeout(0)
  local _, port = srv:getsockname()
  local total = math.floor(10000 * scale)
  local lset = {srv}
  local t0 = now()
  for _ = 1, total do
    local c = socket.tcp()
    c:settimeout(0)
    c:connect("127.0.0.1", port)
    select(nil, {c}, 5)
    select(lset, nil, 5)
    local s = assert(srv:accept())
    s:close()
    c:close()
  end
  emit("accept_churn", total / (now() - t0), "connections/s")
end

assert(run[workload], "unknown workload " .. tostring(workload))()
