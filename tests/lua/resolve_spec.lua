-- lsocket.resolve and lsocket.getinterfaces.
local lsocket = require "lsocket"
local h = require "helpers"

describe("resolve", function()
  it("resolves localhost to loopback addresses without duplicates", function()
    local list = assert(lsocket.resolve("localhost"))
    assert.is_true(#list >= 1)
    local seen = {}
    for _, r in ipairs(list) do
      assert.is_true(r.family == "inet" or r.family == "inet6")
      assert.is_nil(seen[r.addr], "duplicate " .. r.addr)
      seen[r.addr] = true
    end
    assert.is_true(seen["127.0.0.1"] or seen["::1"])
  end)

  it("returns IP literals as they are", function()
    assert.same({{family = "inet", addr = "127.0.0.1"}}, lsocket.resolve("127.0.0.1"))
    assert.same({{family = "inet6", addr = "::1"}}, lsocket.resolve("::1"))
  end)

  it("can be restricted to a family", function()
    for _, r in ipairs(assert(lsocket.resolve("localhost", "inet"))) do
      assert.equals("inet", r.family)
    end
  end)

  it("treats hex-only names as names, not addresses (the original never looked them up)", function()
    local r, msg, name = lsocket.resolve("cafe")
    if r then
      for _, a in ipairs(r) do assert.not_equals("cafe", a.addr) end
    else
      assert.is_string(msg)
      assert.matches("^EAI_", name)
    end
  end)

  it("fails cleanly and without leaking on bad names", function()
    local before = h.fd_count()
    -- Few rounds: each one may wait for an unreachable resolver.
    for _ = 1, 3 do
      local r, msg = lsocket.resolve("no-such-host.invalid")
      assert.is_nil(r)
      assert.is_string(msg)
    end
    assert.is_nil((lsocket.resolve("")))
    assert.equals(before, h.fd_count())
  end)
end)

describe("getinterfaces", function()
  it("lists lo with 127.0.0.1/8", function()
    local found = false
    for _, i in ipairs(assert(lsocket.getinterfaces())) do
      assert.is_string(i.name)
      assert.is_true(i.family == "inet" or i.family == "inet6")
      assert.is_string(i.addr)
      if i.name == "lo" and i.addr == "127.0.0.1" then
        found = true
        assert.equals("255.0.0.0", i.mask)
        assert.equals(8, i.prefixlen)
        assert.is_true(i.flags.up)
        assert.is_true(i.flags.loopback)
        assert.is_true(i.index > 0)
      end
    end
    assert.is_true(found)
  end)

  it("can be called many times", function()
    for _ = 1, 500 do assert(lsocket.getinterfaces()) end
  end)
end)
