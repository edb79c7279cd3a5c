-- The module table, constants, argument forms and bad arguments.
local lsocket = require "lsocket"
local h = require "helpers"

describe("lsocket module", function()
  it("runs under the interpreter ctest chose", function()
    local run = os.getenv("LSOCK_LUA_RUN") or "lua5.4"
    if run:find("^luajit") then
      assert.equals("Lua 5.1", _VERSION)
      assert.matches("^LuaJIT 2%.1", jit.version)
    else
      assert.equals("Lua " .. run:match("^lua(5%.%d)$"), _VERSION)
      assert.is_nil(rawget(_G, "jit"))
    end
  end)

  it("has the README's constants", function()
    assert.equals("0.0.0.0", lsocket.INADDR_ANY)
    assert.equals("::0", lsocket.IN6ADDR_ANY)
    assert.is_string(lsocket._VERSION)
    assert.matches("^%d+%.%d+", lsocket._VERSION)
  end)

  it("registers its socket metatable under its own name (not \"socket\")", function()
    local s = assert(lsocket.bind("udp", "127.0.0.1", 0))
    local reg = debug.getregistry()
    assert.equals(reg["lsocket.socket"], getmetatable(s))
    assert.equals("lsocket.socket", getmetatable(s).__name)
    assert.is_nil(reg["socket"])
    for _, m in ipairs {"info", "status", "getfd", "setfd", "accept", "recv", "recvfrom", "send",
                        "sendto", "close"} do
      assert.is_function(s[m], m)
    end
    assert.is_function(getmetatable(s).__gc)
    -- __close only where to-be-closed variables exist (Lua 5.4; close_spec.lua tests them).
    if _VERSION == "Lua 5.4" then
      assert.is_function(getmetatable(s).__close)
    else
      assert.is_nil(getmetatable(s).__close)
    end
    s:close()
  end)

  it("has every documented function", function()
    for _, f in ipairs {"bind", "connect", "select", "resolve", "getinterfaces"} do
      assert.is_function(lsocket[f], f)
    end
  end)
end)

describe("bind argument forms", function()
  it("bind(port) binds tcp on INADDR_ANY", function()
    local s = assert(lsocket.bind(0))
    local i = s:info()
    assert.equals("tcp", i.type)
    assert.equals("inet", i.family)
    assert.is_true(i.listening)
    assert.equals("0.0.0.0", s:info("socket").addr)
    s:close()
  end)

  it("bind(type, port), bind(addr, port), bind(type, addr, port, backlog)", function()
    local u = assert(lsocket.bind("udp", 0))
    assert.equals("udp", u:info().type)
    local t = assert(lsocket.bind("127.0.0.1", 0))
    assert.equals("127.0.0.1", t:info("socket").addr)
    local b = assert(lsocket.bind("tcp", "127.0.0.1", 0, 64))
    assert.is_true(b:info().listening)
    local upper = assert(lsocket.bind("UDP", "127.0.0.1", 0))
    assert.equals("udp", upper:info().type)
    for _, s in ipairs {u, t, b, upper} do s:close() end
  end)

  it("listening is true for every socket made by bind, udp included", function()
    local u = assert(lsocket.bind("udp", "127.0.0.1", 0))
    assert.is_true(u:info().listening)
    local c = assert(lsocket.connect("udp", "127.0.0.1", u:info("socket").port))
    assert.is_false(c:info().listening)
    u:close(); c:close()
  end)

  it("accepts an options table as last argument", function()
    local s = assert(lsocket.bind("tcp", "localhost", 0, {family = "inet", backlog = 16}))
    assert.equals("inet", s:info().family)
    s:close()
    s = assert(lsocket.bind("udp", "127.0.0.1", 0, 5, {family = "inet"}))  -- after the backlog
    s:close()
  end)

  it("options family = 'inet6' picks the IPv6 address of a name", function()
    local six = lsocket.resolve("localhost", "inet6")
    if not six or #six == 0 then
      -- No IPv6 address for the name here: forcing inet6 must then fail, not fall back to IPv4.
      local s, msg, name = lsocket.bind("tcp", "localhost", 0, {family = "inet6"})
      assert.is_nil(s)
      assert.is_string(msg)
      assert.matches("^EAI_", name)
      return
    end
    local s = assert(lsocket.bind("tcp", "localhost", 0, {family = "inet6"}))
    assert.equals("inet6", s:info().family)
    local c = assert(lsocket.connect("tcp", "localhost", s:info("socket").port, {family = "inet6"}))
    assert.equals("inet6", c:info().family)
    c:close(); s:close()
  end)

  it("a unix address takes an options table right after it (no port needed)", function()
    local name = h.abstract_name("opts")
    local s = assert(lsocket.bind(name, {backlog = 1}))
    assert.equals(name, s:info("socket").addr)
    local c = assert(lsocket.connect(name, {}))
    c:close(); s:close()
  end)

  it("port 0.0 and other floats with an integer value are ports", function()
    local s = assert(lsocket.bind("udp", "127.0.0.1", 0.0))
    assert.is_true(s:info("socket").port > 0)
    s:close()
  end)
end)

