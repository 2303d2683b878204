#!/usr/bin/env bash
# Two builds of coordnet on the same command, interleaved (old, new, old, new, ...), so that a
# noisy machine's drift falls on both: prints each run and the medians of wall seconds, CPU
# seconds (user + system) and peak resident MB, as /usr/bin/time reports them.
#
#   [RUNS=7] benches/ab.sh OLD_BIN NEW_BIN ARGS...
#
# An argument `OUT` in ARGS is replaced by a fresh output folder for each run, e.g.
#   benches/ab.sh /tmp/old/coordnet target/release/coordnet detect tweets.csv -o OUT -q
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,9p "$0"; exit 2; }
OLD=$1 NEW=$2
shift 2
RUNS=${RUNS:-7}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for _ in $(seq "$RUNS"); do
  for side in old new; do
    bin=$OLD
    [ "$side" = new ] && bin=$NEW
    rm -rf "$WORK/out"
    args=()
    for a in "$@"; do [ "$a" = OUT ] && args+=("$WORK/out") || args+=("$a"); done
    /usr/bin/time -o "$WORK/time" -f "%e %U %S %M" "$bin" "${args[@]}" >/dev/null 2>&1
    read -r wall user sys peak <"$WORK/time"
    echo "$side $wall $(echo "$user + $sys" | bc) $((peak / 1024))" | tee -a "$WORK/runs"
  done
done
median() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
for side in old new; do
  wall=$(awk -v s=$side '$1==s{print $2}' "$WORK/runs" | median)
  cpu=$(awk -v s=$side '$1==s{print $3}' "$WORK/runs" | median)
  peak=$(awk -v s=$side '$1==s{print $4}' "$WORK/runs" | median)
  echo "$side: median wall $wall s, CPU $cpu s, peak $peak MB ($RUNS runs)"
done
