#!/usr/bin/env bash
# Runs every cargo-fuzz target (or the ones named) for a fixed time each and
# prints the executions per target.
#
#   scripts/fuzz.sh                 # every target, 60 s each
#   scripts/fuzz.sh 600             # every target, 10 min each
#   scripts/fuzz.sh 600 key_uri     # one target
#   FUZZ_JOBS=2 scripts/fuzz.sh 600 # two targets at a time
#
# Needs cargo-fuzz (`cargo install --locked cargo-fuzz`); it runs on stable
# Rust with RUSTC_BOOTSTRAP=1. Each target starts from its committed seed
# corpus in fuzz/corpus/<target>; new inputs it finds go to a scratch copy,
# so a run leaves the tree as it was. A crash fails the script and keeps the
# reproducer under fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-60}
shift || true
jobs=${FUZZ_JOBS:-1}
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz

if [ "$#" -gt 0 ]; then
  targets="$*"
else
  # An assignment, so that set -e stops on a failing `cargo fuzz list`.
  targets=$(cargo fuzz list)
fi
[ -n "$targets" ] || { echo "fuzz: no targets"; exit 1; }
# Every file in fuzz_targets must be a listed target, or it would never run.
listed=$(cargo fuzz list)
for f in fuzz_targets/*.rs; do
  grep -qx "$(basename "$f" .rs)" <<<"$listed" || { echo "fuzz: $f has no [[bin]] entry in fuzz/Cargo.toml"; exit 1; }
done

cargo fuzz build >/dev/null
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

run_one() {
  local target=$1 log="$scratch/$1.log"
  mkdir -p "$scratch/corpus/$target"
  cp -r "corpus/$target/." "$scratch/corpus/$target/" 2>/dev/null || true
  if cargo fuzz run "$target" "$scratch/corpus/$target" -- \
      -max_total_time="$secs" -print_final_stats=1 >"$log" 2>&1; then
    local execs
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    printf 'fuzz %-16s %5ss %12s executions  ok\n' "$target" "$secs" "${execs:-?}"
  else
    tail -n 60 "$log"
    printf 'fuzz %-16s FAILED (reproducer in fuzz/artifacts/%s/)\n' "$target" "$target"
    return 1
  fi
}

echo "fuzz: $(wc -w <<<"$targets") targets, ${secs}s each, ${jobs} at a time"
status=0
pids=()
for target in $targets; do
  run_one "$target" &
  pids+=("$!")
  if [ "${#pids[@]}" -ge "$jobs" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit "$status"
