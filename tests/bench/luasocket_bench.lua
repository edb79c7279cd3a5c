-- The benchmark workloads on LuaSocket (Debian's lua-socket), in its own idioms: settimeout(0),
-- socket.select, receive(n) returning the partial data on "timeout", partial sends resumed with
-- send(data, i, j). One process drives both ends, in the same loop shape as raw.cpp.
-- Prints one JSON line per result.
-- usage: lua5.4 luasocket_bench.lua WORKLOAD [scale]
local socket = require "socket"
local now = socket.gettime
local select = socket.select

local workload, scale = arg[1], tonumber(arg[2]) or 1
local WAIT = 5 -- seconds: every wait gives up after this long, so a stuck run fails

local function scaled(full) return math.max(1, math.floor(full * scale)) end

-- A JSON string literal.
local function jstr(s)
  return '"' .. tostring(s):gsub('[%c"\\]', function(ch)
    return ch == '"' and '\\"' or ch == "\\" and "\\\\" or ("\\u%04x"):format(ch:byte())
  end) .. '"'
end

local function emit(name, value, unit, extra)
  io.write(('{"impl":"luasocket","workload":"%s","value":%.3f,"unit":"%s"%s}\n'):format(
    name, value, unit, extra or ""))
  io.flush()
end

-- socket.select that fails loudly on a timeout or an error instead of spinning.
local function wait(r, w)
  local rr, ww, err = select(r, w, WAIT)
  if err then error("select: " .. err, 2) end
  return rr, ww
end

-- `peer` = {new = socket constructor, address arguments of connect...}.
local function connect_pair(srv, peer)
  local c = assert(peer.new())
  c:settimeout(0)
  c:connect(table.unpack(peer, 1, peer.n))
  wait(nil, {c})
  wait({srv})
  local s = assert(srv:accept())
  s:settimeout(0)
  return c, s
end

local function tcp_listener(backlog)
  local srv = assert(socket.bind("127.0.0.1", 0, backlog))
  srv:settimeout(0)
  local _, port = srv:getsockname()
  return srv, {new = socket.tcp, n = 2, "127.0.0.1", tonumber(port)}
end

local function send_all(sock, data)
  local i = 1
  while i <= #data do
    local last, err, partial = sock:send(data, i)
    if last then
      i = last + 1
    elseif err == "timeout" then
      i = partial + 1
      wait(nil, {sock})
    else
      error("send: " .. err)
    end
  end
end

local function recv_exactly(sock, n)
  local data, err, partial = sock:receive(n)
  if data then return data end
  local buf = partial
  while true do
    if err ~= "timeout" then error("receive: " .. err) end
    wait({sock})
    data, err, partial = sock:receive(n - #buf)
    if data then return buf .. data end
    buf = buf .. partial
  end
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
  local c, s = connect_pair(tcp_listener(5))
  local rounds = scaled(200000)
  emit("tcp_pingpong", pingpong(c, s, rounds), "msgs/s", ',"count":' .. rounds)
end

function run.unix_pingpong()
  local unix = require "socket.unix"
  local path = os.tmpname()
  os.remove(path)
  local srv = assert(unix())
  assert(srv:bind(path))
  assert(srv:listen(5))
  srv:settimeout(0)
  local c, s = connect_pair(srv, {new = unix, n = 1, path})
  local rounds = scaled(200000)
  local rate = pingpong(c, s, rounds)
  os.remove(path)
  emit("unix_pingpong", rate, "msgs/s", ',"count":' .. rounds)
end

function run.tcp_bulk()
  local c, s = connect_pair(tcp_listener(5))
  local total = scaled(1024 * 1024 * 1024)
  local chunk = string.rep("b", 65536)
  local sent, received = 0, 0
  local rset, wset, none = {s}, {c}, {}
  local t0 = now()
  while received < total do
    local r, w = wait(rset, sent < total and wset or none)
    if w[1] then
      local last, _, partial = c:send(chunk, 1, math.min(#chunk, total - sent))
      sent = sent + (last or partial)
    end
    if r[1] then
      local data, _, partial = s:receive(65536)
      received = received + #(data or partial)
    end
  end
  emit("tcp_bulk", total / 1e6 / (now() - t0), "MB/s", ',"bytes":' .. total)
end

function run.udp_pps()
  local r = assert(socket.udp())
  assert(r:setsockname("127.0.0.1", 0))
  r:settimeout(0)
  local _, port = r:getsockname()
  port = tonumber(port)
  local w = assert(socket.udp())
  assert(w:setsockname("127.0.0.1", 0))
  w:settimeout(0)
  local total = scaled(500000)
  local msg = string.rep("u", 64)
  local sent, received = 0, 0
  local rset = {r}
  local t0 = now()
  while sent < total do
    for _ = 1, 32 do
      if sent >= total then break end
      local ok, err = w:sendto(msg, "127.0.0.1", port)
      if not ok then
        if err ~= "timeout" then error("sendto: " .. tostring(err)) end
        break
      end
      sent = sent + 1
    end
    select(rset, nil, 0.1)
    while r:receivefrom(2048) do received = received + 1 end
  end
  local secs = now() - t0
  emit("udp_pps", received / secs, "datagrams/s",
       (',"sent":%d,"lost":%d'):format(sent, sent - received))
end

-- N idle sockets (both ends of N/2 connected TCP pairs) + 1 ready socket (one end of one more
-- pair, holding an unread byte): µs per select. socket.select builds an fd_set, so it stops at
-- the first descriptor >= FD_SETSIZE (1024); that is recorded as this N's error.
function run.select_scale()
  local srv, peer = tcp_listener(128)
  for _, n in ipairs {100, 1000, 4000, 10000} do
    local socks, ready, rc = {}, nil, nil
    local ok, err = pcall(function()
      for _ = 1, n // 2 do
        local c, s = connect_pair(srv, peer)
        socks[#socks + 1] = c
        socks[#socks + 1] = s
      end
      rc, ready = connect_pair(srv, peer)
      send_all(rc, "x")
      table.insert(socks, #socks // 2 + 1, ready)
      wait({ready})
    end)
    local rounds = math.max(10, math.floor(2000000 * scale / n))
    if ok then
      ok, err = pcall(function()
        local t0 = now()
        for _ = 1, rounds do
          local r = wait(socks)
          if #r ~= 1 or r[1] ~= ready then error("select: wrong sockets ready") end
        end
        return (now() - t0) * 1e6 / rounds
      end)
    end
    if ok then
      io.write(('{"impl":"luasocket","workload":"select_scale","n":%d,"value":%.3f,'
        .. '"unit":"us/select","rounds":%d}\n'):format(n, err, rounds))
    else
      err = tostring(err):gsub("^.-:%d+: ", ""):gsub("^select: ", "")
      if err:find("descriptor too large for set size", 1, true) then
        err = ("socket.select: descriptor too large for set size (it takes fds below "
          .. "FD_SETSIZE = %d only)"):format(socket._SETSIZE or 1024)
      end
      io.write(('{"impl":"luasocket","workload":"select_scale","n":%d,"error":%s}\n'):format(n,
        jstr(err)))
    end
    io.flush()
    for _, s in ipairs(socks) do s:close() end
    if rc then rc:close() end
  end
end

function run.accept_churn()
  local srv, peer = tcp_listener(128)
  local total = scaled(20000)
  local lset = {srv}
  local t0 = now()
  for _ = 1, total do
    local c = socket.tcp()
    c:settimeout(0)
    c:connect(table.unpack(peer, 1, peer.n))
    wait(nil, {c})
    wait(lset)
    local s = assert(srv:accept())
    s:close() -- the accepted side first, as raw.cpp: TIME_WAIT stays on the listener's port
    c:close()
  end
  emit("accept_churn", total / (now() - t0), "connections/s", ',"count":' .. total)
end

assert(run[workload], "unknown workload " .. tostring(workload))()
