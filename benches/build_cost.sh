#!/usr/bin/env bash
# What a Cargo feature costs to build: clean release builds without and with FEATURE (default
# `distributed`), interleaved, ROUNDS times (default 2), each in a fresh target directory
# under WORK (benches/common/work.sh). Prints each build's wall time and binary size.
#
#   [ROUNDS=2] [WORK=DIR] benches/build_cost.sh [FEATURE]
set -euo pipefail
FEATURE=${1:-distributed}
ROUNDS=${ROUNDS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/benches/common/work.sh"
base="zstd,zip"
for _ in $(seq "$ROUNDS"); do
  for features in "$base" "$base,$FEATURE"; do
    rm -rf "$WORK/target"
    t0=$(date +%s.%N)
    cargo build --release --quiet --no-default-features --features "$features" \
      --manifest-path "$ROOT/Cargo.toml" --target-dir "$WORK/target" --bin coordnet
    t1=$(date +%s.%N)
    printf '%-28s %6.1f s  %s bytes\n' "$features" "$(echo "$t1 - $t0" | bc)" \
      "$(stat -c %s "$WORK/target/release/coordnet")"
  done
done
