#!/usr/bin/env bash
# Detection on data from a second, independent generator (benches/independent/gen.py: stdlib
# Python, written without reading `coordnet synth`, with its own ideas of organic activity,
# operations and traps), so that the defaults are not judged only on the generator they were
# tuned on. Each scenario is generated with a fixed seed into WORK, read by `coordnet detect`
# with defaults, and measured by benches/independent/measure.py: what the input was taken for,
# flagged accounts' precision and recall against the planted ones, traps flagged, and ARI of
# the planted operations against the clusters.
#
#   [WORK=DIR] [KEEP=1] benches/independent_quality.sh [SCENARIO...]   (default: all)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/benches/common/work.sh"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin coordnet
BIN=$ROOT/target/release/coordnet
GEN=$ROOT/benches/independent/gen.py
# name: scenario seed and sizes (accounts, tweets, days; archives size themselves).
declare -A ARGS=(
  [fastring]="fastring --seed 11 --accounts 20000 --tweets 200000 --days 10"
  [slow]="slow --seed 12 --accounts 30000 --tweets 300000 --days 14"
  [copypaste]="copypaste --seed 13 --accounts 15000 --tweets 150000 --days 7"
  [urlpush]="urlpush --seed 14 --accounts 25000 --tweets 250000 --days 10"
  [cells]="cells --seed 15 --accounts 50000 --tweets 450000 --days 14"
  [replyspam]="replyspam --seed 16 --accounts 10000 --tweets 120000 --days 7"
  [viral]="viral --seed 17 --accounts 20000 --tweets 200000 --days 5"
  [trending]="trending --seed 18 --accounts 20000 --tweets 200000 --days 5"
  [fans]="fans --seed 19 --accounts 20000 --tweets 200000 --days 14"
  [busy]="busy --seed 20 --accounts 8000 --tweets 100000 --days 10"
  [combined]="combined --seed 21 --accounts 50000 --tweets 250000 --days 14"
  [combined_s34]="combined --seed 34 --accounts 50000 --tweets 250000 --days 14"
  [archive]="archive --seed 22 --days 14"
  [archive_s23]="archive --seed 23 --days 14"
  [archive_small]="archive --seed 24 --days 14 --opa-amps 500"
)
ORDER="fastring slow copypaste urlpush cells replyspam viral trending fans busy combined combined_s34 archive archive_s23 archive_small"
for name in ${*:-$ORDER}; do
  data=$WORK/d_$name out=$WORK/o_$name
  # shellcheck disable=SC2086
  [ -f "$data/tweets.csv" ] || python3 "$GEN" ${ARGS[$name]} --out "$data" >/dev/null
  "$BIN" detect "$data/tweets.csv" -o "$out" -q >/dev/null 2>&1
  traps=()
  [ -f "$data/traps.csv" ] && traps=("$data/traps.csv")
  python3 "$ROOT/benches/independent/measure.py" "$out" "$data/truth.csv" "${traps[@]}" >"$out.measure"
  kind=$(python3 -c "import json,sys; i=json.load(open(sys.argv[1]))['input']; print(i['kind'], round(i['coordinated_tweet_share'], 2))" "$out/summary.json")
  flagged=$(grep -m1 '^flagged' "$out.measure" | sed 's/  */ /g')
  ari=$(sed -n 's/^ARI (planted accounts; unclustered = singletons): //p' "$out.measure")
  trapped=$(grep -c 'trap .* flagged [1-9]' "$out.measure" || true)
  printf '%-14s taken for %-16s %s; ARI %s; traps with a flagged account %s\n' \
    "$name" "$kind" "$flagged" "$ari" "$trapped"
done
