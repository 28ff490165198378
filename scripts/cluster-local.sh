#!/usr/bin/env bash
# Starts an N-process hongbao cluster on this machine (127.0.0.1), for a try:
#
#   scripts/cluster-local.sh N COMMAND ARGS...      e.g.
#   scripts/cluster-local.sh 2 compare --runs 2000 --out cluster-report
#   scripts/cluster-local.sh 3 simulate g.txt --p 0.05 --runs 10000 --out sim
#
# It writes a hosts file with N free local ports, starts processes 1..N-1 in the background
# (their messages go to the terminal, prefixed), runs process 0 in the foreground (it writes the
# report), and exits with the first non-zero status of any process. HONGBAO sets the binary
# (default: target/release/hongbao, built if missing); WORKERS sets --workers (default 1).
set -euo pipefail
if [ $# -lt 2 ]; then
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
n=$1
shift
cd "$(dirname "$0")/.."
bin=${HONGBAO:-target/release/hongbao}
if [ ! -x "$bin" ]; then
    cargo build --release --bin hongbao
fi
hosts=$(mktemp)
trap 'rm -f "$hosts"' EXIT
python3 - "$n" > "$hosts" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
for s in socks:
    print(f"127.0.0.1:{s.getsockname()[1]}")
PY
echo "hosts: $(tr '\n' ' ' < "$hosts")" >&2
pids=()
for ((i = 1; i < n; i++)); do
    "$bin" "$@" --processes "$n" --process "$i" --hosts "$hosts" --workers "${WORKERS:-1}" \
        2> >(sed "s/^/[process $i] /" >&2) &
    pids+=($!)
done
status=0
"$bin" "$@" --processes "$n" --process 0 --hosts "$hosts" --workers "${WORKERS:-1}" || status=$?
for p in "${pids[@]}"; do
    wait "$p" || { s=$?; [ "$status" -ne 0 ] || status=$s; }
done
exit "$status"
