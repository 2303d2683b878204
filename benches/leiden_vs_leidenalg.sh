#!/usr/bin/env bash
# coordnet's Leiden against leidenalg (Traag's C++ reference, via python-igraph), side by side
# on the same graphs with the same settings: modularity, resolution 1, 2 iterations, one run.
# Both partitions are scored by igraph's own modularity, so the quality comparison does not
# trust either tool's report. Times are of the algorithm alone (graph loading excluded on
# both sides); coordnet uses every core, leidenalg one (it has no parallel mode).
#
#   benches/leiden_vs_leidenalg.sh [MAX_NODES]     (default 1000000: LFR graphs up to 10M edges)
#
# leidenalg and igraph are installed from PyPI into a throwaway virtualenv, never a project
# dependency.
set -euo pipefail
MAX=${1:-1000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/benches/common/work.sh"
VENV=${VENV:-$WORK/venv}
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin coordnet --example lfr_graph
BIN=$ROOT/target/release/coordnet
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import leidenalg, igraph" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet leidenalg igraph
fi

# Zachary's karate club, then co-retweet edges from the bundled sample, then LFR graphs.
python3 - "$WORK/karate.csv" <<'PY'
import sys
adj = {1: [2,3,4,5,6,7,8,9,11,12,13,14,18,20,22,32], 2: [3,4,8,14,18,20,22,31],
       3: [4,8,9,10,14,28,29,33], 4: [8,13,14], 5: [7,11], 6: [7,11,17], 7: [17], 9: [31,33,34],
       10: [34], 14: [34], 15: [33,34], 16: [33,34], 19: [33,34], 20: [34], 21: [33,34],
       23: [33,34], 24: [26,28,30,33,34], 25: [26,28,32], 26: [32], 27: [30,34], 28: [34],
       29: [32,34], 30: [33,34], 31: [33,34], 32: [33,34], 33: [34]}
with open(sys.argv[1], "w") as f:
    f.write("source,target,weight\n")
    for a, bs in adj.items():
        for b in bs:
            f.write(f"{a},{b},1\n")
PY
graphs="karate"
"$BIN" graph --kind co-retweet --window 60s "$ROOT/data-samples/tweets.csv.gz" -o "$WORK/sample-raw.csv" 2>/dev/null
python3 - "$WORK/sample-raw.csv" "$WORK/sample.csv" <<'PY'
import csv, sys
with open(sys.argv[1]) as f, open(sys.argv[2], "w", newline="") as g:
    w = csv.writer(g); w.writerow(["source", "target", "weight"])
    for r in csv.DictReader(f):
        w.writerow([r["source"], r["target"], r["idf_weight"]])
PY
graphs="$graphs sample"
n=10000
while [ "$n" -le "$MAX" ]; do
  "$ROOT/target/release/examples/lfr_graph" "$n" 20 0.3 1 "$WORK/lfr$n.csv" "$WORK/lfr$n-truth.csv" 2>/dev/null
  graphs="$graphs lfr$n"
  n=$((n * 10))
done

printf "%-12s %10s %11s %12s %12s %10s %10s %9s\n" graph nodes edges coordnet_Q leidenalg_Q Q_ratio coordnet_s leidenalg_s
for name in $graphs; do
  log=$("$BIN" communities "$WORK/$name.csv" -o "$WORK/$name-coordnet.csv" 2>&1)
  secs=$(echo "$log" | sed -n 's/.* clusters in \([0-9.]*\) s.*/\1/p')
  "$VENV/bin/python" - "$WORK/$name.csv" "$WORK/$name-coordnet.csv" "$secs" "$name" <<'PY'
import csv, sys, time
import igraph as ig, leidenalg as la
edges_f, ours_f, our_secs, name = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
names, edges, weights = {}, [], []
def node(x):
    return names.setdefault(x, len(names))
with open(edges_f) as f:
    for r in csv.DictReader(f):
        edges.append((node(r["source"]), node(r["target"])))
        weights.append(float(r["weight"]))
g = ig.Graph(n=len(names), edges=edges)
g.es["weight"] = weights
t = time.perf_counter()
p = la.find_partition(g, la.ModularityVertexPartition, weights="weight", n_iterations=2, seed=1)
theirs_secs = time.perf_counter() - t
ours = [0] * len(names)
with open(ours_f) as f:
    for r in csv.DictReader(f):
        ours[names[r["node"]]] = int(r["cluster"])
q_ours = g.modularity(ours, weights="weight")
q_theirs = g.modularity(p.membership, weights="weight")
print(f"{name:<12} {g.vcount():>10} {g.ecount():>11} {q_ours:>12.5f} {q_theirs:>12.5f} "
      f"{q_ours / q_theirs:>10.4f} {our_secs:>10.3f} {theirs_secs:>9.3f}  ({theirs_secs / max(our_secs, 1e-3):.1f}x)")
PY
done
