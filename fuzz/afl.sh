#!/usr/bin/env bash
# Coverage-guided fuzzing with AFL++ through afl.rs (stable Rust).
#   fuzz/afl.sh [--minutes M] [TARGET ...]      (all targets by default, 5 minutes each)
# Installs cargo-afl and builds AFL++ on first use. Crashes and hangs land in
# fuzz/afl-out/TARGET/default/{crashes,hangs}/ (not committed); a summary line per target is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=5
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  targets=(snap-text snap-gz csv parquet graphml pajek mtx seeds layer scenario curves higgs weibo twitter-tree seismic)
fi
command -v cargo-afl >/dev/null || cargo install cargo-afl
cargo afl config --build >/dev/null 2>&1 || true   # no-op once AFL++ is built
cargo afl build --release --manifest-path fuzz/afl/Cargo.toml
bin=fuzz/afl/target/release/hongbao-afl
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_QUIET=1
for t in "${targets[@]}"; do
  out=fuzz/afl-out/$t
  rm -rf "$out"
  cargo afl fuzz -i "fuzz/corpus/$t" -o "$out" -V $((minutes * 60)) -t 1000 -m none -- "$bin" "$t" >"$out.log" 2>&1 || true
  stats=$out/default/fuzzer_stats
  if [ -f "$stats" ]; then
    get() { awk -F' *: *' -v k="$1" '$1==k {print $2}' "$stats"; }
    echo "| $t | $(get execs_done) | $(get corpus_count) | $(get edges_found)/$(get total_edges) | $(get saved_crashes) | $(get saved_hangs) |"
  else
    echo "| $t | AFL did not start: see $out.log |"
  fi
done
