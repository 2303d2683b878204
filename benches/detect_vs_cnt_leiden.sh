#!/usr/bin/env bash
# `coordnet detect` end to end against the peer pipeline it replaces: coordination-network-toolkit
# (CNT) `preprocess` + `compute co_retweet`, then leidenalg on CNT's co-retweet graph. Same
# generated input on both sides; prints both times (median of RUNS, interleaved), the ratio, the
# peer graph's edges and leidenalg's communities, and coordnet's cluster count.
#
#   [RUNS=3] [VENV=DIR] [WORK=DIR] benches/detect_vs_cnt_leiden.sh [TWEETS]   (default 1280000)
#
# Target: on 1.28 million generated tweets, `detect` end to end at least 20x faster than the
# peer pipeline, measured in the same run.
#
# The peer's time is CNT `preprocess` + `compute co_retweet` (window 60 s, --min_edge_weight 1,
# 2 CPUs, as in co_retweet_vs_cnt.sh) + one python process that reads CNT's co-retweet edges
# from its database through CNT's own edge reader (graph.get_edge_rows: what its
# `export_network` writes, self-loops left out; the CSV export itself fails in CNT's current
# release), builds an undirected python-igraph graph (the two directions of a pair summed) and
# runs leidenalg.find_partition(g, ModularityVertexPartition, weights='weight', seed=1).
# Interpreter start and imports are counted. coordnet's time is `coordnet detect tweets.csv -o
# out -q`: reading, the seven graphs, Leiden, roles, scoring and writing every output; and
# again on the file the peer reads (CNT's CSV, format `cnt`: no URL, mention, language or
# profile columns, hashtags from the text), so both sides read the same bytes.
# CNT, leidenalg and igraph are installed from PyPI into a throwaway virtualenv (never a project
# dependency), under WORK (benches/common/work.sh).
set -euo pipefail
TWEETS=${1:-1280000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/benches/common/work.sh"
VENV=${VENV:-$WORK/venv}
RUNS=${RUNS:-3}

cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin coordnet
# A private copy, so a rebuild in the tree during the run cannot swap the binary under it.
cp "$ROOT/target/release/coordnet" "$WORK/coordnet"
BIN=$WORK/coordnet
if [ ! -x "$VENV/bin/compute_networks" ] ||
  ! "$VENV/bin/python" -c "import leidenalg, igraph" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet coordination-network-toolkit leidenalg igraph
fi

"$BIN" synth -o "$WORK/data" --tweets "$TWEETS" --seed 1 >/dev/null 2>&1
# CNT's CSV layout (see benches/common/to_cnt_csv.py).
python3 "$ROOT/benches/common/to_cnt_csv.py" "$WORK/data/tweets.csv" "$WORK/cnt.csv"

# The peer's community step: CNT's edge list into igraph, then leidenalg. Prints
# "<directed rows> <undirected edges> <nodes> <communities>".
cat >"$WORK/leiden.py" <<'PY'
import sys
import igraph as ig
import leidenalg
from coordination_network_toolkit.graph import get_edge_rows

rows = [(r[0], r[1], r[2]) for r in get_edge_rows(sys.argv[1], "co_retweet")]
g = ig.Graph.TupleList(rows, directed=False, edge_attrs=["weight"])
g.simplify(multiple=True, loops=True, combine_edges={"weight": "sum"})
part = leidenalg.find_partition(g, leidenalg.ModularityVertexPartition, weights="weight", seed=1)
print(len(rows), g.ecount(), g.vcount(), len(part))
PY

now() { date +%s.%N; }
# Written data is flushed first, so no run pays for the writeback of the generated files.
sync
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
runs_peer=(); runs_cnt=(); runs_leiden=(); runs_ours=(); runs_same=()
for _ in $(seq "$RUNS"); do
  # Outputs of the last run are removed untimed: replacing files the kernel is still writing
  # back waits for that writeback.
  rm -rf "$WORK/cnt.db" "$WORK/out" "$WORK/out_same"
  t0=$(now)
  "$VENV/bin/compute_networks" "$WORK/cnt.db" preprocess "$WORK/cnt.csv" >"$WORK/cnt.log" 2>&1
  "$VENV/bin/compute_networks" "$WORK/cnt.db" compute co_retweet --time_window 60 \
    --min_edge_weight 1 --n_cpus 2 >>"$WORK/cnt.log" 2>&1
  t1=$(now)
  "$VENV/bin/python" "$WORK/leiden.py" "$WORK/cnt.db" >"$WORK/leiden.out" 2>"$WORK/leiden.log"
  t2=$(now)
  # Each side's writes are flushed, untimed, before the other runs: the peer's database (1 GB
  # at 1.28M tweets) would otherwise be written back while detect runs, on its time.
  sync
  t2s=$(now)
  "$BIN" detect "$WORK/data/tweets.csv" -o "$WORK/out" -q >"$WORK/detect.log" 2>&1
  t3=$(now)
  sync
  t3s=$(now)
  "$BIN" detect "$WORK/cnt.csv" -o "$WORK/out_same" -q >"$WORK/detect_same.log" 2>&1
  t4=$(now)
  sync
  runs_cnt+=("$(echo "$t1 - $t0" | bc)"); runs_leiden+=("$(echo "$t2 - $t1" | bc)")
  runs_peer+=("$(echo "$t2 - $t0" | bc)"); runs_ours+=("$(echo "$t3 - $t2s" | bc)")
  runs_same+=("$(echo "$t4 - $t3s" | bc)")
done
echo "peer runs: ${runs_peer[*]} s (CNT ${runs_cnt[*]}; leidenalg step ${runs_leiden[*]})"
echo "coordnet detect runs: ${runs_ours[*]} s; on CNT's file: ${runs_same[*]} s"

python3 - "$(median "${runs_peer[@]}")" "$(median "${runs_cnt[@]}")" \
  "$(median "${runs_leiden[@]}")" "$(median "${runs_ours[@]}")" "$TWEETS" "$RUNS" \
  "$WORK/leiden.out" "$WORK/out/summary.json" "$(median "${runs_same[@]}")" \
  "$WORK/out_same/summary.json" <<'PY'
import json, sys
peer, cnt, leiden, ours, n, runs, leiden_out, summary, same, summary_same = sys.argv[1:]
peer, cnt, leiden, ours, same = float(peer), float(cnt), float(leiden), float(ours), float(same)
rows, edges, nodes, comms = (int(x) for x in open(leiden_out).read().split())
clusters = json.load(open(summary))["counts"]["clusters"]
print(f"tweets: {int(n):,}")
print(f"peer (CNT preprocess + compute co_retweet + leidenalg): {peer:.2f} s (median of {runs}; "
      f"CNT {cnt:.2f} s, leidenalg step {leiden:.2f} s)")
print(f"  co-retweet graph: {rows:,} directed rows, {edges:,} undirected edges, {nodes:,} accounts; "
      f"leidenalg communities: {comms:,}")
print(f"coordnet detect end to end: {ours:.2f} s (median of {runs}); clusters: {clusters:,}")
print(f"speed-up (peer / coordnet): {peer / ours:.1f}x (target: 20x)")
clusters_same = json.load(open(summary_same))["counts"]["clusters"]
print(f"coordnet detect on CNT's own file: {same:.2f} s (median of {runs}); clusters: "
      f"{clusters_same:,}; speed-up on the same file: {peer / same:.1f}x")
PY
