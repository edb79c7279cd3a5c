-- The multicast/broadcast examples; ctest runs this file in a private network namespace.
local h = require "helpers"
local examples = h.examples
local lua = h.lua

local function start(cmd) return h.start_example(cmd, "port (%d+)") end
local run = h.run_example

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
      local rest, done = h.finish(recv)
      assert.is_true(done)
      assert.matches("^hi from ", rest)
    end)
  end

  it("IPv4 broadcast", function()
    local recv, port = start(lua .. " " .. examples .. "mcast_receiver.lua 0 1 255.255.255.255")
    assert.is_number(port)
    local _, ok = run(lua .. " " .. examples .. "mcast_sender.lua " .. port .. " bc 255.255.255.255")
    assert.is_true(ok)
    local rest, done = h.finish(recv)
    assert.is_true(done)
    assert.matches("^bc from ", rest)
  end)
end)
