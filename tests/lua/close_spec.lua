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
