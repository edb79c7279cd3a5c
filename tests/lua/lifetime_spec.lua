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

  it("a <close> variable closes its socket when the scope is left by an error", function()
    local before = h.fd_count()
    local ok = pcall(function()
      local s <close> = assert(lsocket.bind("127.0.0.1", 0))
      assert(s:getfd() >= 0)
      error("leaving the scope")
    end)
    assert.is_false(ok)
    assert.equals(before, h.fd_count())
  end)

  it("a <close> variable that holds a socket closed early is fine", function()
    do
      local s <close> = assert(lsocket.bind("udp", "127.0.0.1", 0))
      assert.is_true(s:close())
    end
    do
      local s <close> = lsocket.bind("/nonexistent-dir-lsock/x")  -- nil: nothing to close
      assert.is_nil(s)
    end
  end)

  it("accepted and connected sockets are closed by the collector too", function()
    local before = h.fd_count()
    do
      local c, s, srv = h.tcp_pair()
      assert.equals(before + 3, h.fd_count())
      c, s, srv = nil, nil, nil
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

  it("a closed socket: close and setfd(-1) say true, getfd says -1", function()
    local s = assert(lsocket.bind("udp", "127.0.0.1", 0))
    assert.is_true(s:close())
    assert.is_true(s:close())
    assert.equals(-1, s:getfd())
    assert.is_true(s:setfd(-1))
    assert.matches("^socket: 0x%x+$", tostring(s))
  end)

  it("a socket whose descriptor was given away behaves as closed", function()
    local srv, port = h.listener()
    local fd = srv:getfd()
    assert.is_true(srv:setfd(-1))
    local r, msg, name = srv:accept()
    assert.is_nil(r)
    assert.equals("socket is closed", msg)
    assert.equals("EBADF", name)
    assert.is_true(srv:close())  -- does not close the descriptor it no longer owns
    -- The descriptor is still open and listening: a connect to the port succeeds.
    local c = assert(lsocket.connect("127.0.0.1", port))
    h.wait_writable(c)
    assert.is_true(c:status())
    c:close()
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
      function() return s:recv(10) end, function() return s:recvfrom(10) end,
    } do
      local r, msg, name = call()
      assert.is_nil(r)
      assert.equals("socket is closed", msg)
      assert.equals("EBADF", name)
    end
  end)

  it("accept on a closed listening socket is an error, not a crash (known defect 1)", function()
    local srv = h.listener()
    srv:close()
    local r, msg, name = srv:accept()
    assert.is_nil(r)
    assert.equals("socket is closed", msg)
    assert.equals("EBADF", name)
  end)

  it("tostring looks like lsocket's", function()
    local s = assert(lsocket.bind(0))
    assert.matches("^socket: 0x%x+$", tostring(s))
    s:close()
  end)
end)
