#!/usr/bin/env bash
# The floor binding (floor.c) still runs the benchmark workloads unchanged: two of them at smoke
# size, each printing one result with a positive rate.
#   floor_check.sh LUA5.4 DIR_OF_FLOOR_LSOCKET_SO
set -euo pipefail
lua=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
if ! "$lua" -e 'require "socket"' 2>/dev/null; then
  echo "SKIP: LuaSocket (lua-socket) is not installed; the workloads use its clock"
  exit 77
fi
[ -f "$dir/lsocket.so" ] || { echo "no floor module in $dir" >&2; exit 1; }
for w in tcp_pingpong udp_pps; do
  out=$(LUA_CPATH_5_4="$dir/?.so;;" "$lua" "$here/lsocket_bench.lua" "$w" 0.01)
  echo "$out"
  # The module loaded must be the floor (it has no lsocket.resolve), and the rate is a number > 0.
  OUT=$out W=$w LUA_CPATH_5_4="$dir/?.so;;" "$lua" -e '
    local ls = require "lsocket"
    assert(ls.resolve == nil, "loaded the real lsocket, not the floor")
    local line, w = os.getenv("OUT"), os.getenv("W")
    local v = tonumber(line:match("\"value\":([%d%.]+)"))
    assert(line:find("\"workload\":\"" .. w .. "\"", 1, true), "wrong workload: " .. line)
    assert(v and v > 0, "no rate: " .. line)'
done
