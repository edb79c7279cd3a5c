#!/bin/sh
# `cmake --install` of the lua component: each lsocket.so must land in its directory (default
# /usr/local/lib/lua/5.X) and that Lua's plain interpreter, whose default search path names the
# directory, must load it from there. Installs into a scratch DESTDIR; nothing outside it is
# touched.
# usage: install_check.sh CMAKE BUILD_DIR DIR=LUA...   (e.g. /usr/local/lib/lua/5.1=/usr/bin/luajit)
# LSOCK_LUA_PRELOAD: the sanitizer runtime the interpreters need to load an instrumented module.
set -eu
cmake=$1 build=$2
shift 2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR=$dest "$cmake" --install "$build" --component lua
unset LUA_CPATH LUA_CPATH_5_2 LUA_CPATH_5_3 LUA_CPATH_5_4 LUA_INIT LUA_INIT_5_2 LUA_INIT_5_3 \
  LUA_INIT_5_4
if [ -n "${LSOCK_LUA_PRELOAD-}" ]; then export LD_PRELOAD="$LSOCK_LUA_PRELOAD"; fi
skipped=0
for pair in "$@"; do
  dir=${pair%%=*} lua=${pair#*=}
  test -f "$dest$dir/lsocket.so" || { echo "FAIL: $dest$dir/lsocket.so was not installed"; exit 1; }
  rc=0
  DEST=$dest DIR=$dir "$lua" -e '
    local dest, dir = os.getenv("DEST"), os.getenv("DIR")
    local name = jit and jit.version or _VERSION
    local pattern = dir .. "/?.so"
    if not package.cpath:find(pattern, 1, true) then
      print("SKIP: " .. dir .. " is not in the default package.cpath of " .. name .. " (" ..
            package.cpath .. ")")
      os.exit(77)
    end
    -- The default search path, with that one directory moved under DESTDIR.
    local s, e = package.cpath:find(pattern, 1, true)
    package.cpath = package.cpath:sub(1, s - 1) .. dest .. pattern .. package.cpath:sub(e + 1)
    local lsocket = require "lsocket"
    -- package.searchpath, which Lua 5.1 lacks: the file require took.
    local found
    for t in package.cpath:gmatch("[^;]+") do
      local f = io.open((t:gsub("%?", "lsocket")))
      if f then found = t:gsub("%?", "lsocket"); f:close(); break end
    end
    assert(found == dest .. dir .. "/lsocket.so", found)
    local sock = assert(lsocket.bind("udp", "127.0.0.1", 0))
    sock:close()
    print(name .. " loaded " .. dir .. "/lsocket.so, lsocket " .. lsocket._VERSION)
  ' || rc=$?
  case $rc in
    0) ;;
    77) skipped=1 ;;
    *) exit "$rc" ;;
  esac
done
[ "$skipped" -eq 0 ] || exit 77
