-- The benchmark workloads on our lsocket: one process drives both ends with lsocket.select and
-- non-blocking calls, in the same loop shape as raw.cpp. Prints one JSON line per result.
-- usage: lua5.4 lsocket_bench.lua WORKLOAD [scale]
local lsocket = require "lsocket"
-- Lua has no wall clock finer than a second; LuaSocket's gettime() (gettimeofday) is used only
-- as a clock, outside the timed loops.
local now = require("socket").gettime

local workload, scale = arg[1], tonumber(arg[2]) or 1
local select = lsocket.select
local WAIT = 5 -- seconds: every wait gives up after this long, so a stuck run fails

local function scaled(full) return math.max(1, math.floor(full * scale)) end

-- A JSON string literal.
local function jstr(s)
  return '"' .. tostring(s):gsub('[%c"\\]', function(ch)
    return ch == '"' and '\\"' or ch == "\\" and "\\\\" or ("\\u%04x"):format(ch:byte())
  end) .. '"'
end

local function emit(name, value, unit, extra)
  io.write(('{"impl":"lsocket","workload":"%s","value":%.3f,"unit":"%s"%s}\n'):format(
    name, value, unit, extra or ""))
  io.flush()
end

-- select that fails loudly on a timeout or an error instead of spinning.
local function wait(r, w)
  local rr, ww = select(r, w, WAIT)
  if not rr then error("select: " .. tostring(ww or "timed out"), 2) end
  return rr, ww
end

local function pair(srv, addr, port)
  local c = assert(lsocket.connect(addr, port))
  wait(nil, {c})
  assert(c:status())
  wait({srv})
  local s = assert(srv:accept())
  return c, s
end

local function send_all(sock, data)
  local sent = 0
  while sent < #data do
    local n, err = sock:send(sent == 0 and data or data:sub(sent + 1))
    if n then
      sent = sent + n
    elseif n == false then
      wait(nil, {sock})
    else
      error("send: " .. tostring(err))
    end
  end
end

local function recv_exactly(sock, n)
  local data, err = sock:recv(n)
  while not data or #data < n do
    if data == nil then error("recv: " .. tostring(err or "closed")) end
    if data == false then
      wait({sock})
      data, err = sock:recv(n)
    else
      local more
      repeat
        wait({sock})
        more, err = sock:recv(n - #data)
        if more == nil then error("recv: " .. tostring(err or "closed")) end
      until more
      data = data .. more
    end
  end
  return data
end

local function pingpong(c, s, rounds)
  local msg = string.rep("p", 64)
  local cset, sset = {c}, {s}
  local got
  local t0 = now()
  for _ = 1, rounds do
    send_all(c, msg)
    wait(sset)
    send_all(s, recv_exactly(s, 64))
    wait(cset)
    got = recv_exactly(c, 64)
  end
  local rate = rounds / (now() - t0)
  assert(got == msg, "echo differs")
  return rate
end

local run = {}

function run.tcp_pingpong()
  local srv = assert(lsocket.bind("127.0.0.1", 0))
  local c, s = pair(srv, "127.0.0.1", srv:info("socket").port)
  local rounds = scaled(200000)
  emit("tcp_pingpong", pingpong(c, s, rounds), "msgs/s", ',"count":' .. rounds)
end

function run.unix_pingpong()
  local path = os.tmpname()
  os.remove(path)
  local srv = assert(lsocket.bind(path))
  local c, s = pair(srv, path)
  local rounds = scaled(200000)
  local rate = pingpong(c, s, rounds)
  os.remove(path)
  emit("unix_pingpong", rate, "msgs/s", ',"count":' .. rounds)
end

function run.tcp_bulk()
  local srv = assert(lsocket.bind("127.0.0.1", 0))
  local c, s = pair(srv, "127.0.0.1", srv:info("socket").port)
  local total = scaled(1024 * 1024 * 1024)
  local chunk = string.rep("b", 65536)
  local sent, received = 0, 0
  local rset, wset, none = {s}, {c}, {}
  local t0 = now()
  while received < total do
    local r, w = wait(rset, sent < total and wset or none)
    if w[1] then
      local n = c:send(total - sent >= #chunk and chunk or chunk:sub(1, total - sent))
      if n then sent = sent + n end
    end
    if r[1] then
      local d = s:recv(65536)
      if d then received = received + #d end
    end
  end
  emit("tcp_bulk", total / 1e6 / (now() - t0), "MB/s", ',"bytes":' .. total)
end

function run.udp_pps()
  local r = assert(lsocket.bind("udp", "127.0.0.1", 0))
  local w = assert(lsocket.bind("udp", "127.0.0.1", 0))
  local port = r:info("socket").port
  local total = scaled(500000)
  local msg = string.rep("u", 64)
  local sent, received = 0, 0
  local rset = {r}
  local t0 = now()
  while sent < total do
    for _ = 1, 32 do
      if sent >= total then break end
      local n, err = w:sendto(msg, "127.0.0.1", port)
      if not n then
        if n == nil then error("sendto: " .. tostring(err)) end
        break
      end
      sent = sent + 1
    end
    select(rset, 0.1)
    while r:recvfrom(2048) do received = received + 1 end
  end
  local secs = now() - t0
  emit("udp_pps", received / secs, "datagrams/s",
       (',"sent":%d,"lost":%d'):format(sent, sent - received))
end

-- N idle sockets (both ends of N/2 connected TCP pairs) + 1 ready socket (one end of one more
-- pair, holding an unread byte): µs per select.
function run.select_scale()
  local srv = assert(lsocket.bind("127.0.0.1", 0, 128))
  local port = srv:info("socket").port
  for _, n in ipairs {100, 1000, 4000, 10000} do
    local socks, ready, rc = {}, nil, nil
    local ok, err = pcall(function()
      for _ = 1, n // 2 do
        local c, s = pair(srv, "127.0.0.1", port)
        socks[#socks + 1] = c
        socks[#socks + 1] = s
      end
      rc, ready = pair(srv, "127.0.0.1", port)
      send_all(rc, "x")
      table.insert(socks, #socks // 2 + 1, ready)
      wait({ready})
    end)
    if not ok then
      io.write(('{"impl":"lsocket","workload":"select_scale","n":%d,"error":%s}\n'):format(n,
        jstr("set-up: " .. tostring(err))))
      return
    end
    local rounds = math.max(10, math.floor(2000000 * scale / n))
    local t0 = now()
    for _ = 1, rounds do
      local r = wait(socks)
      if #r ~= 1 or r[1] ~= ready then error("select: wrong sockets ready") end
    end
    io.write(('{"impl":"lsocket","workload":"select_scale","n":%d,"value":%.3f,'
      .. '"unit":"us/select","rounds":%d}\n'):format(n, (now() - t0) * 1e6 / rounds, rounds))
    io.flush()
    for _, s in ipairs(socks) do s:close() end
    rc:close()
  end
end

function run.accept_churn()
  local srv = assert(lsocket.bind("127.0.0.1", 0, 128))
  local port = srv:info("socket").port
  local total = scaled(20000)
  local lset = {srv}
  local t0 = now()
  for _ = 1, total do
    local c = assert(lsocket.connect("127.0.0.1", port))
    wait(nil, {c})
    wait(lset)
    local s = assert(srv:accept())
    s:close() -- the accepted side first, as raw.cpp: TIME_WAIT stays on the listener's port
    c:close()
  end
  emit("accept_churn", total / (now() - t0), "connections/s", ',"count":' .. total)
end

assert(run[workload], "unknown workload " .. tostring(workload))()
