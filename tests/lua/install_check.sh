#!/bin/sh
# `cmake --install` of the lua component: lsocket.so must land in <dir> (default
# /usr/local/lib/lua/5.4) and a plain lua5.4, whose default search path names that directory,
# must load it. Installs into a scratch DESTDIR; nothing outside it is touched.
# usage: install_check.sh CMAKE BUILD_DIR INSTALL_DIR LUA
# LSOCK_LUA_PRELOAD: the sanitizer runtime lua5.4 needs to load an instrumented module.
set -eu
cmake=$1 build=$2 dir=$3 lua=$4
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR=$dest "$cmake" --install "$build" --component lua
test -f "$dest$dir/lsocket.so"
unset LUA_CPATH_5_4 LUA_CPATH LUA_INIT LUA_INIT_5_4
if [ -n "${LSOCK_LUA_PRELOAD-}" ]; then export LD_PRELOAD="$LSOCK_LUA_PRELOAD"; fi
DEST=$dest DIR=$dir exec "$lua" -e '
  local dest, dir = os.getenv("DEST"), os.getenv("DIR")
  local pattern = dir .. "/?.so"
  if not package.cpath:find(pattern, 1, true) then
    print("SKIP: " .. dir .. " is not in lua5.4 default package.cpath (" .. package.cpath .. ")")
    os.exit(77)
  end
  -- The default search path, with that one directory moved under DESTDIR.
  local s, e = package.cpath:find(pattern, 1, true)
  package.cpath = package.cpath:sub(1, s - 1) .. dest .. pattern .. package.cpath:sub(e + 1)
  local lsocket = require "lsocket"
  local found = package.searchpath("lsocket", package.cpath)
  assert(found == dest .. dir .. "/lsocket.so", found)
  local sock = assert(lsocket.bind("udp", "127.0.0.1", 0))
  sock:close()
  print("installed and loaded " .. dir .. "/lsocket.so, lsocket " .. lsocket._VERSION)
'
