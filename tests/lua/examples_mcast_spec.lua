-- The multicast/broadcast examples; ctest runs this file in a private network namespace.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local examples = here .. "/../../lua/examples/"
local lua = "lua5.4"

local function start(cmd)
  local p = assert(io.popen("timeout 20 " .. cmd .. " 2>&1", "r"))
  local first = p:read("l") or ""
  return p, tonumber(first:match("port (%d+)")), first
end

local function run(cmd)
  local p = assert(io.popen("timeout 10 " .. cmd .. " 2>&1", "r"))
  local out = p:read("a")
  return out, p:close()
end

describe("multicast examples", function()
  for _, case in ipairs {
    {name = "IPv4 group", args = ""},
    {name = "IPv6 group", args = "6 "},
  } do
    it(case.name, function()
      local recv, port = start(lua .. " " .. examples .. "mcast_receiver.lua " .. case.args .. "0 1")
      assert.is_number(port)
      local out, ok = run(lua .. " " .. examples .. "mcast_sender.lua " .. case.args .. port .. " hi")
      assert.is_true(ok)
      assert.matches("sent 2 bytes", out)
      local rest = recv:read("a")
      assert.is_true(recv:close())
      assert.matches("^hi from ", rest)
    end)
  end

  it("IPv4 broadcast", function()
    local recv, port = start(lua .. " " .. examples .. "mcast_receiver.lua 0 1 255.255.255.255")
    assert.is_number(port)
    local _, ok = run(lua .. " " .. examples .. "mcast_sender.lua " .. port .. " bc 255.255.255.255")
    assert.is_true(ok)
    local rest = recv:read("a")
    assert.is_true(recv:close())
    assert.matches("^bc from ", rest)
  end)
end)
