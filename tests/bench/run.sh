#!/usr/bin/env bash
# Runs every benchmark — Lua workloads for lsocket, LuaSocket and the raw C++ baseline, and CLI
# timings with hyperfine — and prints a markdown table of medians and ratios.
#   tests/bench/run.sh [--quick | --smoke] [--reps N] [--build-dir DIR]
# Default: full size, 3 repetitions, the release preset's build (built if missing).
# Results: DIR/bench/results.jsonl (every run) and DIR/bench/results.md (the table).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
scale=1 reps=3 build="$top/build/release" mode=full
while [ $# -gt 0 ]; do
  case $1 in
    --quick) scale=0.1 mode=quick ;;
    --smoke) scale=0.01 reps=1 mode=smoke ;;
    --reps) reps=$2; shift ;;
    --build-dir) build=$2; shift ;;
    *) echo "usage: $0 [--quick|--smoke] [--reps N] [--build-dir DIR]" >&2; exit 2 ;;
  esac
  shift
done

# What the benchmarks need beyond scripts/deps.sh, from Debian's packages.
need=()
for p in lua-socket hyperfine netcat-openbsd; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "${need[@]}" >&2
fi

if [ ! -x "$build/bin/bench_raw" ] || [ ! -f "$build/lua/lsocket.so" ] || [ ! -x "$build/bin/lsock" ]; then
  (cd "$top" && cmake --preset release >/dev/null && cmake --build --preset release --target bench_raw lsocket lsock >&2)
  build="$top/build/release"
fi

out="$build/bench"
mkdir -p "$out"
results="$out/results.jsonl"
: > "$results"
export LUA_CPATH_5_4="$build/lua/?.so;;"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

workloads="tcp_pingpong tcp_bulk udp_pps select_scale accept_churn unix_pingpong"
for w in $workloads; do
  for ((r = 1; r <= reps; r++)); do
    # Interleaved, so drifting machine load hits every implementation alike.
    for impl in raw lsocket luasocket; do
      case $impl in
        raw) cmd=("$build/bin/bench_raw" "$w" "$scale") ;;
        *) cmd=(lua5.4 "$here/${impl}_bench.lua" "$w" "$scale") ;;
      esac
      echo "bench: $w $impl run $r" >&2
      if ! timeout 600 "${cmd[@]}" >>"$results" 2>"$out/last-error.txt"; then
        printf '{"impl":"%s","workload":"%s","error":"%s"}\n' "$impl" "$w" \
          "$(tail -1 "$out/last-error.txt" | tr -d '"\\')" >>"$results"
      fi
    done
  done
done

# CLI timings, each beside its standard counterpart, against local targets only.
hf_runs=$([ "$mode" = smoke ] && echo 3 || echo 30)
lsock="$build/bin/lsock"
"$lsock" tcp-listen 127.0.0.1 0 --timeout 600 >"$out/listener.txt" 2>&1 &
listener=$!
trap 'kill $listener 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$out/listener.txt" && break; sleep 0.1; done
port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$out/listener.txt")
hyperfine -N --warmup 3 --runs "$hf_runs" --export-json "$out/cli.json" \
  -n "lsock --version" "$lsock --version" \
  -n "lsock resolve localhost --json" "$lsock resolve localhost --json" \
  -n "getent ahosts localhost" "getent ahosts localhost" \
  -n "lsock ifaces --json" "$lsock ifaces --json" \
  -n "ip -j addr" "ip -j addr" \
  -n "lsock tcp-connect 127.0.0.1 PORT" "$lsock tcp-connect 127.0.0.1 $port" \
  -n "nc -z 127.0.0.1 PORT" "nc -z 127.0.0.1 $port" >&2
kill $listener 2>/dev/null || true

lua5.4 "$here/report.lua" "$results" "$out/cli.json" "$mode" "$reps" "$scale" | tee "$out/results.md"
