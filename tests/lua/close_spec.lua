-- To-be-closed variables (`local s <close>`): a Lua 5.4 feature (a syntax error before 5.4), so
-- this file runs under Lua 5.4 only; on older Luas ctest reports it as skipped.
local lsocket = require "lsocket"
local h = require "helpers"

describe("<close> on Lua 5.4", function()
  it("a <close> variable closes its socket at the end of the scope", function()
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

  it("the socket metatable has __close", function()
    local s = assert(lsocket.bind("udp", "127.0.0.1", 0))
    assert.is_function(getmetatable(s).__close)
    getmetatable(s).__close(s)
    assert.equals(-1, s:getfd())
  end)
end)

describe("<close> on an async_resolver request (Lua 5.4)", function()
  local aresolve = require "async_resolver"
  it("supports <close>", function()
    local fd
    do
      local rq <close> = assert(aresolve("127.0.0.1"))
      fd = rq:getfd()
      assert.is_true(fd >= 0)
    end
    -- The descriptor was released at the end of the block, before any collection.
    local f = io.open("/proc/self/fd/" .. fd)
    if f then
      f:close()
      -- The number may already be reused by something else; it must then not be an eventfd.
      local p = io.popen("readlink /proc/" .. h.pid() .. "/fd/" .. fd)
      local target = p:read("*l") or ""
      p:close()
      assert.is_nil(target:find("eventfd", 1, true))
    end
  end)
end)
