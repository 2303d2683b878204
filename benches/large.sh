#!/usr/bin/env bash
# Scaling of `coordnet detect` end to end: wall time, peak resident memory, bytes per tweet
# and each stage's time, on generated data shipped as large releases ship (zstd parts), for
# each scale and shape. Quality figures come from `coordnet eval` on the same run.
#
#   benches/large.sh [SCALES] [SHAPES]
#   (defaults: "100000 1000000 10000000", "collection archive"; 10^8 by naming it)
#
# Targets (issue 19, on this 2-core, 24 GiB machine): 10^8 tweets in at most 15 minutes and
# 16 GB peak (160 bytes per tweet), 10^7 in at most 2 GB; time close to linear in tweets.
# Generated data is written under WORK (benches/common/work.sh: by default a temporary folder,
# removed at the end unless KEEP=1), compressed: 10^7 tweets take about 1 GB, 10^8 about 10 GB of disk.
set -euo pipefail
SCALES=${1:-"100000 1000000 10000000"}
SHAPES=${2:-"collection archive"}
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
    data=$WORK/synth-$shape-$scale
    parts=$(( scale >= 10000000 ? scale / 2000000 : 1 ))
    [ -f "$data/truth.csv" ] || "$BIN" synth $flag --tweets "$scale" --zstd --parts "$parts" \
      -o "$data" --quiet 2>/dev/null
    out=$WORK/detect-$shape-$scale
    log=$WORK/detect-$shape-$scale.log
    COORDNET_TIMINGS=1 /usr/bin/time -f 'wall %e s, peak %M kB' \
      "$BIN" detect "$data"/tweets*.csv.zst -o "$out" 2> "$log"
    "$BIN" eval --json --truth "$data/truth.csv" "$out" > "$WORK/eval-$shape-$scale.json"
    python3 - "$log" "$out/summary.json" "$WORK/eval-$shape-$scale.json" "$shape" "$scale" \
      "$(du -sb "$data" | cut -f1)" >> "$RESULTS" <<'PY'
import json, re, sys
log, summary, ev, shape, scale, disk = sys.argv[1:]
text = open(log).read()
wall, peak_kb = re.search(r"wall ([\d.]+) s, peak (\d+) kB", text).groups()
s = json.load(open(summary))
e = json.load(open(ev))
print(json.dumps(dict(
    shape=shape, scale=int(scale), disk=int(disk), tweets=s["counts"]["tweets"],
    wall=float(wall), peak=int(peak_kb) * 1024, stages=s["timings_s"], found=s["input"]["kind"],
    f1=e["f1"], ari=e["ari"], cluster_ari=e["cluster_ari"],
    roles=e["cluster_role_accuracy"] if e.get("archive") else e["role_accuracy"])))
PY
  done
done
python3 - "$RESULTS" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
stages = []
for r in runs:
    stages += [k for k in r["stages"] if k not in stages]
head = f"{'shape':>10} {'tweets':>10} {'disk MB':>8} {'wall s':>7} {'peak MB':>8} {'B/tweet':>8} " \
       + " ".join(f"{k[:12]:>12}" for k in stages) + f" {'F1':>6} {'ARI':>6} {'clARI':>6} {'roles':>6}"
print(head)
for r in runs:
    per = " ".join(f"{r['stages'].get(k, 0):>12.1f}" for k in stages)
    print(f"{r['shape']:>10} {r['tweets']:>10} {r['disk'] / 1e6:>8.0f} {r['wall']:>7.1f} "
          f"{r['peak'] / 1e6:>8.0f} {r['peak'] / r['tweets']:>8.0f} {per} "
          f"{r['f1']:>6.3f} {r['ari']:>6.3f} {r['cluster_ari']:>6.3f} {r['roles']:>6.3f}")
PY
