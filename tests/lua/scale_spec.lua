-- select past FD_SETSIZE: 10,000 sockets and descriptors above 1024 (the original's fd_set
-- aborted at descriptor 1024).
-- ctest runs this file with the soft descriptor limit raised; it skips visibly if it cannot.
local lsocket = require "lsocket"
local h = require "helpers"

local function fd_limit() return tonumber(h.first_line("sh -c 'ulimit -n'")) end

describe("select at scale", function()
  local N = 10000
  if (fd_limit() or 0) < N + 100 then
    pending("descriptor limit below " .. (N + 100) .. ": cannot open " .. N .. " sockets here")
    return
  end

  it("waits on 10,000 sockets, including descriptors above 1024", function()
    local socks = {}
    for i = 1, N do
      socks[i] = assert(lsocket.bind("udp", "127.0.0.1", 0))
    end
    assert.is_true(socks[N]:getfd() > 1024)
    assert.is_false(lsocket.select(socks, 0))
    -- Make one high and one low socket readable; exactly those come back, in table order.
    local sender = assert(lsocket.bind("udp", "127.0.0.1", 0))
    sender:sendto("hi", "127.0.0.1", socks[N]:info("socket").port)
    sender:sendto("hi", "127.0.0.1", socks[3]:info("socket").port)
    local ready
    for _ = 1, 50 do
      ready = lsocket.select(socks, 1)
      if ready and #ready == 2 then break end
    end
    assert.same({socks[3], socks[N]}, ready)
    local _, w = lsocket.select(nil, socks, 0)
    assert.equals(N, #w)
    for i = 1, N do socks[i]:close() end
    sender:close()
  end)

  it("accept works on a listening descriptor above 1024", function()
    local filler = {}
    for i = 1, 1100 do filler[i] = assert(lsocket.bind("udp", "127.0.0.1", 0)) end
    local srv, port = h.listener()
    assert.is_true(srv:getfd() > 1024)
    assert.is_false(srv:accept())
    local c = assert(lsocket.connect("127.0.0.1", port))
    h.wait_readable(srv)
    assert.equals("userdata", type((srv:accept())))
    c:close(); srv:close()
    for i = 1, #filler do filler[i]:close() end
  end)
end)
