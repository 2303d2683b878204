#!/usr/bin/env bash
# Runs across processes, many times over, side by side, to catch what happens once in hundreds
# of runs: a race between processes' messages, a hang. Each run is `detect --input-kind
# archive` on a generated archive of 100,000 tweets in two files, on 2 or 3 processes of 1 or 2
# threads (turn by turn) on 127.0.0.1, with LOOPS runs going at once. A run whose processes
# have not all stopped after 60 s is a hang: each live process's threads' stacks are written
# (with gdb, where installed) beside its output, and the run is killed. Prints the runs, the
# hangs and the failures, and where each one's files are kept.
#
#   [LOOPS=4] [WORK=DIR] benches/across_stress.sh [RUNS]   (default 1200, shared by the loops)
#
# Needs a build with `--features distributed`. The binary is copied first, so a rebuild while
# it runs does not mix two builds in one run. WORK as in benches/common/work.sh; a temporary
# one is also kept when a run hung or failed.
set -euo pipefail
RUNS=${1:-1200}
LOOPS=${LOOPS:-4}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/benches/common/work.sh"
cargo build --release --features distributed --manifest-path "$ROOT/Cargo.toml" -q
BIN="$WORK/coordnet"
cp "$ROOT/target/release/coordnet" "$BIN"
"$BIN" synth -o "$WORK/data" --tweets 100000 --parts 2 --archive-only --quiet

# One run, tagged `$1`, on `$2` processes of `$3` threads: 0 if every process succeeded, 1 if
# one failed, 2 if they hung.
one() {
  local tag=$1 n=$2 threads=$3 w="$WORK/run-$1" pids=() p i
  mkdir -p "$w"
  for p in $(python3 -c "
import socket
s = [socket.socket() for _ in range($n)]
[x.bind(('127.0.0.1', 0)) for x in s]
print(' '.join(str(x.getsockname()[1]) for x in s))"); do
    echo "127.0.0.1:$p"
  done >"$w/hosts"
  for ((i = 0; i < n; i++)); do
    "$BIN" detect "$WORK/data/tweets_1.csv" "$WORK/data/tweets_2.csv" --input-kind archive \
      -o "$w/out" -q --processes "$n" --process "$i" --hostfile "$w/hosts" \
      --threads "$threads" --connect-timeout 20 >"$w/p$i.out" 2>"$w/p$i.err" &
    pids+=($!)
  done
  local started=$SECONDS alive
  while :; do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    if ((SECONDS - started > 60)); then
      for p in "${pids[@]}"; do
        if kill -0 "$p" 2>/dev/null && command -v gdb >/dev/null; then
          gdb -p "$p" -batch -ex "thread apply all bt" >"$w/stacks-$p.txt" 2>&1 || true
        fi
      done
      for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
      return 2
    fi
    sleep 0.2
  done
  local rc=0
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}

for ((l = 0; l < LOOPS; l++)); do
  (
    for ((r = l; r < RUNS; r += LOOPS)); do
      rc=0
      one "$r" $((2 + r % 2)) $((1 + (r / 2) % 2)) || rc=$?
      case $rc in
        0) rm -rf "$WORK/run-$r" ;;
        1) echo "failed $r" >>"$WORK/outcomes" ;;
        *) echo "hung $r" >>"$WORK/outcomes" ;;
      esac
    done
  ) &
done
wait
touch "$WORK/outcomes"
hung=$(grep -c '^hung' "$WORK/outcomes" || true)
failed=$(grep -c '^failed' "$WORK/outcomes" || true)
echo "runs: $RUNS ($LOOPS at once); hung: $hung; failed: $failed"
if ((hung + failed > 0)); then
  sed "s|\$| (files in $WORK/run-N)|" "$WORK/outcomes"
  KEEP=1
  exit 1
fi
