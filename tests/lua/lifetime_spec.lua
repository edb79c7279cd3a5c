-- Socket lifetime: close, garbage collection, getfd/setfd, closed-socket behaviour (every Lua;
-- to-be-closed variables, a Lua 5.4 feature, are in close_spec.lua).
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

  it("failed binds leave no descriptor behind, not even until collected", function()
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

  it("every method of a closed socket but info() returns nil and a message", function()
    local s = assert(lsocket.bind("udp", "127.0.0.1", 0))
    s:close()
    for _, call in ipairs {
      function() return s:info("socket") end,
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

  it("info() on a closed socket is its table with fd = -1, as the original's", function()
    for _, case in ipairs {
      {{"udp", "127.0.0.1", 0}, {fd = -1, family = "inet", type = "udp", listening = true,
                                 multicast = false}},
      {{"tcp", "::1", 0}, {fd = -1, family = "inet6", type = "tcp", listening = true,
                           multicast = false}},
    } do
      local s = assert(lsocket.bind((table.unpack or unpack)(case[1])))
      local open = s:info()
      assert.is_true(open.fd >= 0)
      s:close()
      assert.same(case[2], s:info())
      assert.same(case[2], s:info(nil))
      assert.equals(-1, s:info().fd)  -- indexing the result keeps working
      -- The endpoint forms have nothing to report: nil and the message.
      assert.same({nil, "socket is closed", "EBADF"}, {s:info("peer")})
      assert.same({nil, "socket is closed", "EBADF"}, {s:info("socket")})
      -- A bad option is still a bad argument.
      assert.has_error(function() s:info("bogus") end)
    end
  end)

  it("info() after setfd(-1) says fd = -1 too", function()
    local s = assert(lsocket.bind("udp", "127.0.0.1", 0))
    assert.is_true(s:setfd(-1))  -- the descriptor stays open until the process exits
    assert.same({fd = -1, family = "inet", type = "udp", listening = true, multicast = false},
                s:info())
  end)

  it("accept on a closed listening socket is an error, not a crash", function()
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
