#!/usr/bin/env bash
# `coordnet detect` on one process against two processes on this machine (127.0.0.1), on a
# generated collection in PARTS zstd files: wall time (median of RUNS, interleaved), peak
# resident memory of each process, and the bytes the processes sent each other per tweet
# (the loopback interface's counter, read before and after). Checks that both give the same
# files (summary.json's timings aside).
#
#   [RUNS=3] [WORK=DIR] [THREADS=T] [PIN=1] [GRAPH=KIND] [INPUT="FILE..."] [BIN=PATH] \
#     benches/processes.sh [TWEETS] [PARTS]   (default 10000000 8)
#
# GRAPH=KIND runs `coordnet graph --kind KIND` (one graph, every edge, written as CSV) instead
# of `detect`. INPUT names the input files instead of generating them (TWEETS then only
# divides the bytes sent). BIN runs that binary instead of building this tree's (to compare
# builds).
#
# PARTS=1 writes one plain CSV instead, which the two processes split by byte ranges (process 0
# cuts it into chunks and parses every other one). THREADS=T gives every process T threads
# (default: one per core).
#
# On one 2-core machine the two processes share the same two cores (each with its default
# threads, one per core), so the ratio measures what the cluster costs, not a speed-up.
# PIN=1 measures the speed-up: every process gets one thread and is pinned (`taskset`) to a
# core of its own, as on two one-core hosts, against one process with one thread on one core.
# (THREADS=1 alone leaves each process's reading, merging and network threads free to run on
# either core.)
set -euo pipefail
TWEETS=${1:-10000000}
PARTS=${2:-8}
RUNS=${RUNS:-3}
THREADS_ARG=()
PIN0=(); PIN1=()
if [ "${PIN:-0}" = 1 ]; then
  THREADS=1
  PIN0=(taskset -c 0); PIN1=(taskset -c 1)
fi
if [ -n "${THREADS:-}" ]; then THREADS_ARG=(--threads "$THREADS"); fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/benches/common/work.sh"
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --features distributed --manifest-path "$ROOT/Cargo.toml" --bin coordnet
  cp "$ROOT/target/release/coordnet" "$WORK/coordnet"
  BIN=$WORK/coordnet
fi
CMD=(detect); ONE=$WORK/one; TWO=$WORK/two; STAGES=7
if [ -n "${GRAPH:-}" ]; then
  CMD=(graph --kind "$GRAPH"); ONE=$WORK/one.csv; TWO=$WORK/two.csv; STAGES=3
fi
if [ -n "${INPUT:-}" ]; then
  read -r -a INPUTS <<<"$INPUT"
  SHAPE="${#INPUTS[@]} file(s) given"
elif [ "$PARTS" = 1 ]; then
  INPUTS=("$WORK/data/tweets.csv")
  [ -f "${INPUTS[0]}" ] || "$BIN" synth -o "$WORK/data" --tweets "$TWEETS" --seed 1 -q >/dev/null
  SHAPE="one plain file"
else
  INPUTS=()
  # A folder per number of parts: synth refuses one holding another run's tweet files.
  for k in $(seq "$PARTS"); do INPUTS+=("$WORK/data-$PARTS/tweets_$k.csv.zst"); done
  [ -f "${INPUTS[0]}" ] ||
    "$BIN" synth -o "$WORK/data-$PARTS" --tweets "$TWEETS" --seed 1 --zstd --parts "$PARTS" -q >/dev/null
  SHAPE="$PARTS zstd files"
