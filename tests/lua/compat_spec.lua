-- lua/compat.hpp on this Lua: every replacement it offers gives Lua 5.4's result (through the
-- test-only module lsock_compat_probe, built for every version like lsocket).
local p = require "lsock_compat_probe"

describe("compat.hpp", function()
  it("uservalues: as many as asked for, nil until set, none beyond", function()
    local u = p.newud(2)
    assert.same({nil, "nil"}, {p.getuv(u, 1)})
    assert.is_true(p.setuv(u, 1, "one"))
    assert.is_true(p.setuv(u, 2, {x = 2}))
    assert.same({"one", "string"}, {p.getuv(u, 1)})
    assert.equals(2, (p.getuv(u, 2)).x)
    assert.is_false(p.setuv(u, 3, "three"))
    assert.is_false(p.setuv(u, 0, "zero"))
    assert.same({nil, "no value"}, {p.getuv(u, 3)})
    assert.same({nil, "no value"}, {p.getuv(u, 0)})
    assert.is_true(p.setuv(u, 1, nil))
    assert.same({nil, "nil"}, {p.getuv(u, 1)})
    -- No uservalues: nothing to get or set (on 5.1 not the creator's environment either).
    local none = p.newud(0)
    assert.same({nil, "no value"}, {p.getuv(none, 1)})
    assert.is_false(p.setuv(none, 1, "x"))
  end)

  it("uservalues keep their values alive until the userdata goes", function()
    local u = p.newud(1)
    p.setuv(u, 1, {payload = "kept"})
    collectgarbage()
    collectgarbage()
    assert.equals("kept", (p.getuv(u, 1)).payload)
  end)

  it("lua_tointegerx: exact integers only, numeric strings too", function()
    assert.same({42, true}, {p.tointeger(42)})
    assert.same({-7, true}, {p.tointeger(-7.0)})
    assert.same({0, false}, {p.tointeger(1.5)})
    assert.same({0, false}, {p.tointeger(0 / 0)})
    assert.same({0, false}, {p.tointeger(math.huge)})
    assert.same({0, false}, {p.tointeger(2 ^ 63)})
    assert.same({12, true}, {p.tointeger("12")})
    assert.same({0, false}, {p.tointeger("x")})
    assert.same({0, false}, {p.tointeger({})})
    assert.same({2 ^ 53, true}, {p.tointeger(2 ^ 53)})
  end)

  it("lua_isinteger: a number with an integer value (5.3+: of integer subtype)", function()
    assert.is_true(p.isinteger(3))
    assert.is_false(p.isinteger(3.5))
    assert.is_false(p.isinteger("3"))
    assert.is_false(p.isinteger(nil))
  end)

  it("luaL_checkinteger: a fractional number is a bad argument", function()
    assert.equals(5, p.checkinteger(5))
    assert.has_error(function() p.checkinteger(5.5) end,
                     "bad argument #1 to 'checkinteger' (number has no integer representation)")
    local ok, err = pcall(function() local r = p.checkinteger({}) return r end)
    assert.is_false(ok)
    assert.matches("bad argument #1 to 'checkinteger' %(number expected, got table%)", err)
  end)

  it("lua_rawsetp / lua_rawgetp, and getters that return the type", function()
    local t = {}
    assert.same({"v", "string"}, {p.rawp(t, "v")})
    assert.same({nil, "nil"}, {p.rawp(t, nil)})
    assert.is_nil(next(t))
    assert.same({"number", "boolean", "number"}, {p.gettypes({true, k = 1})})
    assert.same({"nil", "nil", "nil"}, {p.gettypes({})})
  end)

  it("lua_rawlen, luaL_testudata, luaL_typeerror, lua_absindex", function()
    assert.equals(3, p.rawlen({1, 2, 3}))
    assert.equals(5, p.rawlen("hello"))
    assert.equals(1, p.rawlen(p.newud(0)))  -- a userdata's size
    assert.is_true(p.testudata(p.newud(0)))
    assert.is_false(p.testudata(io.stdout))
    assert.is_false(p.testudata(1))
    assert.has_error(function() p.typeerror(1) end,
                     "bad argument #1 to 'typeerror' (probe expected, got number)")
    assert.equals(1, p.absindex(-1))  -- the argument itself is the only slot
  end)

  it("luaL_setfuncs with upvalues, luaL_newlib", function()
    assert.equals("the upvalue", p.upvalue())
    assert.is_function(p.newud)
  end)
end)
