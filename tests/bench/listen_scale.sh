#!/usr/bin/env bash
# tcp-listen at O(ready) per event: µs per echo round trip of one busy client beside K idle
# ones (K = 10 and 10,000 by default), interleaved (10, 10000, 10, 10000, ...) on one or two
# lsock binaries; or, with --mode strace / callgrind, the listener's syscalls / user-space
# instructions per round trip.
#
#   tests/bench/listen_scale.sh [--build-dir DIR] [--old LSOCK] [--reps N] [--rounds M]
#                               [--ks "10 10000"] [--mode time|strace|callgrind] [--pause-us P]
#
# Default: the release preset built into build/bench-release (as run.sh), 5 repetitions of
# 20,000 round trips of 64 bytes (strace / callgrind: 500, with a 5 ms pause after each echo,
# so that each round trip is one wait of the listener: the waits per round trip column shows
# it). --old adds a second binary (e.g. an older commit's build), in the same loop. strace / callgrind count two runs per K (M and 2M
# round trips) and divide the difference by M, so the setup (K accepts) and the teardown cancel
# out. Every run is a fresh `lsock --json tcp-listen 127.0.0.1 0 --echo` (port read back from its
# listening event; events go to a temporary file); traffic stays on 127.0.0.1. Raises the
# descriptor limit to the hard limit and says so when that is below K + 100.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$top/build/bench-release reps=5 rounds="" ks="10 10000" mode=time old="" pause=""
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build=$2; shift ;;
    --old) old=$2; shift ;;
    --reps) reps=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --ks) ks=$2; shift ;;
    --mode) mode=$2; shift ;;
    --pause-us) pause=$2; shift ;;
    *) sed -n '7,8p' "$0" >&2; exit 2 ;;
  esac
  shift
done
# Under strace / valgrind the listener is slow: the client pauses after each echo so that each
# round trip is one event (one wait), and fewer round trips suffice.
if [ "$mode" = time ]; then
  rounds=${rounds:-20000} pause=${pause:-0}
else
  rounds=${rounds:-500} pause=${pause:-5000}
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  (cd "$top" && cmake --preset release -B "$build" -DBUILD_TESTING=ON >&2)
fi
cmake --build "$build" --parallel 2 --target lsock bench_listen_clients >&2
clients=$build/bin/bench_listen_clients
bins=("$build/bin/lsock")
names=(new)
if [ -n "$old" ]; then bins+=("$old"); names+=(old); fi

ulimit -n "$(ulimit -Hn)"
kmax=0
for k in $ks; do [ "$k" -gt "$kmax" ] && kmax=$k; done
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((kmax + 100)) ]; then
  echo "note: descriptor limit $(ulimit -n) < K + 100 = $((kmax + 100)): larger K will fail" >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One run: a fresh listener (under the wrapper in "$@"), K idle clients, M round trips.
# Prints the clients' µs per round trip. The listener is stopped while the clients still hold
# their connections (then they go): its teardown is the same whatever M.
run_once() {
  local bin=$1 k=$2 m=$3 pause=$4
  shift 4
  : >"$tmp/events"
  "$@" "$bin" --json tcp-listen 127.0.0.1 0 --echo --backlog 4096 >"$tmp/events" 2>"$tmp/err" &
  local pid=$! port="" i
  for i in $(seq 600); do  # up to 60 s: valgrind starts slowly
    port=$(head -1 "$tmp/events" | grep -o '"port": *[0-9]*' | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "no listening event: $(cat "$tmp/err")" >&2; kill "$pid"; exit 1; }
  : >"$tmp/clients"
  "$clients" "$port" "$k" "$m" 64 "$pause" hold >"$tmp/clients" &
  local cpid=$!
  until grep -q us_per_round_trip "$tmp/clients"; do
    kill -0 "$cpid" 2>/dev/null || { echo "the clients failed; listener: $(cat "$tmp/err")" >&2; exit 1; }
    sleep 0.1
  done
  # SIGTERM (a background job's SIGINT is ignored): to the listener itself, which is strace's
  # child or valgrind's own process. It closes the clients and prints its summary.
  local target
  target=$(ps -o pid= --ppid "$pid" | head -1 | tr -d ' ' || true)
  kill -TERM "${target:-$pid}"
  wait "$pid" || { echo "listener failed: $(cat "$tmp/err")" >&2; exit 1; }
  kill -TERM "$cpid"
  wait "$cpid" 2>/dev/null || true
  grep -o '"us_per_round_trip": *[0-9.]*' "$tmp/clients" | grep -o '[0-9.]*$'
}

