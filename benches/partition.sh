#!/usr/bin/env bash
# Issue 20, partitioned mode: peak memory per process and bytes sent per run with the graph split
# over 1, 2 and 4 local processes (simulate --partition), beside the one-machine engine on one
# thread (McSherry's COST) and on two. A BA graph of NODES nodes (default 10 M, m = 5: 100 M arcs)
# is generated first (~1.1 GB of disk under ${TMPDIR:-/tmp}).
#
#   bash benches/partition.sh                 # 10 M nodes, 100 M arcs, R = 8
#   NODES=1000000 RUNS=50 bash benches/partition.sh
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${NODES:-10000000}
RUNS=${RUNS:-8}
BIN=target/release/hongbao
[ -x "$BIN" ] || cargo build --release
DIR=$(mktemp -d "${TMPDIR:-/tmp}/hongbao-partition.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
G="$DIR/ba.txt"
"$BIN" generate ba --nodes "$NODES" --seed 1 -p m=5 -q -o "$G"
ARGS=(simulate "$G" --p 0.05 --seeds top-degree:50 --runs "$RUNS" --seed 1 --delay exp:1 --hours 24)

ports() { python3 -c "
import socket,sys
s=[socket.socket() for _ in range($1)]
[x.bind(('127.0.0.1',0)) for x in s]
print('\n'.join(f'127.0.0.1:{x.getsockname()[1]}' for x in s))"; }

echo "| configuration | wall | peak RSS per process (MiB) | load s | runs s | bytes sent loading / per run (process 0) | final reach |"
echo "|---|---|---|---|---|---|---|"
one() { # label, env..., -- args
  local label=$1; shift
  local start end
  start=$(date +%s.%N)
  env "$@" /usr/bin/time -f "%M" -o "$DIR/t0" "$BIN" "${ARGS[@]}" --out "$DIR/o" --force 2> "$DIR/e0" > /dev/null
  end=$(date +%s.%N)
  printf '| %s | %.1f s | %d | %s | %s | - | %s |\n' "$label" "$(echo "$end - $start" | bc)" \
    "$(( $(cat "$DIR/t0") / 1024 ))" \
    "$(grep -oE 'in [0-9.]+ s' "$DIR/e0" | head -1 | grep -oE '[0-9.]+')" \
    "$(grep -oE 'runs in [0-9.]+' "$DIR/e0" | grep -oE '[0-9.]+$')" \
    "$(grep -oE 'final reach [0-9.]+ ± [0-9.]+' "$DIR/e0" | sed 's/final reach //')"
}
one "one machine, 1 thread (COST)" RAYON_NUM_THREADS=1
one "one machine, 2 threads" RAYON_NUM_THREADS=2
for n in 1 2 4; do
  ports "$n" > "$DIR/hosts"
  start=$(date +%s.%N)
  pids=()
  for ((i = 0; i < n; i++)); do
    cluster=()
    [ "$n" -gt 1 ] && cluster=(--processes "$n" --process "$i" --hosts "$DIR/hosts")
    RAYON_NUM_THREADS=1 /usr/bin/time -f "%M" -o "$DIR/t$i" "$BIN" "${ARGS[@]}" --partition "${cluster[@]}" \
      --out "$DIR/p$n" --force 2> "$DIR/e$i" > /dev/null &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || { cat "$DIR"/e*; exit 1; }; done
  end=$(date +%s.%N)
  rss=$(for ((i = 0; i < n; i++)); do echo $(( $(cat "$DIR/t$i") / 1024 )); done | paste -sd '/')
  printf '| partitioned, %d process(es) | %.1f s | %s | %s | %s | %s / %s | %s |\n' "$n" "$(echo "$end - $start" | bc)" "$rss" \
    "$(grep -oE 'in [0-9.]+ s, [0-9]+ bytes' "$DIR/e0" | grep -oE '^in [0-9.]+' | grep -oE '[0-9.]+')" \
    "$(grep -oE 'runs in [0-9.]+' "$DIR/e0" | grep -oE '[0-9.]+$')" \
    "$(grep -oE '[0-9]+ bytes sent to the others' "$DIR/e0" | grep -oE '^[0-9]+')" \
    "$(grep -oE '\(([0-9]+) per run\)' "$DIR/e0" | grep -oE '[0-9]+')" \
    "$(grep -oE 'final reach [0-9.]+ ± [0-9.]+' "$DIR/e0" | sed 's/final reach //')"
  if [ "$n" = 1 ]; then cp "$DIR/p1/summary.json" "$DIR/s1.json"; else cmp -s "$DIR/s1.json" "$DIR/p$n/summary.json" && echo "(same summary.json bytes as 1 process)" >&2; fi
done
echo
echo "file: $(du -h "$G" | cut -f1); machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB"
