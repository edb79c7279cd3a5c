-- Soak: 100,000 sockets, half closed explicitly and half left to the garbage collector, and
-- 100,000 send/recv cycles; descriptors and memory must end where they started.
local lsocket = require "lsocket"
local h = require "helpers"

local function rss_kib()
  local f = assert(io.open("/proc/self/statm"))
  local _, resident = f:read("*n", "*n")
  f:close()
  return resident * 4
end

local function report(what, cycles, fds0, rss0, lua0)
  collectgarbage()
  collectgarbage()
  local fds1, rss1, lua1 = h.fd_count(), rss_kib(), collectgarbage("count")
  print(("[soak] lua %s: %d cycles; sockets %d -> %d; rss %d KiB -> %d KiB; lua heap %.0f KiB -> %.0f KiB")
    :format(what, cycles, fds0, fds1, rss0, rss1, lua0, lua1))
  assert.equals(fds0, fds1)
  assert.is_true(lua1 - lua0 < 1024, "Lua heap grew")
  if not os.getenv("LD_PRELOAD") then -- ASan's quarantine makes RSS grow by design
    assert.is_true(rss1 - rss0 < 8192, "RSS grew by " .. (rss1 - rss0) .. " KiB")
  end
end

describe("soak", function()
  it("100,000 sockets opened, half closed, half left to the GC", function()
    local fds0, rss0, lua0 = h.fd_count(), rss_kib(), collectgarbage("count")
    local n = 100000
    for i = 1, n do
      local s = assert(lsocket.bind("udp", "127.0.0.1", 0))
      if i % 2 == 0 then s:close() end
    end
    report("open/close+gc", n, fds0, rss0, lua0)
  end)

  it("100,000 send/recv cycles", function()
    local c, s, srv = h.tcp_pair()
    local fds0, rss0, lua0 = h.fd_count(), rss_kib(), collectgarbage("count")
    local msg = string.rep("s", 64)
    local n = 100000
    for _ = 1, n do
      assert(c:send(msg) == 64)
      local got = s:recv(64)
      while not got do lsocket.select({s}, 1); got = s:recv(64) end
      assert(#got == 64)
    end
    report("send/recv", n, fds0, rss0, lua0)
    c:close(); s:close(); srv:close()
  end)
end)
