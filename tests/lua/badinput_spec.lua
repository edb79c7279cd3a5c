-- The bad-input matrix: every lsocket function and method, called with wrong types, nil,
-- huge and negative numbers, NaN, embedded NULs and over-long paths. Each call must either
-- raise a "bad argument" error or return nil plus a message — never crash, hang or succeed
-- silently with nonsense.
local lsocket = require "lsocket"
local h = require "helpers"

local nan, huge = 0 / 0, math.huge
local NIL = setmetatable({}, {__tostring = function() return "nil" end})
local junk = {
  NIL, true, false, 0, -1, 1.5, 2 ^ 53, -2 ^ 63, nan, huge, -huge, "", "\0", "a\0b",
  string.rep("x", 5000), "/" .. string.rep("p", 300), "@" .. string.rep("q", 300), {},
  {1, 2}, print, coroutine.create(function() end), io.stdout,
}

--- Calls f(...) and checks the outcome is an argument error or nil+message (or a value
--- where the input happens to be valid). Returns the outcome kind.
local function unwrap(...)
  local t = table.pack(...)
  for i = 1, t.n do if t[i] == NIL then t[i] = nil end end
  return h.unpack(t, 1, t.n)
end

local function outcome(f, ...)
  local results = table.pack(pcall(f, unwrap(...)))
  if not results[1] then
    local err = tostring(results[2])
    assert(err:find("bad argument", 1, true), "error without 'bad argument': " .. err)
    return "error"
  end
  if results[2] == nil and results.n >= 3 then
    assert(type(results[3]) == "string", "nil without a message")
    return "nil+msg"
  end
  return "value"
end

local function socket_or_nil(v)
  return v ~= nil and type(v) == "userdata" and v or nil
end

describe("bad-input matrix", function()
  it("bind and connect with junk in every position", function()
    for pos = 1, 5 do
      for _, j in ipairs(junk) do
        for _, f in ipairs {lsocket.bind, lsocket.connect} do
          local args = {"udp", "127.0.0.1", 0, 1}
          args[pos] = j
          local ok, s = pcall(f, unwrap(h.unpack(args, 1, 5)))
          if ok then
            s = socket_or_nil(s)
            if s then s:close() end
          end
          outcome(f, h.unpack(args, 1, 5))
        end
      end
    end
  end)

  it("connect and bind never accept out-of-range or fractional ports", function()
    for _, port in ipairs {-1, 65536, 70000, 2 ^ 31, 2 ^ 53, 1.5, nan, huge, -huge} do
      assert.equals("error", outcome(lsocket.bind, "udp", "127.0.0.1", port))
      assert.equals("error", outcome(lsocket.connect, "udp", "127.0.0.1", port))
    end
  end)

  it("addresses with NULs or beyond the unix limit are refused", function()
    for _, addr in ipairs {"127.0.0.1\0evil", "/tmp/a\0b", "/" .. string.rep("p", 300),
                           "@" .. string.rep("q", 300), "", "no such host"} do
      local k = outcome(lsocket.connect, "udp", addr, 9)
      assert.is_true(k == "error" or k == "nil+msg", addr)
    end
  end)

  it("select with junk", function()
    local s = assert(lsocket.bind("udp", "127.0.0.1", 0))
    for _, j in ipairs(junk) do
      outcome(lsocket.select, j, 0)
      outcome(lsocket.select, {s}, j, 0)
      if type(j) ~= "number" or j == j and j >= 0 then
        -- a valid timeout or a non-number: must not block for long either way
        outcome(lsocket.select, {s}, nil, type(j) == "number" and math.min(j, 0.001) or 0)
      end
      outcome(lsocket.select, {j}, 0)
      outcome(lsocket.select, nil, {j}, 0)
    end
    s:close()
  end)

  it("resolve and getinterfaces with junk", function()
    for _, j in ipairs(junk) do
      if type(j) ~= "string" or not j:find("^x+$") then  -- skip the 5000-char name: DNS
        outcome(lsocket.resolve, j)
        outcome(lsocket.resolve, "127.0.0.1", j)
      end
      outcome(lsocket.getinterfaces, j)
    end
  end)

  it("every method with junk arguments, on open and closed sockets", function()
    local methods = {"info", "status", "getfd", "setfd", "accept", "recv", "recvfrom", "send",
                     "sendto", "close"}
    for _, closed in ipairs {false, true} do
      local s = assert(lsocket.bind("udp", "127.0.0.1", 0))
      if closed then s:close() end
      for _, m in ipairs(methods) do
        for _, j in ipairs(junk) do
          if m ~= "close" and not (m == "setfd" and j == -1) then
            outcome(s[m], s, j)
            outcome(s[m], s, j, j, j)
          end
        end
        -- the method called on something that is not a socket
        for _, j in ipairs(junk) do
          assert.equals("error", outcome(s[m], j))
        end
      end
      s:close()
    end
  end)

  it("sendto with junk addresses and ports", function()
    local s = assert(lsocket.bind("udp", "127.0.0.1", 0))
    for _, j in ipairs(junk) do
      outcome(s.sendto, s, "x", j, 9)
      outcome(s.sendto, s, "x", "127.0.0.1", j)
      outcome(s.sendto, s, j, "127.0.0.1", 9)
    end
    s:close()
  end)
end)