describe("connect argument forms", function()
  it("connect(address, port), connect(type, address, port), connect(type, address, port, ttl)",
     function()
    local srv, port = h.listener()
    local a = assert(lsocket.connect("127.0.0.1", port))
    local b = assert(lsocket.connect("TCP", "127.0.0.1", port))
    assert.equals("tcp", b:info().type)
    local u = assert(lsocket.connect("udp", "127.0.0.1", port, 3))
    assert.equals("udp", u:info().type)
    assert.is_false(u:info().listening)
    assert.is_false(u:info().multicast)
    a:close(); b:close(); u:close(); srv:close()
  end)
end)

describe("bad arguments", function()
  local function bad(pattern, f, ...)
    local ok, err = pcall(f, ...)
    assert.is_false(ok)
    assert.matches(pattern, err)
  end

  it("rejects ports outside 0-65535 instead of wrapping them", function()
    bad("bad argument #2 .*port out of range", lsocket.bind, "127.0.0.1", 65536)
    bad("bad argument #2 .*port out of range", lsocket.bind, "127.0.0.1", 65536 + 80)
    bad("bad argument #2 .*port out of range", lsocket.bind, "127.0.0.1", -1)
    bad("bad argument #3 .*port out of range", lsocket.connect, "tcp", "127.0.0.1", 70000)
  end)

  it("rejects fractional ports and missing ports", function()
    bad("bad argument #2 .*integer representation", lsocket.bind, "127.0.0.1", 80.5)
    bad("bad argument #2 .*number expected, got no value", lsocket.bind, "127.0.0.1")
    bad("bad argument #2 .*number expected, got no value", lsocket.connect, "127.0.0.1")
    bad("bad argument #2 .*number expected, got table", lsocket.connect, "127.0.0.1", {})
  end)

  it("reports a missing port or address the way lsocket's README reads", function()
    bad("bad argument #1 .*number expected, got no value", lsocket.bind)
    bad("bad argument #2 .*number expected, got no value", lsocket.bind, "udp")
    bad("bad argument #1 .*number expected, got nil", lsocket.bind, nil, 0)
    bad("bad argument #1 .*string expected, got no value", lsocket.connect)
    bad("bad argument #2 .*string expected, got no value", lsocket.connect, "udp")
    bad("bad argument #3 .*number expected, got no value", lsocket.connect, "udp", "127.0.0.1")
  end)

  it("checks the options table", function()
    bad("bad argument #3 .*unknown option 'backog'", lsocket.bind, "127.0.0.1", 0, {backog = 1})
    bad("bad argument #3 .*option names must be strings", lsocket.bind, "127.0.0.1", 0, {1})
    bad("bad argument #3 .*option 'family'", lsocket.bind, "127.0.0.1", 0, {family = "ipx"})
    bad("bad argument #3 .*option 'iface' must be a string", lsocket.bind, "127.0.0.1", 0,
        {iface = 1})
    bad("bad argument #3 .*option 'backlog'", lsocket.bind, "127.0.0.1", 0, {backlog = -1})
    bad("bad argument #3 .*option 'backlog'", lsocket.bind, "127.0.0.1", 0, {backlog = "5"})
    bad("bad argument #4 .*option 'ttl'", lsocket.connect, "mcast", "127.0.0.1", 9, {ttl = 256})
    bad("bad argument #5 .*table expected, got number", lsocket.bind, "udp", "127.0.0.1", 0, 5, 7)
    bad("bad argument #2 .*family must be", lsocket.resolve, "localhost", "ipx")
  end)

  it("rejects wrong types", function()
    bad("bad argument #1 .*string expected", lsocket.connect, {})
    bad("bad argument #1 .*string expected", lsocket.resolve, nil)
    bad("bad argument #4 .*backlog out of range", lsocket.bind, "tcp", "127.0.0.1", 0, -1)
    bad("bad argument #4 .*ttl out of range", lsocket.connect, "mcast", "127.0.0.1", 9, 256)
    bad("bad argument #1 .*lsocket.socket expected", lsocket.bind(0).info, "not a socket")
  end)

  it("rejects a bogus info() selector (the original returned nil silently)", function()
    local s = assert(lsocket.bind(0))
    bad("bad argument #2 .*invalid option 'bogus'", s.info, s, "bogus")
    s:close()
  end)

  it("rejects negative, NaN and huge recv sizes", function()
    local c, s, srv = h.tcp_pair()
    bad("bad argument #2 .*size out of range", s.recv, s, -1)
    bad("bad argument #2 .*size out of range", s.recv, s, 0)
    bad("bad argument #2 .*size out of range", s.recv, s, 2 ^ 40)
    bad("bad argument #2 .*size out of range", s.recv, s, 16 * 1024 * 1024 + 1)
    bad("bad argument #2 .*integer representation", s.recv, s, 10.5)
    bad("bad argument #2", s.recvfrom, s, 0 / 0)
    bad("bad argument #2 .*size out of range", s.recvfrom, s, -5)
    assert.is_false(s:recv(16 * 1024 * 1024))  -- the largest size is accepted
    assert.is_false(s:recv(1))
    c:close(); s:close(); srv:close()
  end)

  it("rejects bad ports in sendto", function()
    local s = assert(lsocket.bind("udp", "127.0.0.1", 0))
    -- called through pcall, not with ':', so the socket itself is argument #1
    bad("bad argument #4 .*port out of range", s.sendto, s, "x", "127.0.0.1", 65536)
    bad("bad argument #4 .*integer representation", s.sendto, s, "x", "127.0.0.1", 9.5)
    bad("bad argument #4 .*number expected, got no value", s.sendto, s, "x", "127.0.0.1")
    bad("bad argument #3 .*string expected", s.sendto, s, "x", nil, 9)
    s:close()
  end)

  it("setfd accepts only -1; anything else is nil and a message", function()
    local s = assert(lsocket.bind("udp", "127.0.0.1", 0))
    for _, v in ipairs {0, 1, 5, -2, 2 ^ 40} do
      local ok, msg, name = s:setfd(v)
      assert.is_nil(ok)
      assert.is_string(msg)
      assert.equals("EINVAL", name)
    end
    bad("bad argument #2 .*number expected", s.setfd, s, "x")
    assert.is_true(s:getfd() >= 0)
    s:close()
  end)

  it("names the argument as the caller sees it", function()
    -- Not tail calls: LuaJIT names no function called by one ('?'), whatever the module.
    local ok, err = pcall(function() local r = lsocket.bind("127.0.0.1") return r end)
    assert.is_false(ok)
    assert.matches("bad argument #2 to 'bind' %(number expected, got no value%)", err)
    local s = assert(lsocket.bind("udp", "127.0.0.1", 0))
    ok, err = pcall(function() local r = s:recv(-1) return r end)
    assert.matches("bad argument #1 to 'recv'", err)  -- method call: the socket is not counted
    s:close()
  end)
end)

