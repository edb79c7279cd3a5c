package = "lsocket"
version = "scm-1"
source = {
  url = "git+file://.",
}
description = {
  summary = "lsocket for Lua 5.1-5.4 and LuaJIT on the lsock socket core: same API, none of its defects",
  detailed = [[
    A drop-in replacement for Gunnar Zötl's lsocket: IPv4, IPv6, unix and abstract sockets,
    tcp, udp and multicast/broadcast, almost-nonblocking I/O, select without the 1024 limit,
    name resolution and interface listing.
  ]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.1",
}
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    CMAKE_INSTALL_PREFIX = "$(PREFIX)",
    -- One module, for the Lua luarocks runs: its headers, its module directory.
    LSOCK_LUA_INCLUDE_DIR = "$(LUA_INCDIR)",
    LSOCK_LUA_CMOD_DIR = "$(LIBDIR)",
    LSOCK_BUILD_TOOLS = "OFF",
    BUILD_TESTING = "OFF",
  },
}
