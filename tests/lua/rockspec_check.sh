#!/bin/sh
# `luarocks --lua-version V make` with lua/lsocket-scm-1.rockspec builds lsocket.so for Lua V and
# installs it into a scratch tree, from a copy of the source tree (luarocks builds in the current
# directory), and each given interpreter loads it from there (LuaJIT: the 5.1 rock).
# usage: rockspec_check.sh LUAROCKS SOURCE_DIR LUA_VERSION LUA...
set -eu
luarocks=$1 src=$2 version=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
tar -C "$src" --exclude=./build --exclude=./.git -cf - . | tar -C "$work/src" -xf -
cd "$work/src"
CMAKE_BUILD_PARALLEL_LEVEL=2 "$luarocks" --lua-version "$version" make lua/lsocket-scm-1.rockspec \
  --tree "$work/tree" >"$work/luarocks.log" 2>&1 || { cat "$work/luarocks.log"; exit 1; }
grep "Lua modules:" "$work/luarocks.log" || true
tail -n 1 "$work/luarocks.log"
eval "$("$luarocks" --lua-version "$version" --tree "$work/tree" path)"
for lua in "$@"; do
  TREE="$work/tree/" "$lua" -e '
    local lsocket = require "lsocket"
    local found
    for t in package.cpath:gmatch("[^;]+") do  -- package.searchpath, which Lua 5.1 lacks
      local f = io.open((t:gsub("%?", "lsocket")))
      if f then found = t:gsub("%?", "lsocket"); f:close(); break end
    end
    assert(found and found:find(os.getenv("TREE"), 1, true), found)
    assert(lsocket.bind("udp", "127.0.0.1", 0)):close()
    print((jit and jit.version or _VERSION) .. ": luarocks make installed " .. found)
  '
done
