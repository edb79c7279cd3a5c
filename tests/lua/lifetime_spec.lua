-- Socket lifetime: close, <close>, garbage collection, getfd/setfd, closed-socket behaviour.
local lsocket = require "lsocket"
local h = require "helpers"

describe("socket lifetime", function()
  it("close is idempotent and closes the descriptor", function()
    local before = h.fd_count()
    local s = assert(lsocket.bind("127.0.0.1", 0))
    assert.equals(before + 1, h.fd_count())
    assert.is_true(s:close())
    assert.is_true(s:close())
    assert.equals(before, h.fd_count())
    assert.equals(-1, s:getfd())
  end)

  it("a <close> variable closes its socket at the end of the scope (known defect 20)", function()
    local before = h.fd_count()
    local fd
    do
      local s <close> = assert(lsocket.bind("127.0.0.1", 0))
      fd = s:getfd()
      assert.is_true(fd >= 0)
      assert.equals(before + 1, h.fd_count())
    end
    assert.equals(before, h.fd_count())
  end)

  it("garbage-collected sockets release their descriptors", function()
    collectgarbage()
    local before = h.fd_count()
    for _ = 1, 2000 do
      lsocket.bind("udp", "127.0.0.1", 0)
    end
    collectgarbage()
    collectgarbage()
    assert.equals(before, h.fd_count())
  end)

  it("failed binds leave no descriptor behind (known defect 19)", function()
    local a, port = h.listener()
    collectgarbage()
    local before = h.fd_count()
    for _ = 1, 100 do
      assert.is_nil(lsocket.bind("127.0.0.1", port))
    end
    assert.equals(before, h.fd_count())
    a:close()
  end)

  it("setfd(-1) forgets the descriptor without closing it", function()
    local s = assert(lsocket.bind("127.0.0.1", 0))
    local fd = s:getfd()
    local before = h.fd_count()
    local ok, msg = s:setfd(5)
    assert.is_nil(ok)
    assert.is_string(msg)
    assert.is_true(s:setfd(-1))
    assert.equals(-1, s:getfd())
    s = nil
    collectgarbage()
    assert.equals(before, h.fd_count()) -- still open: nobody closed fd
    assert.is_true(fd >= 0)
  end)

  it("every method of a closed socket returns nil and a message", function()
    local s = assert(lsocket.bind("udp", "127.0.0.1", 0))
    s:close()
    for _, call in ipairs {
      function() return s:info() end, function() return s:info("socket") end,
      function() return s:info("peer") end, function() return s:status() end,
      function() return s:accept() end, function() return s:recv() end,
      function() return s:recvfrom() end, function() return s:send("x") end,
      function() return s:sendto("x", "127.0.0.1", 9) end,
    } do
      local r, msg, name = call()
      assert.is_nil(r)
      assert.equals("socket is closed", msg)
      assert.equals("EBADF", name)
    end
  end)

  it("tostring looks like lsocket's", function()
    local s = assert(lsocket.bind(0))
    assert.matches("^socket: 0x%x+$", tostring(s))
    s:close()
  end)
end)
