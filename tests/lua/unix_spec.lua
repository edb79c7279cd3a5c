-- Unix-domain sockets: file-system paths and Linux abstract names.
local lsocket = require "lsocket"
local h = require "helpers"

local function stream_roundtrip(addr)
  local srv = assert(lsocket.bind(addr))
  assert.equals("unix", srv:info().family)
  local c = assert(lsocket.connect(addr))
  h.wait_writable(c)
  assert.is_true(c:status())
  h.wait_readable(srv)
  local s, peer, port = srv:accept()
  assert.equals("userdata", type(s))
  assert.is_nil(peer)  -- README: addr and port are nil for unix sockets
  assert.is_nil(port)
  c:send("over unix")
  assert.equals("over unix", h.recv_all(s, 9))
  s:send("back")
  assert.equals("back", h.recv_all(c, 4))
  return srv, c, s
end

describe("unix sockets", function()
  it("round trip over a path", function()
    local dir = h.tmpdir()
    local path = dir .. "/s.sock"
    local srv, c, s = stream_roundtrip(path)
    assert.same({family = "unix", addr = path}, srv:info("socket"))
    assert.same({family = "unix", addr = path}, c:info("peer"))
    srv:close(); c:close(); s:close()
    os.remove(path); os.remove(dir)
  end)

  it("round trip over an abstract name, read back with its '@' (not \"\")", function()
    local name = h.abstract_name("stream")
    local srv, c, s = stream_roundtrip(name)
    assert.same({family = "unix", addr = name}, srv:info("socket"))
    assert.same({family = "unix", addr = name}, c:info("peer"))
    srv:close(); c:close(); s:close()
  end)

  it("datagrams over a path, replying to the sender's path", function()
    local dir = h.tmpdir()
    local a = assert(lsocket.bind("udp", dir .. "/a"))
    local b = assert(lsocket.bind("udp", dir .. "/b"))
    assert.equals(3, a:sendto("one", dir .. "/b"))
    h.wait_readable(b)
    local d, from, port = b:recvfrom()
    assert.equals("one", d)
    assert.equals(dir .. "/a", from)
    assert.is_nil(port)
    b:sendto("two", from)
    h.wait_readable(a)
    assert.equals("two", a:recv())
    a:close(); b:close()
    os.remove(dir .. "/a"); os.remove(dir .. "/b"); os.remove(dir)
  end)

  it("an abstract name is exactly as long as written", function()
    local name = h.abstract_name("exact")
    local srv = assert(lsocket.bind(name))
    -- A name that is a prefix plus NUL would differ; the same name connects.
    local c = assert(lsocket.connect(name))
    h.wait_writable(c)
    assert.is_true(c:status())
    local other = lsocket.connect(name .. "x")
    if other then
      h.wait_writable(other)
      assert.is_nil(other:status())
    end
    srv:close(); c:close()
  end)

  it("send to a closed unix peer is an error without SIGPIPE", function()
    local name = h.abstract_name("pipe")
    local srv, c, s = stream_roundtrip(name)
    s:close()
    local n, msg, err
    for _ = 1, 100 do
      n, msg, err = c:send(string.rep("z", 65536))
      if n == nil then break end
      lsocket.select(0.005)
    end
    assert.is_nil(n)
    assert.is_string(msg)
    assert.is_true(err == "EPIPE" or err == "ECONNRESET", err)
    srv:close(); c:close()
  end)

  it("recvfrom on a unix stream gives the data; the unnamed peer has no address", function()
    local name = h.abstract_name("rf")
    local srv, c, s = stream_roundtrip(name)
    c:send("q")
    h.wait_readable(s)
    local d, addr, port = s:recvfrom()
    assert.equals("q", d)
    assert.is_nil(addr)  -- the client socket has no name
    assert.is_nil(port)
    s:send("r")
    h.wait_readable(c)
    d, addr, port = c:recvfrom()
    assert.equals("r", d)
    assert.equals(name, addr)  -- the server's name
    assert.is_nil(port)
    srv:close(); c:close(); s:close()
  end)

  it("unix datagrams: zero length is \"\", truncation is flagged", function()
    local name = h.abstract_name("dg")
    local srv = assert(lsocket.bind("udp", name))
    assert.equals("udp", srv:info().type)
    local c = assert(lsocket.connect("udp", name))
    assert.equals(0, c:send(""))
    h.wait_readable(srv)
    assert.equals("", srv:recv())
    c:send("0123456789")
    h.wait_readable(srv)
    local d, addr, port, t = srv:recvfrom(4)
    assert.equals("0123", d)
    assert.is_nil(addr)  -- unnamed sender
    assert.is_nil(port)
    assert.is_true(t)
    srv:close(); c:close()
  end)

  it("binding an existing path is EADDRINUSE", function()
    local dir = h.tmpdir()
    local path = dir .. "/busy.sock"
    local a = assert(lsocket.bind(path))
    local b, msg, name = lsocket.bind(path)
    assert.is_nil(b)
    assert.is_string(msg)
    assert.equals("EADDRINUSE", name)
    a:close()
    os.remove(path); os.remove(dir)
  end)

  it("mcast is not available for unix sockets", function()
    local s, msg = lsocket.bind("mcast", h.abstract_name("mc"))
    assert.is_nil(s)
    assert.matches("unix", msg)
  end)

  it("a too-long path is an error", function()
    local s, msg = lsocket.connect("/tmp/" .. string.rep("p", 120))
    assert.is_nil(s)
    assert.equals("unix domain path too long", msg)
  end)
end)
