#!/usr/bin/env bash
# `coordnet detect` on one process against two processes on this machine (127.0.0.1), on a
# generated collection in PARTS zstd files: wall time (median of RUNS, interleaved), peak
# resident memory of each process, and the bytes the processes sent each other per tweet
# (the loopback interface's counter, read before and after). Checks that both give the same
# files (summary.json's timings aside).
#
#   [RUNS=3] [WORK=DIR] benches/processes.sh [TWEETS] [PARTS]     (default 10000000 8)
#
# On one 2-core machine the two processes share the same two cores (each with its default
# threads, one per core), so the ratio measures what the cluster costs, not a speed-up.
set -euo pipefail
TWEETS=${1:-10000000}
PARTS=${2:-8}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
cleanup() { if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT
cargo build --release --quiet --features distributed --manifest-path "$ROOT/Cargo.toml" --bin coordnet
cp "$ROOT/target/release/coordnet" "$WORK/coordnet"
BIN=$WORK/coordnet
if [ ! -f "$WORK/data/tweets_1.csv.zst" ]; then
  "$BIN" synth -o "$WORK/data" --tweets "$TWEETS" --seed 1 --zstd --parts "$PARTS" -q >/dev/null
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
lo_bytes() { cat /sys/class/net/lo/statistics/tx_bytes; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
one=(); two=(); mem1=(); mem0=(); memr=(); sent=()
for _ in $(seq "$RUNS"); do
  rm -rf "$WORK/one" "$WORK/two"
  t0=$(now)
  /usr/bin/time -f %M -o "$WORK/one.mem" "$BIN" detect "$WORK"/data/tweets_*.csv.zst -o "$WORK/one" -q \
    >/dev/null 2>&1
  t1=$(now)
  printf '127.0.0.1:%s\n127.0.0.1:%s\n' "$(free_port)" "$(free_port)" >"$WORK/hosts"
  b0=$(lo_bytes)
  t2=$(now)
  /usr/bin/time -f %M -o "$WORK/p1.mem" "$BIN" detect "$WORK"/data/tweets_*.csv.zst -o "$WORK/two" -q \
    --processes 2 --process 1 --hostfile "$WORK/hosts" >/dev/null 2>"$WORK/p1.err" &
  /usr/bin/time -f %M -o "$WORK/p0.mem" "$BIN" detect "$WORK"/data/tweets_*.csv.zst -o "$WORK/two" -q \
    --processes 2 --process 0 --hostfile "$WORK/hosts" >/dev/null 2>"$WORK/p0.err"
  wait
  t3=$(now)
  b1=$(lo_bytes)
  one+=("$(echo "$t1 - $t0" | bc)"); two+=("$(echo "$t3 - $t2" | bc)")
  mem1+=("$(tail -1 "$WORK/one.mem")"); mem0+=("$(tail -1 "$WORK/p0.mem")"); memr+=("$(tail -1 "$WORK/p1.mem")")
  sent+=("$((b1 - b0))")
done
strip() { python3 -c '
import json,sys
for p in sys.argv[1:]:
    v=json.load(open(p)); v.pop("timings_s",None); v.get("ingest",{}).pop("seconds",None)
    print(json.dumps(v,sort_keys=True))' "$@"; }
same=yes
for f in "$WORK"/one/*; do
  n=$(basename "$f")
  if [ "$n" = summary.json ]; then
    [ "$(strip "$f")" = "$(strip "$WORK/two/$n")" ] || same=no
  else
    cmp -s "$f" "$WORK/two/$n" || same=no
  fi
done
s1=$(median "${one[@]}"); s2=$(median "${two[@]}")
echo "tweets: $TWEETS in $PARTS zstd files"
echo "one process:    $s1 s (median of $RUNS), peak $(( $(median "${mem1[@]}") / 1024 )) MB"
echo "two processes:  $s2 s (median of $RUNS); peak process 0 $(( $(median "${mem0[@]}") / 1024 )) MB, process 1 $(( $(median "${memr[@]}") / 1024 )) MB"
echo "sent between the processes: $(median "${sent[@]}") bytes, $(echo "scale=1; $(median "${sent[@]}") / $TWEETS" | bc) bytes per tweet"
echo "ratio two/one: $(echo "scale=2; $s2 / $s1" | bc); same outputs: $same"
