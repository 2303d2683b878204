#!/usr/bin/env bash
# Detection quality on generated data with known answers, at default settings: for each scale
# and seed, `coordnet synth` writes tweets with planted networks and organic traps, `coordnet
# detect` runs on them end to end (timed, ingest included), and `coordnet eval` scores the
# result against the truth. Prints one row per run and the medians and worst cases per scale.
#
#   benches/detect_quality.sh [SCALES] [SEEDS]    (default: "100000 1000000" and "1 2 3 4 5")
#
# Targets (issue #5): F1 >= 0.9, ARI >= 0.85, role accuracy >= 0.9, recall >= 0.8 for every
# planted network, no trap flagged; detect on 1M tweets <= 10 s on 2 cores.
set -euo pipefail
SCALES=${1:-"100000 1000000"}
SEEDS=${2:-"1 2 3 4 5"}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
echo "work dir: $WORK"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin coordnet
BIN=$ROOT/target/release/coordnet
RESULTS=$WORK/results.jsonl
: > "$RESULTS"
for scale in $SCALES; do
  for seed in $SEEDS; do
    data=$WORK/synth-$scale-$seed
    [ -f "$data/truth.csv" ] || "$BIN" synth --tweets "$scale" --seed "$seed" -o "$data" 2>/dev/null
    out=$WORK/detect-$scale-$seed
    start=$(date +%s.%N)
    "$BIN" detect "$data/tweets.csv" -o "$out" 2>/dev/null
    end=$(date +%s.%N)
    "$BIN" eval --json --truth "$data/truth.csv" "$out" \
      | python3 -c "import json,sys; e=json.load(sys.stdin); e.update(scale=$scale, seed=$seed, secs=$end-$start); print(json.dumps(e))" \
      >> "$RESULTS"
  done
done
python3 - "$RESULTS" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
def min_recall(e):
    return min(h / t for t, h in e["per_network"].values())
print(f"{'tweets':>8} {'seed':>4} {'F1':>6} {'ARI':>6} {'NMI':>6} {'roles':>6} {'min net recall':>15} {'traps':>6} {'secs':>6}")
for e in runs:
    print(f"{e['scale']:>8} {e['seed']:>4} {e['f1']:>6.3f} {e['ari']:>6.3f} {e['nmi']:>6.3f} "
          f"{e['role_accuracy']:>6.3f} {min_recall(e):>15.3f} {e['traps_flagged']:>3}/{len(e['traps']):<2} {e['secs']:>6.2f}")
print()
for scale in sorted({e["scale"] for e in runs}):
    rs = [e for e in runs if e["scale"] == scale]
    med = lambda k: statistics.median(e[k] for e in rs)
    worst = lambda k: min(e[k] for e in rs)
    nets = sorted(rs[0]["per_network"])
    per_net = ", ".join(
        f"{n} {min(e['per_network'][n][1] / e['per_network'][n][0] for e in rs):.3f}" for n in nets)
    print(f"{scale} tweets, {len(rs)} seeds: F1 median {med('f1'):.3f} (worst {worst('f1'):.3f}); "
          f"ARI {med('ari'):.3f} ({worst('ari'):.3f}); role accuracy {med('role_accuracy'):.3f} "
          f"({worst('role_accuracy'):.3f}); traps flagged {sum(e['traps_flagged'] for e in rs)}; "
          f"detect median {med('secs'):.2f} s")
    print(f"  worst recall per network: {per_net}")
PY