describe("errors", function()
  it("returns nil, message and the symbolic name", function()
    local s, msg, name = lsocket.bind("/" .. string.rep("x", 200))
    assert.is_nil(s)
    assert.equals("unix domain path too long", msg)
    assert.equals("ENAMETOOLONG", name)
  end)

  it("reports a name that does not resolve", function()
    local s, msg, name = lsocket.connect("tcp", "no-such-host.invalid", 80)
    assert.is_nil(s)
    assert.is_string(msg)
    assert.matches("^EAI_", name)
  end)

  it("reports a refused unix connect with ENOENT", function()
    local s, msg, name = lsocket.connect("/nonexistent-dir-lsock/s.sock")
    assert.is_nil(s)
    assert.equals("No such file or directory", msg)
    assert.equals("ENOENT", name)
  end)

  it("info('peer') of a listening socket is nil, message, ENOTCONN", function()
    local srv = h.listener()
    local r, msg, name = srv:info("peer")
    assert.is_nil(r)
    assert.is_string(msg)
    assert.equals("ENOTCONN", name)
    srv:close()
  end)

  it("reports EADDRINUSE on a second bind of the same port", function()
    local a, port = h.listener()
    local b, msg, name = lsocket.bind("127.0.0.1", port)
    assert.is_nil(b)
    assert.is_string(msg)
    assert.equals("EADDRINUSE", name)
    a:close()
  end)
end)
