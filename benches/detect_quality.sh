#!/usr/bin/env bash
# Detection quality on generated data with known answers, at default settings, on both shapes
# of input: a mixed collection (`coordnet synth`: ordinary accounts, traps and planted
# networks) and a takedown archive (`coordnet synth --archive-only`: only the networks'
# accounts, several operations of each kind). For each shape, scale and seed, `coordnet
# detect` runs end to end (timed, ingest included) and `coordnet eval` scores it. Prints one
# row per run and the medians and worst cases per shape and scale.
#
#   [DETECT_ARGS="--flag value"] benches/detect_quality.sh [SCALES] [SEEDS] [SHAPES]
#   (defaults: "100000 1000000", "1 2 3 4 5", "collection archive"; DETECT_ARGS, to compare a
#   setting against its default, are added to every `detect`; WORK=DIR keeps the data for that)
#
# Targets: collection F1 >= 0.95, ARI >= 0.85, roles >= 0.95, every network recalled, no trap
# flagged; archive ARI >= 0.9 (all clusters against networks, over all archive accounts),
# >= 95% of network accounts in a cluster, roles >= 0.9, every network recalled >= 0.9.
set -euo pipefail
SCALES=${1:-"100000 1000000"}
SEEDS=${2:-"1 2 3 4 5"}
SHAPES=${3:-"collection archive"}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/benches/common/work.sh"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin coordnet
BIN=$ROOT/target/release/coordnet
RESULTS=$WORK/results.jsonl
: > "$RESULTS"
for shape in $SHAPES; do
  flag=""
  [ "$shape" = archive ] && flag="--archive-only"
  for scale in $SCALES; do
    for seed in $SEEDS; do
      data=$WORK/synth-$shape-$scale-$seed
      [ -f "$data/truth.csv" ] || "$BIN" synth $flag --tweets "$scale" --seed "$seed" -o "$data" 2>/dev/null
      out=$WORK/detect-$shape-$scale-$seed
      start=$(date +%s.%N)
      # shellcheck disable=SC2086
      "$BIN" detect "$data/tweets.csv" -o "$out" ${DETECT_ARGS:-} >/dev/null 2>&1
      end=$(date +%s.%N)
      kind=$(python3 -c "import json; print(json.load(open('$out/summary.json'))['input']['kind'])")
      "$BIN" eval --json --truth "$data/truth.csv" "$out" \
        | python3 -c "import json,sys; e=json.load(sys.stdin); e.update(shape='$shape', found='$kind', scale=$scale, seed=$seed, secs=$end-$start); print(json.dumps(e))" \
        >> "$RESULTS"
    done
  done
done
python3 - "$RESULTS" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
def min_recall(e):
    return min(h / t for t, h in e["per_network"].values())
print(f"{'shape':>10} {'tweets':>8} {'seed':>4} {'taken for':>10} {'F1':>6} {'ARI':>6} {'roles':>6} "
      f"{'clusterARI':>10} {'clustered':>9} {'clRoles':>7} {'minRecall':>9} {'traps':>6} {'secs':>6}")
for e in runs:
    clustered = e['clustered_network_accounts'] / max(e['listed_network_accounts'], 1)
    print(f"{e['shape']:>10} {e['scale']:>8} {e['seed']:>4} {e['found']:>10} {e['f1']:>6.3f} {e['ari']:>6.3f} "
          f"{e['role_accuracy']:>6.3f} {e['cluster_ari']:>10.3f} {clustered:>9.3f} "
          f"{e['cluster_role_accuracy']:>7.3f} {min_recall(e):>9.3f} {e['traps_flagged']:>3}/{len(e['traps']):<2} "
          f"{e['secs']:>6.2f}")
print()
for shape in sorted({e["shape"] for e in runs}):
    for scale in sorted({e["scale"] for e in runs if e["shape"] == shape}):
        rs = [e for e in runs if e["scale"] == scale and e["shape"] == shape]
        med = lambda f: statistics.median(f(e) for e in rs)
        worst = lambda f: min(f(e) for e in rs)
        nets = sorted(rs[0]["per_network"])
        per_net = ", ".join(
            f"{n} {min(e['per_network'][n][1] / e['per_network'][n][0] for e in rs):.3f}" for n in nets)
        kinds = sorted({e["found"] for e in rs})
        if shape == "archive":
            clustered = lambda e: e['clustered_network_accounts'] / max(e['listed_network_accounts'], 1)
            print(f"{shape}, {scale} tweets, {len(rs)} seeds (taken for: {', '.join(kinds)}): "
                  f"ARI median {med(lambda e: e['cluster_ari']):.3f} (worst {worst(lambda e: e['cluster_ari']):.3f}); "
                  f"clustered {med(clustered):.3f} ({worst(clustered):.3f}); "
                  f"roles {med(lambda e: e['cluster_role_accuracy']):.3f} ({worst(lambda e: e['cluster_role_accuracy']):.3f}); "
                  f"detect median {med(lambda e: e['secs']):.2f} s")
        else:
            print(f"{shape}, {scale} tweets, {len(rs)} seeds (taken for: {', '.join(kinds)}): "
                  f"F1 median {med(lambda e: e['f1']):.3f} (worst {worst(lambda e: e['f1']):.3f}); "
                  f"ARI {med(lambda e: e['ari']):.3f} ({worst(lambda e: e['ari']):.3f}); "
                  f"roles {med(lambda e: e['role_accuracy']):.3f} ({worst(lambda e: e['role_accuracy']):.3f}); "
                  f"traps flagged {sum(e['traps_flagged'] for e in rs)}; detect median {med(lambda e: e['secs']):.2f} s")
        print(f"  worst recall per network (flagged): {per_net}")
PY
