#!/usr/bin/env bash
# User-space instructions per operation of each workload, on our lsocket and on the floor binding
# (floor.c), under callgrind: each workload runs at two sizes and the difference in instructions
# is divided by the difference in operations, so start-up and set-up cancel out. Instructions,
# not seconds: the count does not depend on the load of the machine. (The kernel's share of
# each syscall is not counted: these are the costs a binding can change.)
#   tests/bench/callgrind_per_op.sh BUILD_DIR [workload...]
# e.g. tests/bench/callgrind_per_op.sh build/bench-release tcp_pingpong udp_pps
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
shift
workloads=${*:-tcp_pingpong unix_pingpong udp_pps accept_churn tcp_bulk}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Operations per workload at scale 1 (as lsocket_bench.lua counts them).
ops() {
  case $1 in
    tcp_pingpong | unix_pingpong) echo 200000 ;;
    udp_pps) echo 500000 ;;
    accept_churn) echo 20000 ;;
    tcp_bulk) echo 16384 ;; # 64 KiB chunks of 1 GiB
  esac
}
instructions() { # impl workload scale
  local cpath=$build/lua/?.so
  [ "$1" = floor ] && cpath=$build/bench/floor/?.so
  LUA_CPATH_5_4="$cpath;;" valgrind --tool=callgrind --callgrind-out-file="$tmp/out" \
    lua5.4 "$here/lsocket_bench.lua" "$2" "$3" >/dev/null 2>"$tmp/err"
  sed -n 's/^summary: //p' "$tmp/out"
}
printf '%-14s %12s %12s %8s\n' workload floor lsocket ratio
for w in $workloads; do
  s1=0.005 s2=0.01
  [ "$w" = tcp_bulk ] && s1=0.05 s2=0.1
  n=$(awk -v o="$(ops "$w")" -v a=$s1 -v b=$s2 'BEGIN { print int(o * b) - int(o * a) }')
  declare -A per
  for impl in floor lsocket; do
    a=$(instructions $impl "$w" $s1)
    b=$(instructions $impl "$w" $s2)
    per[$impl]=$(((b - a) / n))
  done
  printf '%-14s %12d %12d %7.2fx\n' "$w" "${per[floor]}" "${per[lsocket]}" \
    "$(awk -v a="${per[lsocket]}" -v b="${per[floor]}" 'BEGIN { print a / b }')"
done
