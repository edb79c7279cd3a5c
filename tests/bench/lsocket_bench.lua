-- The benchmark workloads on our lsocket: one process drives both ends with lsocket.select
-- and non-blocking calls, the same loop shape as raw.cpp. Prints one JSON line per result.
-- usage: lua5.4 lsocket_bench.lua WORKLOAD [scale]
local lsocket = require "lsocket"
-- Lua has no monotonic wall clock of its own; LuaSocket's gettime() is only used as a clock.
local now = require("socket").gettime

local workload, scale = arg[1], tonumber(arg[2]) or 1
local select = lsocket.select

local function emit(name, value, unit, extra)
  io.write(('{"impl":"lsocket","workload":"%s","value":%.3f,"unit":"%s"%s}\n'):format(
    name, value, unit, extra or ""))
end

local function pair(addr)
  local srv = assert(lsocket.bind(addr, 0))
  local port = srv:info("socket").port
  local c = assert(lsocket.connect(addr, port))
  select(nil, {c}, 5)
  assert(c:status())
  select({srv}, 5)
  local s = assert(srv:accept())
  return c, s, srv
end

local function send_all(sock, data)
  local sent = 0
  while sent < #data do
    local n = sock:send(sent == 0 and data or data:sub(sent + 1))
    if n then sent = sent + n else select(nil, {sock}, 5) end
  end
end

local function recv_exactly(sock, n)
  local data = sock:recv(n)
  while not data or #data < n do
    if data == false then
      select({sock}, 5)
      data = sock:recv(n)
    else
      local more
      repeat
        select({sock}, 5)
        more = sock:recv(n - #data)
      until more
      data = data .. more
    end
  end
  return data
end

local function pingpong(c, s, rounds)
  local msg = string.rep("p", 64)
  local cset, sset = {c}, {s}
  local t0 = now()
  for _ = 1, rounds do
    send_all(c, msg)
    select(sset, 5)
    local got = recv_exactly(s, 64)
    send_all(s, got)
    select(cset, 5)
    recv_exactly(c, 64)
  end
  return rounds / (now() - t0)
end

local run = {}

function run.tcp_pingpong()
  local c, s = pair("127.0.0.1")
  emit("tcp_pingpong", pingpong(c, s, math.floor(200000 * scale)), "msgs/s")
end

function run.unix_pingpong()
  local path = os.tmpname()
  os.remove(path)
  local c, s = pair(path)
  emit("unix_pingpong", pingpong(c, s, math.floor(200000 * scale)), "msgs/s")
  os.remove(path)
end

function run.tcp_bulk()
  local c, s = pair("127.0.0.1")
  local total = math.floor(1024 * 1024 * 1024 * scale)
  local chunk = string.rep("b", 65536)
  local sent, received = 0, 0
  local rset, wset = {s}, {c}
  local t0 = now()
  while received < total do
    local r, w = select(rset, sent < total and wset or {}, 5)
    if w and w[1] then
      local n = c:send(total - sent >= #chunk and chunk or chunk:sub(1, total - sent))
      if n then sent = sent + n end
    end
    if r and r[1] then
      local d = s:recv(65536)
      if d then received = received + #d end
    end
  end
  emit("tcp_bulk", total / 1e6 / (now() - t0), "MB/s")
end

function run.udp_pps()
  local r = assert(lsocket.bind("udp", "127.0.0.1", 0))
  local w = assert(lsocket.bind("udp", "127.0.0.1", 0))
  local port = r:info("socket").port
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
    select(rset, 0.1)
    while r:recvfrom(2048) do received = received + 1 end
  end
  local secs = now() - t0
  emit("udp_pps", received / secs, "datagrams/s",
       (',"sent":%d,"lost":%d'):format(sent, sent - received))
end

function run.select_scale()
  for _, n in ipairs {100, 1000, 4000, 10000} do
    local socks = {}
    for i = 1, n do
      local s, err = lsocket.bind("udp", "127.0.0.1", 0)
      if not s then
        io.write(('{"impl":"lsocket","workload":"select_scale","n":%d,"error":"%s"}\n'):format(n, err))
        for _, x in ipairs(socks) do x:close() end
        return
      end
      socks[i] = s
    end
    local ready = socks[n // 2]
    socks[1]:sendto("x", "127.0.0.1", ready:info("socket").port)
    local rounds = math.max(10, math.floor(2000000 * scale / n))
    local t0 = now()
    for _ = 1, rounds do
      local r = select(socks, 1)
      assert(#r == 1 and r[1] == ready)
    end
    io.write(('{"impl":"lsocket","workload":"select_scale","n":%d,"value":%.3f,"unit":"us/select"}\n')
      :format(n, (now() - t0) * 1e6 / rounds))
    for _, s in ipairs(socks) do s:close() end
  end
end

function run.accept_churn()
  local srv = assert(lsocket.bind("127.0.0.1", 0, 128))
  local port = srv:info("socket").port
  local total = math.floor(10000 * scale)
  local lset = {srv}
  local t0 = now()
  for _ = 1, total do
    local c = assert(lsocket.connect("127.0.0.1", port))
    select(nil, {c}, 5)
    select(lset, 5)
    local s = assert(srv:accept())
    s:close()
    c:close()
  end
  emit("accept_churn", total / (now() - t0), "connections/s")
end

assert(run[workload], "unknown workload " .. tostring(workload))()
