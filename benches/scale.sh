#!/usr/bin/env bash
# Scale check: a generated graph of 10 M nodes and 100 M arcs (BA, m = 5) is generated, loaded and
# simulated (R = 100, p = 0.05, 50 top-degree seeds), with fixed and with exponential delays.
# Prints wall time and peak RSS of each step. Needs ~1.1 GB of disk under ${TMPDIR:-/tmp}.
#
#   bash benches/scale.sh            # 10 M nodes
#   NODES=2000000 bash benches/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${NODES:-10000000}
BIN=target/release/hongbao
[ -x "$BIN" ] || cargo build --release
DIR=$(mktemp -d "${TMPDIR:-/tmp}/hongbao-scale.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
G="$DIR/ba.txt"

step() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$DIR/time" "$@" > "$DIR/out" 2> "$DIR/err" || { cat "$DIR/err"; exit 1; }
  read -r secs kb < "$DIR/time"
  printf '| %s | %s s | %.0f MiB | %s |\n' "$name" "$secs" "$((kb / 1024))" "$( (grep -E 'edges in' "$DIR/err"; grep -E 'runs in|wrote' "$DIR/err") | tr -d '|' | sed 's/(.*//' | paste -sd ';' )"
}

echo "| step | wall | peak RSS | hongbao says |"
echo "|---|---|---|---|"
step "generate ba, $NODES nodes, m = 5" "$BIN" generate ba --nodes "$NODES" --seed 1 -p m=5 -o "$G"
step "stats (load + CSR + clustering)" "$BIN" stats "$G"
step "simulate R = 100, fixed:1 (auto engine)" "$BIN" simulate "$G" --p 0.05 --seeds top-degree:50 --runs 100 \
  --seed 1 --delay fixed:1 --out "$DIR/r1"
step "simulate R = 100, exp:1" "$BIN" simulate "$G" --p 0.05 --seeds top-degree:50 --runs 100 \
  --seed 1 --delay exp:1 --out "$DIR/r2"
echo
echo "file: $(du -h "$G" | cut -f1); machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB"
