-- async_resolver against glibc's real resolver, inside tests/netns/run-with-dns.sh: names in
-- the namespace's /etc/hosts (*.lsock.test) have answers; every other name goes to a DNS
-- server on 127.0.0.1 that never answers (resolver timeout LSOCK_DNS_TIMEOUT seconds).
assert(os.getenv("LSOCK_SILENT_DNS") == "1",
       "run this spec only inside tests/netns/run-with-dns.sh: it must never reach a real resolver")

local aresolve = require "async_resolver"
local lsocket = require "lsocket"
local h = require "helpers"

local dns_timeout = tonumber(os.getenv("LSOCK_DNS_TIMEOUT") or "10")

--- Threads of this process, from /proc/self/status.
local function threads()
  local f = assert(io.open("/proc/self/status"))
  local n = f:read("*a"):match("\nThreads:%s*(%d+)")
  f:close()
  return tonumber(n)
end

--- Descriptors of this process other than pipes (io.popen's own pipe comes and goes); with
--- `only`, those whose target contains it ("eventfd": the requests' own descriptors, not the
--- sockets glibc's resolver holds open while a lookup runs).
local function fds(only)
  collectgarbage()
  collectgarbage()
  local p = io.popen("ls -l /proc/" .. h.pid() .. "/fd")
  local n = 0
  for line in p:lines() do
    if line:find(" -> ", 1, true) and not line:find("pipe:", 1, true) and
        (not only or line:find(only, 1, true)) then
      n = n + 1
    end
  end
  p:close()
  return n
end

--- Waits (bounded) until `cond()` holds; returns whether it did.
local function eventually(cond, seconds)
  local deadline = os.time() + seconds
  while os.time() <= deadline do
    if cond() then return true end
    lsocket.select(0.05)
  end
  return cond()
end

local silent_count = 0
--- A name that only the silent DNS server is asked about.
local function silent_name()
  silent_count = silent_count + 1
  return "silent" .. silent_count .. ".example"
end

describe("async_resolver with a DNS server that never answers", function()
  it("answers names from the namespace's /etc/hosts, de-duplicated like lsocket.resolve", function()
    for _, name in ipairs({"v4.lsock.test", "v6.lsock.test", "both.lsock.test", "twice.lsock.test"}) do
      local rq = assert(aresolve(name))
      assert(lsocket.select({rq}, 5), name .. " did not resolve")
      assert.is_true(rq:poll())
      local got = assert(rq:finalize())
      assert.same(assert(lsocket.resolve(name)), got)
    end
    local rq = assert(aresolve("twice.lsock.test"))
    assert(lsocket.select({rq}, 5))
    assert.same({{family = "inet", addr = "127.0.0.2"}, {family = "inet", addr = "127.0.0.3"}},
                rq:finalize())
  end)

  it("stays pending while the server is silent, without blocking the caller", function()
    local t0 = os.clock()
    local rq = assert(aresolve(silent_name()))
    assert.is_true(os.clock() - t0 < 0.1)
    assert.is_false(rq:poll())
    assert.is_false(lsocket.select({rq}, 1))
    assert.is_false(rq:poll())
    local r, msg, name = rq:finalize()
    assert.is_nil(r)
    assert.matches("pending", msg)
    assert.equals("EAGAIN", name)
    assert.is_true(rq:cancel())
  end)

  it("lets one select wait for a socket and a pending request", function()
    local a = assert(lsocket.bind("udp", "127.0.0.1", 0))
    local b = assert(lsocket.connect("udp", "127.0.0.1", a:info("socket").port))
    local rq = assert(aresolve(silent_name()))
    assert.is_false(lsocket.select({a, rq}, 0.2))
    assert(b:send("x"))
    assert.same({a}, lsocket.select({rq, a}, 2))
    assert.is_false(rq:poll())
    rq:cancel()
    a:close()
    b:close()
  end)

  it("ends with the resolver's error when the resolver gives up", function()
    local rq = assert(aresolve(silent_name()))
    assert(lsocket.select({rq}, dns_timeout + 5), "the resolver never gave up")
    assert.is_true(rq:poll())
    local r, msg, name = rq:finalize()
    assert.is_nil(r)
    assert.is_string(msg)
    assert.matches("^EAI_", name)
  end)

  it("cancels a pending lookup at once, descriptor released", function()
    local before = fds("eventfd")
    local rq = assert(aresolve(silent_name()))
    assert.equals(before + 1, fds("eventfd"))
    assert.is_true(rq:cancel())
    assert.equals(-1, rq:getfd())
    assert.equals(before, fds("eventfd"))
    assert.is_nil((rq:poll()))
  end)

  it("releases 10,000 dropped unfinished requests: no descriptor or thread is left", function()
    -- Lookups of the tests above may still be running: let the resolver end them first.
    eventually(function() return fds("socket") == 0 end, dns_timeout + 2)
    local fds_before, events_before, threads_before = fds(), fds("eventfd"), threads()
    local most = threads_before
    for i = 1, 10000 do
      local rq = assert(aresolve(silent_name()))
      assert.is_false(rq:poll())
      if i % 500 == 0 then
        collectgarbage()
        most = math.max(most, threads())
      end
    end
    collectgarbage()
    collectgarbage()
    -- The requests' descriptors go with the collection; threads never exceed the pool's bound.
    assert.equals(events_before, fds("eventfd"))
    assert.is_true(most <= threads_before + 8, "threads: " .. most .. " from " .. threads_before)
    -- The lookups that had started end when the resolver gives up; then the idle workers end.
    assert.is_true(eventually(function() return threads() <= threads_before end, dns_timeout + 5),
                   "threads left: " .. threads() .. ", before " .. threads_before)
    -- And with them the resolver's sockets: every descriptor is back as it was.
    assert.equals(fds_before, fds())
  end)
end)
