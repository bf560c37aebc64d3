#!/bin/sh
# Instructions per operation for every case of examples/profile.rs, under
# callgrind (software SHA backend: valgrind does not expose SHA-NI).
# Usage: sh benches/callgrind.sh   (from the crate root; about a minute)
set -eu
cargo build --quiet --release --example profile
bin=target/release/examples/profile
printf '%-22s %12s\n' case 'Ir/op'
"$bin" | while read -r name ops _; do
  case "$name" in *scan*) n=3 ;; *) n=2000 ;; esac
  ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    --toggle-collect='profile::run' "$bin" "$name" "$n" 2>&1 |
    awk '/Collected/ {print $4}')
  printf '%-22s %12.0f\n' "$name" "$(echo "$ir / ($n * $ops)" | bc -l)"
done