fi
# The reading stage's seconds: from its start to the next stage's, in COORDNET_TIMINGS' notes.
reading() {
  awk -v s="$STAGES" '$1 == "[1/" s "]" {gsub(/\(/,""); a=$4} $1 == "[2/" s "]" {gsub(/\(/,""); print $4 - a}' "$1"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
lo_bytes() { cat /sys/class/net/lo/statistics/tx_bytes; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
# From /usr/bin/time's last line ("%M %U %S"): peak KB, and user plus system seconds.
field() { tail -1 "$WORK/$1.mem" | awk "{print \$$2}"; }
cpu() { tail -1 "$WORK/$1.mem" | awk '{print $2 + $3}'; }
one=(); two=(); mem1=(); mem0=(); memr=(); sent=(); read1=(); read2=(); cpu1=(); cpu0=(); cpur=()
for _ in $(seq "$RUNS"); do
  rm -rf "$ONE" "$TWO"
  t0=$(now)
  COORDNET_TIMINGS=1 /usr/bin/time -f "%M %U %S" -o "$WORK/one.mem" "${PIN0[@]}" "$BIN" "${CMD[@]}" \
    "${INPUTS[@]}" -o "$ONE" -q "${THREADS_ARG[@]}" >/dev/null 2>"$WORK/one.err"
  t1=$(now)
  printf '127.0.0.1:%s\n127.0.0.1:%s\n' "$(free_port)" "$(free_port)" >"$WORK/hosts"
  b0=$(lo_bytes)
  t2=$(now)
  /usr/bin/time -f "%M %U %S" -o "$WORK/p1.mem" "${PIN1[@]}" "$BIN" "${CMD[@]}" "${INPUTS[@]}" \
    -o "$TWO" -q "${THREADS_ARG[@]}" --processes 2 --process 1 --hostfile "$WORK/hosts" \
    >/dev/null 2>"$WORK/p1.err" &
  COORDNET_TIMINGS=1 /usr/bin/time -f "%M %U %S" -o "$WORK/p0.mem" "${PIN0[@]}" "$BIN" "${CMD[@]}" \
    "${INPUTS[@]}" -o "$TWO" -q "${THREADS_ARG[@]}" --processes 2 --process 0 \
    --hostfile "$WORK/hosts" >/dev/null 2>"$WORK/p0.err"
  wait
  t3=$(now)
  b1=$(lo_bytes)
  one+=("$(echo "$t1 - $t0" | bc)"); two+=("$(echo "$t3 - $t2" | bc)")
  mem1+=("$(field one 1)"); mem0+=("$(field p0 1)"); memr+=("$(field p1 1)")
  cpu1+=("$(cpu one)"); cpu0+=("$(cpu p0)"); cpur+=("$(cpu p1)")
  sent+=("$((b1 - b0))")
  read1+=("$(reading "$WORK/one.err")"); read2+=("$(reading "$WORK/p0.err")")
done
strip() { python3 -c '
import json,sys
for p in sys.argv[1:]:
    v=json.load(open(p)); v.pop("timings_s",None); v.get("ingest",{}).pop("seconds",None)
    print(json.dumps(v,sort_keys=True))' "$@"; }
same=yes
if [ -n "${GRAPH:-}" ]; then cmp -s "$ONE" "$TWO" || same=no; fi
for f in $([ -z "${GRAPH:-}" ] && echo "$WORK"/one/*); do
  n=$(basename "$f")
  if [ "$n" = summary.json ]; then
    [ "$(strip "$f")" = "$(strip "$WORK/two/$n")" ] || same=no
  else
    cmp -s "$f" "$WORK/two/$n" || same=no
  fi
done
s1=$(median "${one[@]}"); s2=$(median "${two[@]}")
PINNED=""
if [ "${PIN:-0}" = 1 ]; then PINNED=", each process pinned to a core of its own"; fi
echo "${CMD[*]}; tweets: $TWEETS in $SHAPE; threads per process: ${THREADS:-one per core}$PINNED"
echo "reading stage: one process $(median "${read1[@]}") s, two processes $(median "${read2[@]}") s (medians)"
echo "one process:    $s1 s (median of $RUNS), peak $(( $(median "${mem1[@]}") / 1024 )) MB"
echo "two processes:  $s2 s (median of $RUNS); peak process 0 $(( $(median "${mem0[@]}") / 1024 )) MB, process 1 $(( $(median "${memr[@]}") / 1024 )) MB"
echo "CPU seconds (user and system): one process $(median "${cpu1[@]}"); process 0 $(median "${cpu0[@]}"), process 1 $(median "${cpur[@]}")"
echo "sent between the processes: $(median "${sent[@]}") bytes, $(echo "scale=1; $(median "${sent[@]}") / $TWEETS" | bc) bytes per tweet"
echo "ratio two/one: $(echo "scale=2; $s2 / $s1" | bc) (speed-up $(echo "scale=2; $s1 / $s2" | bc)x); same outputs: $same"
