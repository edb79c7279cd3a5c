-- Shared helpers for the lsocket specs: loopback pairs, bounded waits, fd counting.
local lsocket = require "lsocket"

local M = {}

--- The interpreter running this suite (ctest sets LSOCK_LUA), for the scripts a test starts.
M.lua = os.getenv("LSOCK_LUA") or "lua5.4"

--- table.unpack; plain unpack on Lua 5.1 and LuaJIT.
M.unpack = table.unpack or unpack

--- An object whose finalizer calls `f`. Lua 5.1 and LuaJIT run __gc only for userdata, so
--- there it is a newproxy.
function M.on_collect(f)
  if newproxy then
    local p = newproxy(true)
    getmetatable(p).__gc = f
    return p
  end
  return setmetatable({}, {__gc = f})
end

--- Starts `cmd` (stdout and stderr on one pipe) so that its exit status can be read on every
--- Lua: close() on a pipe does not return it on 5.1 and LuaJIT, so the shell appends it.
function M.spawn(cmd)
  return assert(io.popen("(" .. cmd .. ") 2>&1; echo \"<exit $?>\"", "r"))
end

--- Reads what is left of a spawned command's output: the output, and true if it exited with 0.
function M.finish(p)
  local out = p:read("*a")
  p:close()
  local body, code = out:match("^(.*)<exit (%d+)>\n$")
  return body or out, code == "0"
end

--- Number of open sockets of this process. Collects garbage first, so sockets dropped
--- earlier cannot close in the middle of a measurement. Only sockets are counted: the pipe
--- io.popen itself opens comes and goes while `ls` runs.
function M.fd_count()
  collectgarbage()
  collectgarbage()
  local p = io.popen("ls -l /proc/" .. M.pid() .. "/fd")
  local n = 0
  for line in p:lines() do
    if line:find("socket:", 1, true) then n = n + 1 end
  end
  p:close()
  return n
end

--- This process's pid (from /proc/self/stat, read by the process itself).
function M.pid()
  if not M._pid then
    local f = assert(io.open("/proc/self/stat"))
    M._pid = f:read("*l"):match("^(%d+)")
    f:close()
  end
  return M._pid
end

--- Waits (bounded) until `sock` is readable; fails the test if it never is.
function M.wait_readable(sock, seconds)
  local r = lsocket.select({sock}, seconds or 2)
  assert(r, "socket did not become readable in time")
  return r
end

function M.wait_writable(sock, seconds)
  local _, w = lsocket.select(nil, {sock}, seconds or 2)
  assert(w, "socket did not become writable in time")
  return w
end

--- A listening tcp socket on `addr` (default 127.0.0.1), port 0, and its real port.
function M.listener(addr)
  local srv = assert(lsocket.bind("tcp", addr or "127.0.0.1", 0))
  return srv, srv:info("socket").port
end

--- A connected tcp pair over loopback: client, server-side socket, listener.
function M.tcp_pair(addr)
  local srv, port = M.listener(addr)
  local c = assert(lsocket.connect("tcp", addr or "127.0.0.1", port))
  M.wait_writable(c)
  assert(c:status())
  M.wait_readable(srv)
  local s = assert(srv:accept())
  return c, s, srv
end

--- Receives until `n` bytes arrived (bounded).
function M.recv_all(sock, n)
  local parts, got = {}, 0
  local deadline = os.time() + 5
  while got < n and os.time() <= deadline do
    M.wait_readable(sock)
    local d = sock:recv()
    assert(d, "connection closed early")
    if d then parts[#parts + 1] = d; got = got + #d end
  end
  return table.concat(parts)
end

--- The first line a shell command prints (nil if none).
function M.first_line(cmd)
  local p = io.popen(cmd)
  local line = p:read("*l")
  p:close()
  return line
end

--- A fresh temporary directory.
function M.tmpdir()
  return M.first_line("mktemp -d")
end

--- The directory of lua/examples/.
M.examples = (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".") .. "/../../lua/examples/"

--- Starts a server example (bounded by timeout 20); returns its pipe, the port its first line
--- names (captured by `port_pattern`) and that line.
function M.start_example(cmd, port_pattern)
  local p = M.spawn("timeout 20 " .. cmd)
  local first = p:read("*l") or ""
  return p, tonumber(first:match(port_pattern)), first
end

--- Runs a client example (bounded by timeout 10): its output, and true if it exited with 0.
function M.run_example(cmd) return M.finish(M.spawn("timeout 10 " .. cmd)) end

--- An abstract socket name unique to this run.
function M.abstract_name(tag)
  return "@lsock-test-" .. tag .. "-" .. M.pid() .. "-" .. tostring(math.random(1, 1e9))
end

return M
