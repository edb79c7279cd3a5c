-- Runs every example in lua/examples against its counterpart, each bounded by timeout(1).
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local h = require "helpers"
local examples = h.examples
local lua = h.lua

--- Starts a server example; returns its pipe and the port ending its first line.
local function start(cmd) return h.start_example(cmd, "(%d+)%s*$") end
local run = h.run_example

local finish = h.finish

describe("examples", function()
  -- Each pair: what the client sends, and what the server says once it is done.
  local pairs_over_ip = {
    {title = "tcp echo server and client", kind = "tcp", text = "echo me",
     server_says = "client disconnected"},
    {title = "udp server and client", kind = "udp", text = "datagram", server_says = "8 bytes from"},
  }
  for _, v6 in ipairs {"", "6 "} do
    for _, e in ipairs(pairs_over_ip) do
      it(e.title .. (v6 == "" and " over IPv4" or " over IPv6"), function()
        local server, port = start(lua .. " " .. examples .. e.kind .. "_server.lua " .. v6 .. "0 1")
        assert.is_number(port)
        local out, ok = run(lua .. " " .. examples .. e.kind .. "_client.lua " .. v6 .. port ..
                            " '" .. e.text .. "'")
        assert.is_true(ok)
        assert.equals(e.text .. "\n", out)
        local rest, done = finish(server)
        assert.is_true(done)
        assert.matches(e.server_says, rest)
      end)
    end
  end

  for _, addr in ipairs {"path", "abstract"} do
    it("unix server and client over " .. (addr == "path" and "a path" or "an abstract name"),
       function()
      local name
      if addr == "path" then
        name = h.first_line("mktemp -u /tmp/lsock-example-XXXXXX") .. ".sock"
      else
        name = h.abstract_name("example")  -- the pid makes it unique: 5.1-5.3 do not seed math.random
      end
      local server, _, first = start(lua .. " " .. examples .. "unix_server.lua " .. name .. " 1")
      assert.equals("listening on " .. name, first)
      local out, ok = run(lua .. " " .. examples .. "unix_client.lua " .. name .. " 'via unix'")
      assert.is_true(ok)
      assert.equals("via unix\n", out)
      local _, done = finish(server)
      assert.is_true(done)
    end)
  end

  it("non-blocking HTTP/1.0 client against a local server", function()
    local server, port = start(lua .. " " .. here .. "/http_test_server.lua 1")
    assert.is_number(port)
    local out, ok = run(lua .. " " .. examples .. "http_client.lua 127.0.0.1 " .. port .. " /hello")
    assert.is_true(ok)
    assert.equals("HTTP/1.0 200 OK\nyou asked for /hello\n", out)
    local _, done = finish(server)
    assert.is_true(done)
  end)
end)
