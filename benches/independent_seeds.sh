#!/usr/bin/env bash
# One scenario of the independent generator (benches/independent/gen.py) over many seeds:
# whether a default holds across draws of the same world, not only on the one seed
# benches/independent_quality.sh keeps. Per seed: what the input was taken for and its share,
# flagged accounts' precision and recall against the planted ones, ARI, and whether a large
# cluster flagged only with members held by one event was clustered again; then the medians
# and the worst seed.
#
#   [WORK=DIR] [KEEP=1] [GEN_ARGS="..."] benches/independent_seeds.sh [SCENARIO] [SEEDS]
#     (default: combined, "31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49",
#      at 50,000 accounts, 250,000 tweets, 14 days as in independent_quality.sh; GEN_ARGS
#      adds the generator's flags, e.g. GEN_ARGS="--opa-amps 500" for a small archive)
set -euo pipefail
SCENARIO=${1:-combined}
SEEDS=${2:-"$(seq -s ' ' 31 49)"}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/benches/common/work.sh"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin coordnet
BIN=$ROOT/target/release/coordnet
rows=$WORK/rows.tsv
: >"$rows"
for seed in $SEEDS; do
  tag=${SCENARIO}${GEN_ARGS:+_${GEN_ARGS//[^a-z0-9]/}}_$seed
  data=$WORK/d_$tag out=$WORK/o_$tag
  # shellcheck disable=SC2086
  [ -f "$data/tweets.csv" ] || python3 "$ROOT/benches/independent/gen.py" "$SCENARIO" \
    --seed "$seed" --accounts 50000 --tweets 250000 --days 14 ${GEN_ARGS:-} --out "$data" >/dev/null
  # Stage notes go to standard error with COORDNET_TIMINGS (else only to a terminal).
  COORDNET_TIMINGS=1 "$BIN" detect "$data/tweets.csv" -o "$out" >/dev/null 2>"$out.log"
  traps=()
  [ -f "$data/traps.csv" ] && traps=("$data/traps.csv")
  python3 "$ROOT/benches/independent/measure.py" "$out" "$data/truth.csv" "${traps[@]}" >"$out.measure"
  again=$(grep -c 'flagged only with members held by one event' "$out.log" || true)
  python3 - "$out" "$seed" "$again" >>"$rows" <<'PY'
import json, re, sys
out, seed, again = sys.argv[1:]
i = json.load(open(f"{out}/summary.json"))["input"]
m = open(f"{out}.measure").read()
p, r = re.search(r"precision ([\d.]+) recall ([\d.]+)", m).groups()
ari = re.search(r"ARI \(planted accounts; unclustered = singletons\): (\S+)", m).group(1)
print(seed, i["kind"], round(i["coordinated_tweet_share"], 3), p, r, ari, again, sep="\t")
PY
  tail -1 "$rows" | awk -F'\t' '{printf "seed %-4s taken for %-10s share %-6s precision %s recall %s ARI %s clustered again %s\n", $1, $2, $3, $4, $5, $6, $7}'
done
python3 - "$rows" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
kinds = sorted({r[1] for r in rows})
print(f"{len(rows)} seeds, taken for: " + ", ".join(f"{k} {sum(r[1] == k for r in rows)}" for k in kinds))
for name, at in (("precision", 3), ("recall", 4), ("ARI", 5)):
    v = [float(r[at]) for r in rows if r[at] != "nan"]
    print(f"  {name}: median {statistics.median(v):.3f}, lowest {min(v):.3f}")
PY
