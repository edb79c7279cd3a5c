-- async_resolver without DNS: IP literals and localhost (answered from /etc/hosts), the request
-- methods, argument checks, and a request in lsocket.select beside a socket. The lookups that
-- go to a DNS server are in async_resolver_dns_spec.lua, run inside tests/netns/run-with-dns.sh.
local aresolve = require "async_resolver"
local lsocket = require "lsocket"
local h = require "helpers"

--- Waits (bounded) for the request's answer with select.
local function wait_done(rq, seconds)
  local r = lsocket.select({rq}, seconds or 5)
  assert(r, "the request did not finish in time")
  return r
end

describe("async_resolver", function()
  it("is a function that returns a request", function()
    assert.equals("function", type(aresolve))
    local rq = assert(aresolve("127.0.0.1"))
    assert.equals("userdata", type(rq))
    assert.matches("^async_resolver.request: ", tostring(rq))
  end)

  it("answers a literal at once, and finalizes once", function()
    local rq = assert(aresolve("::1"))
    assert.is_true(rq:poll())
    assert.is_true(rq:getfd() >= 0)
    assert.same({{family = "inet6", addr = "::1"}}, rq:finalize())
    assert.equals(-1, rq:getfd())
    local r, msg = rq:finalize()
    assert.is_nil(r)
    assert.matches("already finalized", msg)
    local p, pmsg = rq:poll()
    assert.is_nil(p)
    assert.matches("already finalized", pmsg)
  end)

  it("gives what lsocket.resolve gives, family choice included", function()
    for _, fam in ipairs({false, "inet", "inet6"}) do
      local rq = assert(aresolve("localhost", fam or nil))
      wait_done(rq)
      assert.is_true(rq:poll())
      local got, msg = rq:finalize()
      local want, wmsg = lsocket.resolve("localhost", fam or nil)
      assert.same(want, got)
      assert.equals(wmsg, msg)
    end
  end)

  it("cancels: true, again true, and the request is unusable", function()
    local rq = assert(aresolve("127.0.0.1"))
    assert.is_true(rq:cancel())
    assert.is_true(rq:cancel())
    assert.equals(-1, rq:getfd())
    local r, msg, name = rq:finalize()
    assert.is_nil(r)
    assert.matches("cancelled", msg)
    assert.equals("ECANCELED", name)
    assert.is_nil((rq:poll()))
  end)

  it("reports bad names as nil, msg and bad arguments as errors", function()
    local r, msg, name = aresolve("")
    assert.is_nil(r)
    assert.is_string(msg)
    assert.equals("EAI_NONAME", name)
    assert.is_nil((aresolve("a\0b")))
    assert.has_error(function() aresolve() end)
    assert.has_error(function() aresolve({}) end)
    assert.has_error(function() aresolve("localhost", "unix") end)
    local rq = assert(aresolve("127.0.0.1"))
    assert.has_error(function() rq.poll(nil) end)
    assert.has_error(function() rq.finalize(lsocket.bind("udp", "127.0.0.1", 0)) end)
  end)

  it("sits in select's read table beside sockets", function()
    local listener = h.listener()
    local rq = assert(aresolve("127.0.0.1"))
    local ready = lsocket.select({listener, rq}, 2)
    assert.same({rq}, ready)
    assert.same({{family = "inet", addr = "127.0.0.1"}}, rq:finalize())
    -- Finalized: its descriptor is gone, and select skips it like a closed socket.
    assert.is_false(lsocket.select({rq, listener}, 0.05))
    listener:close()
  end)

  it("rejects other userdata and tables in select", function()
    assert.has_error(function() lsocket.select({io.stdout}, 0) end)
    assert.has_error(function() lsocket.select({{}}, 0) end)
  end)

end)