case $mode in
  time)
    printf '%s\n' "| binary | K | runs (µs per round trip) | median |" "|---|---|---|---|"
    declare -A runs
    for ((r = 0; r < reps; r++)); do
      for b in "${!bins[@]}"; do
        for k in $ks; do
          runs[$b.$k]+="$(run_once "${bins[$b]}" "$k" "$rounds" "$pause") "
        done
      done
    done
    for b in "${!bins[@]}"; do
      for k in $ks; do
        med=$(tr ' ' '\n' <<<"${runs[$b.$k]}" | grep . | median)
        echo "| ${names[$b]} | $k | ${runs[$b.$k]}| $med |"
      done
    done
    ;;
  strace)
    echo "| binary | K | per round trip: poll | epoll_wait | epoll_ctl | all syscalls |"
    echo "|---|---|---|---|---|---|"
    for b in "${!bins[@]}"; do
      for k in $ks; do
        for m in $rounds $((2 * rounds)); do
          run_once "${bins[$b]}" "$k" "$m" "$pause" strace -f -c -o "$tmp/strace.$m" >/dev/null
        done
        calls() { awk -v s="$2" '$NF == s { print $4 }' "$1"; }
        per() {  # the difference of a syscall's count between the two runs, per round trip
          local n1 n2
          n1=$(calls "$tmp/strace.$rounds" "$1") n2=$(calls "$tmp/strace.$((2 * rounds))" "$1")
          awk -v a="${n1:-0}" -v b="${n2:-0}" -v m="$rounds" 'BEGIN { printf "%.2f", (b - a) / m }'
        }
        echo "| ${names[$b]} | $k | $(per poll) | $(per epoll_wait) | $(per epoll_ctl) | $(per total) |"
      done
    done
    ;;
  callgrind)
    echo "| binary | K | instructions per round trip | waits per round trip | instructions per wait |"
    echo "|---|---|---|---|---|"
    for b in "${!bins[@]}"; do
      for k in $ks; do
        for m in $rounds $((2 * rounds)); do
          run_once "${bins[$b]}" "$k" "$m" "$pause" valgrind --tool=callgrind \
            --callgrind-out-file="$tmp/cg.$m" >/dev/null
        done
        python3 - "$tmp/cg.$rounds" "$tmp/cg.$((2 * rounds))" "$rounds" "${names[$b]}" "$k" <<'PY'
import re, sys
def totals(path):  # total instructions, and the calls of lsock::selector::wait / wait_unchanged
    names, ir, waits, callee = {}, 0, 0, ""
    for line in open(path):
        if line.startswith("summary:"):
            ir = int(line.split()[1])
        m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
        if m:
            if m.group(2): names[m.group(1)] = m.group(2).strip()
            callee = names.get(m.group(1), "") if line.startswith("cfn") else ""
            continue
        if line.startswith("calls=") and callee.startswith(
                ("lsock::selector::wait(", "lsock::selector::wait_unchanged(")):
            waits += int(line.split()[0][6:])
    return ir, waits
(i1, w1), (i2, w2) = totals(sys.argv[1]), totals(sys.argv[2])
m = int(sys.argv[3])
print(f"| {sys.argv[4]} | {sys.argv[5]} | {(i2 - i1) / m:.0f} | {(w2 - w1) / m:.2f} | "
      f"{(i2 - i1) / max(w2 - w1, 1):.0f} |")
PY
      done
    done
    ;;
  *) echo "unknown --mode $mode" >&2; exit 2 ;;
esac
