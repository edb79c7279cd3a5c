#!/usr/bin/env bash
# The diagnostics' figures, side by side in one interleaved run:
#   - tcp-ping's p50 connect time against a plain C++ loop of non-blocking connects
#     (bench_connect_loop) to the same loopback listener;
#   - `lsock probe 127.0.0.1 1-65535` against `nc -z 127.0.0.1 1-65535`;
#   - 1,000 filtered ports (a silent address in a private namespace) against the formula
#     ceil(1000 / concurrency) x timeout.
#
#   tests/bench/diagnostics.sh [--build-dir DIR] [--reps N] [--count N]
#
# Default: the release preset built into build/bench-release (as run.sh), 3 repetitions, 2,000
# connects per tcp-ping run. Prints a markdown table. Traffic stays on 127.0.0.1 and inside the
# namespace; the listener binds port 0 and the port is read back.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$top/build/bench-release reps=3 count=2000
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build=$2; shift ;;
    --reps) reps=$2; shift ;;
    --count) count=$2; shift ;;
    *) sed -n '10p' "$0" >&2; exit 2 ;;
  esac
  shift
done
if [ ! -f "$build/CMakeCache.txt" ]; then
  (cd "$top" && cmake --preset release -B "$build" -DBUILD_TESTING=ON >&2)
fi
cmake --build "$build" --parallel 2 --target lsock bench_connect_loop >&2
lsock=$build/bin/lsock loop=$build/bin/bench_connect_loop

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { grep -o "\"$1\": *[0-9.e-]*" | head -1 | sed 's/.*: *//'; }

# --- tcp-ping against the C loop, on one listener that accepts and closes -----------------
events=$(mktemp)
"$lsock" --json tcp-listen 127.0.0.1 0 >"$events" 2>/dev/null &
listener=$!
trap 'kill $listener 2>/dev/null || true; rm -f "$events"' EXIT
for _ in $(seq 50); do [ -s "$events" ] && break; sleep 0.1; done
port=$(head -1 "$events" | field port)
[ -n "$port" ] || { echo "diagnostics: the listener did not start" >&2; exit 1; }
c_p50=() l_p50=()
for r in $(seq "$reps"); do
  c_p50+=("$("$loop" 127.0.0.1 "$port" "$count" | field p50_ms)")
  l_p50+=("$("$lsock" --json tcp-ping 127.0.0.1 "$port" -c "$count" -i 0 | tail -1 | field p50)")
  echo "rep $r: C loop p50 ${c_p50[-1]} ms, tcp-ping p50 ${l_p50[-1]} ms" >&2
done
: >"$events"

# --- probe of every port against nc -z (interleaved) --------------------------------------
p_t=() n_t=()
for r in $(seq "$reps"); do
  t0=$(now); "$lsock" probe 127.0.0.1 1-65535 --no-progress >/dev/null; t1=$(now)
  p_t+=("$(secs "$t0" "$t1")")
  if command -v nc >/dev/null; then
    t0=$(now); nc -z 127.0.0.1 1-65535 >/dev/null 2>&1 || true; t1=$(now)
    n_t+=("$(secs "$t0" "$t1")")
  fi
  echo "rep $r: probe ${p_t[-1]} s, nc -z ${n_t[-1]:-n/a} s" >&2
done

# --- filtered ports: 1,000 at a silent address, in a private namespace ---------------------
filtered="skipped (no private network namespace)"
if unshare -n true 2>/dev/null || unshare -r -n true 2>/dev/null; then
  t0=$(now)
  out=$(LSOCK_NETNS_VETH=1 "$top/tests/netns/run-in-netns.sh" "$lsock" --json probe 10.77.0.99 \
          1-1000 --concurrency 256 --timeout 1)
  t1=$(now)
  n=$(grep -o '"filtered": *[0-9]*' <<<"$out" | sed 's/.*: *//')
  filtered="$(secs "$t0" "$t1") s for $n filtered ports (formula: ceil(1000/256) x 1 s = 4 s)"
fi

c=$(printf '%s\n' "${c_p50[@]}" | median) l=$(printf '%s\n' "${l_p50[@]}" | median)
p=$(printf '%s\n' "${p_t[@]}" | median)
nz=n/a; [ ${#n_t[@]} -gt 0 ] && nz=$(printf '%s\n' "${n_t[@]}" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
echo "| measure ($reps interleaved reps, medians) | lsock | reference | ratio |"
echo "|---|---|---|---|"
echo "| tcp-ping p50, $count connects to 127.0.0.1 | $l ms | C loop: $c ms | $(ratio "$l" "$c") |"
echo "| all 65,535 ports of 127.0.0.1 | probe: $p s | nc -z: $nz s | $(ratio "$p" "$nz") |"
echo "| 1,000 filtered ports, --concurrency 256 --timeout 1 | $filtered | | |"
