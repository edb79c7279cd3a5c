-- TCP over 127.0.0.1 and ::1: connect, accept, send, recv, status, close.
local lsocket = require "lsocket"
local h = require "helpers"

local function roundtrip(addr, family)
  local srv, port = h.listener(addr)
  assert.equals(family, srv:info().family)
  local c = assert(lsocket.connect(addr, port))
  h.wait_writable(c)
  assert.is_true(c:status())
  h.wait_readable(srv)
  local s, peer, peer_port = srv:accept()
  assert.equals("userdata", type(s))
  assert.equals(addr, peer)
  assert.equals(c:info("socket").port, peer_port)
  assert.equals(5, c:send("hello"))
  assert.equals("hello", h.recv_all(s, 5))
  assert.equals(5, s:send("world"))
  assert.equals("world", h.recv_all(c, 5))
  local p = c:info("peer")
  assert.same({family = family, addr = addr, port = port}, p)
  c:close(); s:close(); srv:close()
end

describe("tcp", function()
  it("round trips over IPv4", function() roundtrip("127.0.0.1", "inet") end)
  it("round trips over IPv6", function() roundtrip("::1", "inet6") end)

  it("accept returns false when nothing is pending", function()
    local srv = h.listener()
    assert.is_false(srv:accept())
    srv:close()
  end)

  it("accept on a udp or connected socket is an error, not false (known defect 15)", function()
    local u = assert(lsocket.bind("udp", "127.0.0.1", 0))
    local r, msg = u:accept()
    assert.is_nil(r)
    assert.is_string(msg)
    local c, s, srv = h.tcp_pair()
    r, msg = c:accept()
    assert.is_nil(r)
    assert.is_string(msg)
    u:close(); c:close(); s:close(); srv:close()
  end)

  it("recv returns false with no data and nil after the peer closed", function()
    local c, s, srv = h.tcp_pair()
    assert.is_false(s:recv())
    c:close()
    h.wait_readable(s)
    local d, err = s:recv()
    assert.is_nil(d)
    assert.is_nil(err)
    s:close(); srv:close()
  end)

  it("send to a closed peer returns an error without SIGPIPE", function()
    local c, s, srv = h.tcp_pair()
    s:close()
    local got_error = false
    for _ = 1, 200 do
      local n, msg, name = c:send(string.rep("x", 65536))
      if n == nil then
        assert.is_string(msg)
        assert.is_true(name == "EPIPE" or name == "ECONNRESET")
        got_error = true
        break
      end
      lsocket.select(0.005)
    end
    assert.is_true(got_error)
    c:close(); srv:close()
  end)

  it("status() reports a refused connect, and keeps reporting it (known defect 16)", function()
    local srv, port = h.listener()
    srv:close()
    local c = assert(lsocket.connect("127.0.0.1", port))
    h.wait_writable(c)
    local ok, msg, name = c:status()
    assert.is_nil(ok)
    assert.equals("Connection refused", msg)
    assert.equals("ECONNREFUSED", name)
    ok, msg, name = c:status()
    assert.is_nil(ok)
    assert.equals("ECONNREFUSED", name)
    c:close()
  end)

  it("recvfrom on tcp returns the data and the peer (known defect 6)", function()
    local c, s, srv = h.tcp_pair()
    c:send("abc")
    h.wait_readable(s)
    local d, addr, port = s:recvfrom()
    assert.equals("abc", d)
    assert.equals("127.0.0.1", addr)
    assert.equals(c:info("socket").port, port)
    c:close(); s:close(); srv:close()
  end)

  it("recv(size) reads at most size bytes", function()
    local c, s, srv = h.tcp_pair()
    c:send("0123456789")
    h.wait_readable(s)
    assert.equals("0123", s:recv(4))
    assert.equals("456789", h.recv_all(s, 6))
    c:close(); s:close(); srv:close()
  end)

  it("sockets are non-blocking: a large send returns a partial count or false", function()
    local c, s, srv = h.tcp_pair()
    local total, saw_false = 0, false
    for _ = 1, 1000 do
      local n = c:send(string.rep("y", 1 << 20))
      if n == false then saw_false = true break end
      total = total + n
    end
    assert.is_true(saw_false)
    assert.is_true(total > 0)
    c:close(); s:close(); srv:close()
  end)
end)
