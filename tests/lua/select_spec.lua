-- lsocket.select: every argument form and return convention of the README.
local lsocket = require "lsocket"
local h = require "helpers"

local function now_ms() return tonumber(h.first_line("date +%s%3N")) end

describe("select", function()
  it("returns the read table with the ready sockets", function()
    local c, s, srv = h.tcp_pair()
    c:send("x")
    local r = lsocket.select({srv, s}, 2)
    assert.same({s}, r)
    c:close(); s:close(); srv:close()
  end)

  it("returns two tables when both are given", function()
    local c, s, srv = h.tcp_pair()
    local r, w = lsocket.select({s}, {c}, 2)
    assert.same({}, r)
    assert.same({c}, w)
    c:close(); s:close(); srv:close()
  end)

  it("returns an empty first table when read is nil", function()
    local c, s, srv = h.tcp_pair()
    local r, w = lsocket.select(nil, {c})
    assert.same({}, r)
    assert.same({c}, w)
    c:close(); s:close(); srv:close()
  end)

  it("accepts select(read, nil, timeout) (the original rejected it)", function()
    local srv = h.listener()
    assert.is_false(lsocket.select({srv}, nil, 0.01))
    srv:close()
  end)

  it("returns false on timeout, and select(0) does not block", function()
    local srv = h.listener()
    assert.is_false(lsocket.select({srv}, 0))
    local t0 = now_ms()
    assert.is_false(lsocket.select({srv}, 0.2))
    local elapsed = now_ms() - t0
    assert.is_true(elapsed >= 190, "returned after " .. elapsed .. " ms")
    srv:close()
  end)

  it("select(timeout) sleeps", function()
    local t0 = now_ms()
    assert.is_false(lsocket.select(0.15))
    assert.is_true(now_ms() - t0 >= 140)
  end)

  it("is an error with no open sockets and no timeout", function()
    local srv = h.listener()
    srv:close()
    local ok, msg = lsocket.select({srv})
    assert.is_nil(ok)
    assert.equals("no open sockets to check and no timeout set", msg)
    ok = lsocket.select()
    assert.is_nil(ok)
  end)

  it("ignores closed sockets", function()
    local c, s, srv = h.tcp_pair()
    local dead = h.listener()
    dead:close()
    c:send("x")
    assert.same({s}, lsocket.select({dead, s}, 2))
    c:close(); s:close(); srv:close()
  end)

  it("reads tables by their length, not up to the first nil (as the original did)", function()
    local c, s, srv = h.tcp_pair()
    c:send("x")
    local t = {srv, srv, s}
    local r = lsocket.select(t, 2)
    assert.same({s}, r)
    c:close(); s:close(); srv:close()
  end)

  it("skips nil holes inside a table's length", function()
    local c, s, srv = h.tcp_pair()
    c:send("x")
    local t = {srv, nil, s}
    assert.equals(3, #t)
    local r = lsocket.select(t, 2)
    assert.equals(1, #r)
    assert.is_true(rawequal(s, r[1]))
    c:close(); s:close(); srv:close()
  end)

  it("returns the very socket objects it was given", function()
    local c, s, srv = h.tcp_pair()
    local r, w = lsocket.select({srv}, {c, s}, 2)
    assert.same({}, r)
    assert.equals(2, #w)
    assert.is_true(rawequal(c, w[1]))
    assert.is_true(rawequal(s, w[2]))
    c:close(); s:close(); srv:close()
  end)

  it("times out with empty tables, and with no tables at all", function()
    assert.is_false(lsocket.select({}, 0))
    assert.is_false(lsocket.select({}, {}, 0.01))
    assert.is_false(lsocket.select(nil, nil, 0))
    assert.is_false(lsocket.select(nil, 0))
    assert.is_false(lsocket.select(0))
  end)

  it("math.huge means no timeout", function()
    local c, s, srv = h.tcp_pair()
    local _, w = lsocket.select(nil, {c}, math.huge)
    assert.same({c}, w)
    c:close(); s:close(); srv:close()
  end)

  it("rejects tables with things that are not sockets", function()
    local srv = h.listener()
    local bad = {1, "x", {}, io.stdout, print, true}
    for _, v in ipairs(bad) do
      local ok, err = pcall(lsocket.select, {srv, v}, 0)
      assert.is_false(ok)
      assert.matches("bad argument #1 .*tables can only contain sockets", err)
      ok, err = pcall(lsocket.select, {srv}, {v}, 0)
      assert.is_false(ok)
      assert.matches("bad argument #2 .*tables can only contain sockets", err)
    end
    srv:close()
  end)

  it("rejects arguments that are neither tables nor a timeout", function()
    assert.has_error(function() lsocket.select("x") end)
    assert.has_error(function() lsocket.select({}, {}, 1, 2) end)
    assert.has_error(function() lsocket.select({}, {}, "1x") end)
  end)

  it("works when a finalizer calls select during a select", function()
    local a = assert(lsocket.bind("udp", "127.0.0.1", 0))
    local b = assert(lsocket.bind("udp", "127.0.0.1", 0))
    a:sendto("x", "127.0.0.1", b:info("socket").port)
    local nested = 0
    for _ = 1, 100 do
      for _ = 1, 50 do
        h.on_collect(function()
          nested = nested + 1
          lsocket.select({a}, {a}, 0)
        end)
      end
      local r, w = lsocket.select({a, b}, {a, b}, 1)
      assert.equals(1, #r)
      assert.is_true(rawequal(b, r[1]))
      assert.equals(2, #w)
    end
    collectgarbage()
    assert.is_true(nested > 0)
    a:close(); b:close()
  end)

  it("returns many ready sockets in table order, also while finalizers call select", function()
    -- More ready entries than select's result tables are made for up front (8): those are
    -- pushed on the other path, where growing the tables may run finalizers.
    local socks = {}
    for i = 1, 12 do socks[i] = assert(lsocket.bind("udp", "127.0.0.1", 0)) end
    for _, s in ipairs(socks) do s:sendto("x", "127.0.0.1", s:info("socket").port) end
    local other = socks[1]
    local nested = 0
    for _ = 1, 50 do
      for _ = 1, 50 do
        h.on_collect(function()
          nested = nested + 1
          lsocket.select({other}, {other}, 0)
        end)
      end
      local r, w = lsocket.select(socks, socks, 1)
      assert.equals(12, #r)
      assert.equals(12, #w)
      for i = 1, 12 do
        assert.is_true(rawequal(socks[i], r[i]))
        assert.is_true(rawequal(socks[i], w[i]))
      end
      local r2 = lsocket.select({socks[5], socks[6]}, 1)
      assert.equals(2, #r2)
    end
    collectgarbage()
    assert.is_true(nested > 0)
    for _, s in ipairs(socks) do s:close() end
  end)

  it("rejects NaN timeouts", function()
    assert.has_error(function() lsocket.select({}, 0 / 0) end, nil)
    assert.error_matches(function() lsocket.select({}, 0 / 0) end, "timeout is NaN")
    assert.error_matches(function() lsocket.select(0 / 0) end, "timeout is NaN")
    assert.error_matches(function() lsocket.select(nil, nil, 0 / 0) end, "timeout is NaN")
  end)

  it("a negative timeout waits forever, as the original's", function()
    local a = assert(lsocket.bind("udp", "127.0.0.1", 0))
    local b = assert(lsocket.bind("udp", "127.0.0.1", 0))
    local port = b:info("socket").port
    for _, t in ipairs {-1, -0.5, -math.huge} do
      a:sendto("x", "127.0.0.1", port)
      local r = lsocket.select({b}, t)  -- returns at once: b is readable
      assert.same({b}, r)
      assert.equals("x", b:recv())
    end
    -- Waiting for nothing, forever, is an error rather than a hang.
    local r, msg = lsocket.select({}, -1)
    assert.is_nil(r)
    assert.matches("no open sockets", msg)
    a:close(); b:close()
  end)

  it("a negative timeout waits until a socket is ready, not just a moment", function()
    -- A child process sends after 0.3 s; select(-1) must still be waiting then.
    local b = assert(lsocket.bind("udp", "127.0.0.1", 0))
    local port = b:info("socket").port
    -- Should the child fail, bash sends "child failed" instead: the select never hangs.
    local child = h.spawn(h.lua .. [[ -e "
      local ls = require 'lsocket'
      ls.select(0.3)
      assert(ls.connect('udp', '127.0.0.1', ]] .. port .. [[)):send('late')" ||
      bash -c 'printf "child failed" >/dev/udp/127.0.0.1/]] .. port .. [['
    ]])
    assert.same({b}, lsocket.select({b}, -1))  -- a select that did not wait would see nothing
    assert.equals("late", b:recv())
    assert.same({"", true}, {h.finish(child)})
    b:close()
  end)

  it("lists a socket the table holds twice once, at its first position", function()
    local a = assert(lsocket.bind("udp", "127.0.0.1", 0))
    local b = assert(lsocket.bind("udp", "127.0.0.1", 0))
    local c = assert(lsocket.bind("udp", "127.0.0.1", 0))
    for _, s in ipairs {a, b, c} do s:sendto("x", "127.0.0.1", s:info("socket").port) end
    h.wait_readable(c)
    local r, w = lsocket.select({b, a, b, c, a, b}, {c, c, a}, 1)
    assert.equals(3, #r)
    assert.is_true(rawequal(b, r[1]) and rawequal(a, r[2]) and rawequal(c, r[3]))
    assert.equals(2, #w)  -- each result table on its own: c and a are in both
    assert.is_true(rawequal(c, w[1]) and rawequal(a, w[2]))
    -- The original's loginserver pattern: one accept per listed listener.
    local srv, lport = h.listener()
    local cl = assert(lsocket.connect("127.0.0.1", lport))
    h.wait_readable(srv)
    local ready = lsocket.select({srv, srv}, 1)
    assert.equals(1, #ready)
    local conn = assert(ready[1]:accept())
    -- A repeat is dropped in every later call too (the marks do not carry over).
    assert.equals(1, #lsocket.select({a, a}, 1))
    assert.equals(1, #lsocket.select({a, a}, 1))
    -- A closed socket in a repeated slot is ignored as before.
    conn:close(); cl:close(); srv:close()
    for _, s in ipairs {a, b, c} do s:close() end
  end)

  it("reports a refused connect as writable, then status says why", function()
    local srv, port = h.listener()
    srv:close()
    local c = assert(lsocket.connect("127.0.0.1", port))
    local _, w = lsocket.select(nil, {c}, 2)
    assert.same({c}, w)
    assert.is_nil(c:status())
    c:close()
  end)
end)

-- Large tables passed again and again take the selector's epoll path; results must not change.
describe("select on a large table passed on every call", function()
  local N = 150
  local socks
  local function crowd()
    socks = {}
    for i = 1, N do socks[i] = assert(lsocket.bind("udp", "127.0.0.1", 0)) end
    return socks
  end
  local function poke(s)
    s:sendto("x", "127.0.0.1", s:info("socket").port)
    h.wait_readable(s)
  end
  local function close_all()
    for _, s in ipairs(socks) do s:close() end
  end

  it("reports a socket with unread data on every call", function()
    crowd()
    poke(socks[77])
    for _ = 1, 6 do assert.same({socks[77]}, lsocket.select(socks, 1)) end
    assert.equals("x", socks[77]:recv())
    assert.is_false(lsocket.select(socks, 0.02))
    close_all()
  end)

  it("skips sockets closed or given away between calls", function()
    crowd()
    poke(socks[5]); poke(socks[6]); poke(socks[7])
    for _ = 1, 3 do assert.same({socks[5], socks[6], socks[7]}, lsocket.select(socks, 1)) end
    socks[5]:close()
    socks[6]:setfd(-1)  -- given away (still open, unread data and all): select no longer sees it
    for _ = 1, 3 do assert.same({socks[7]}, lsocket.select(socks, 1)) end
    close_all()
  end)

  it("watches a new socket that got a closed one's descriptor number", function()
    crowd()
    assert.is_false(lsocket.select(socks, 0))
    assert.is_false(lsocket.select(socks, 0))
    local fd = socks[100]:getfd()
    socks[100]:close()
    local again = assert(lsocket.bind("udp", "127.0.0.1", 0))
    assert.equals(fd, again:getfd())
    socks[100] = again
    poke(again)
    for _ = 1, 3 do assert.same({again}, lsocket.select(socks, 1)) end
    close_all()
  end)

  it("reads every entry of a long table, holes, repeats and requests anywhere", function()
    -- select reads entries in batches: the positions around each batch's edges must come out
    -- exactly as the rest (here 40 entries: ready sockets at 1, 16, 17, 33 and 40, a repeat
    -- of 16 at 18 and of 1 at 32, nil holes at 15 and 34, a closed socket at 31, and an
    -- async_resolver request, ready, at 39).
    local aresolve = require "async_resolver"
    crowd()
    local t = {}
    for i = 1, 40 do t[i] = socks[i] end
    t[15], t[34] = nil, nil
    t[18], t[32] = socks[16], socks[1]
    socks[31]:close()
    local rq = assert(aresolve("127.0.0.1"))
    t[39] = rq
    for _, i in ipairs {1, 16, 17, 33, 40} do poke(socks[i]) end
    h.wait_readable(rq)
    local want = {socks[1], socks[16], socks[17], socks[33], rq, socks[40]}
    for _ = 1, 3 do
      local r = lsocket.select(t, 1)
      assert.equals(#want, #r)
      for k = 1, #want do assert.is_true(rawequal(want[k], r[k]), "position " .. k) end
    end
    rq:cancel()
    close_all()
  end)

  it("reports a hung-up peer on every call, in both tables, listed once", function()
    crowd()
    local c, s, srv = h.tcp_pair()
    local reads = {}
    for i = 1, N do reads[i] = socks[i] end
    reads[#reads + 1] = s
    reads[#reads + 1] = s  -- twice: listed once
    c:close()
    h.wait_readable(s)
    for _ = 1, 3 do
      local r, w = lsocket.select(reads, {s, srv}, 1)
      assert.same({s}, r)
      assert.same({s}, w)
    end
    s:close(); srv:close()
    close_all()
  end)
end)
