-- lsocket.connect to a name with several addresses races them inside lsocket.select (RFC 8305)
-- and never blocks. Runs inside tests/netns/run-with-dns.sh, whose /etc/hosts has
-- both.lsock.test = 127.0.0.1 and ::1 (no DNS is ever asked).
assert(os.getenv("LSOCK_SILENT_DNS") == "1",
       "run this spec only inside tests/netns/run-with-dns.sh: it must never reach a real resolver")

local lsocket = require "lsocket"
local h = require "helpers"

local have_ipv6 = lsocket.bind("tcp", "::1", 0) ~= nil

--- Connects to both.lsock.test:port and waits with select until the race is over.
local function connect_both(port)
  local c = assert(lsocket.connect("tcp", "both.lsock.test", port))
  local fd = c:getfd()
  h.wait_writable(c, 2)
  return c, fd
end

describe("a connect to a name with two addresses", function()
  if not have_ipv6 then
    pending("no IPv6 loopback here: the race needs ::1 and 127.0.0.1")
    return
  end

  for _, case in ipairs {{"127.0.0.1", "inet"}, {"::1", "inet6"}} do
    local where, family = case[1], case[2]
    it("reaches a server on " .. where .. " only, on the socket's own descriptor", function()
      local srv, port = h.listener(where)
      local c, fd = connect_both(port)
      assert.is_true(c:status())
      assert.are.equal(fd, c:getfd())
      assert.are.equal(family, c:info("socket").family)
      h.wait_readable(srv)
      local s = assert(srv:accept())
      assert(c:send("hi"))
      assert.are.equal("hi", h.recv_all(s, 2))
      c:close(); s:close(); srv:close()
    end)
  end

  it("keeps its place in select's tables while the race runs", function()
    local srv, port = h.listener("127.0.0.1")
    local c = assert(lsocket.connect("tcp", "both.lsock.test", port))
    local idle = assert(lsocket.bind("udp", "127.0.0.1", 0))
    local _, w = lsocket.select(nil, {idle, c, idle}, 2)
    assert(w)
    -- the udp socket is writable at once; c is listed only once its race is over
    local saw_c = false
    for _, s in ipairs(w) do if s == c then saw_c = true end end
    if not saw_c then h.wait_writable(c, 2) end
    assert.is_true(c:status())
    c:close(); idle:close(); srv:close()
  end)

  it("reports an error from status() only when every address refused", function()
    local srv, port = h.listener("127.0.0.1")
    srv:close()  -- nobody listens on this port now, on either address
    local c = assert(lsocket.connect("tcp", "both.lsock.test", port))
    h.wait_writable(c, 2)
    local ok, err = c:status()
    assert.is_nil(ok)
    assert.matches("refused", err)
    c:close()
  end)
end)
