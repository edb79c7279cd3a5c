-- IPv6 interface-local (ff01::/16) and link-local (ff02::/16) groups without an iface.
-- ctest runs this file in the multicast namespace of tests/netns/run-in-netns.sh (only lo),
-- and the #veth tests in one that also has the veth pair v0/v1, whose multicast routes make
-- three candidates for a link-local group.
local lsocket = require "lsocket"
local h = require "helpers"

--- One datagram from `s` to `r`; returns what arrived and its sender.
local function deliver(s, r, text)
  assert.equals(#text, s:send(text))
  h.wait_readable(r)
  local data, from, port = r:recvfrom()
  assert.equals(text, data)
  return from, port
end

--- Binds a receiver to `group` (checking the address it reports, when `reported` is given),
--- delivers `text` to it from a socket connected to the group, and closes both.
local function group_roundtrip(group, reported, text)
  local r = assert(lsocket.bind("mcast", group, 0))
  if reported then assert.equals(reported, r:info("socket").addr) end
  local s = assert(lsocket.connect("mcast", group, r:info("socket").port))
  deliver(s, r, text)
  s:close(); r:close()
end

describe("interface-local and link-local groups", function()
  -- The calls of the original distribution's IPv6 sample pair (testsrv_mcast.lua and
  -- testclt_mcast.lua with argument 6, group ff01::1), on a port read back, not 8000.
  it("the IPv6 sample pair's calls work unchanged on ff01::1", function()
    local srv = assert(lsocket.bind("mcast", "ff01::1", 0))
    local port = srv:info("socket").port
    assert.is_true(port > 0)
    local clt = assert(lsocket.connect("mcast", "ff01::1", port))
    local from, fport = deliver(clt, srv, "hello from the client")
    assert.is_string(from)
    assert.equals(clt:info("socket").port, fport)
    clt:close(); srv:close()
  end)

  it("a link-local group uses the one interface its routes lead to", function()
    group_roundtrip("ff02::1:7", "ff02::1:7%lo", "link")
  end)

  it("a scoped literal names its interface #veth", function()
    group_roundtrip("ff02::1:9%v0", nil, "zone")
  end)

  it("interface-local groups stay on the loopback beside other links #veth", function()
    group_roundtrip("ff01::1", "ff01::1%lo", "local")
  end)

  it("with several candidate interfaces a link-local group needs {iface = ...} #veth", function()
    local before = h.fd_count()
    local s, msg, name = lsocket.bind("mcast", "ff02::1:8", 0)
    assert.is_nil(s)
    assert.matches("needs an interface", msg)
    assert.matches("v0", msg)
    assert.equals("EDESTADDRREQ", name)
    local c, cmsg = lsocket.connect("mcast", "ff02::1:8", 9)
    assert.is_nil(c)
    assert.matches("needs an interface", cmsg)
    assert.equals(before, h.fd_count())
    -- Naming it is enough.
    local opts = {iface = "v0"}
    local r = assert(lsocket.bind("mcast", "ff02::1:8", 0, opts))
    local w = assert(lsocket.connect("mcast", "ff02::1:8", r:info("socket").port, 1, opts))
    deliver(w, r, "named")
    w:close(); r:close()
  end)
end)
