#!/usr/bin/env bash
# coordnet's Leiden against the parallel community detectors people use, on the same LFR
# graph, the same machine and the same number of threads, run after run interleaved so that
# a slow spell of the machine hits every tool alike. Prints each run, then medians.
#
#   benches/leiden_vs_parallel_peers.sh [NODES] [RUNS]     (defaults: 1000000 nodes, 3 runs)
#
# Peers:
# - networkit's PLM (parallel Louvain) and ParallelLeiden, from PyPI into a throwaway
#   virtualenv (VENV=... reuses one);
# - GVE-Leiden and GVE-Louvain (Sahu 2023, OpenMP C++), the source of the "10-25 M edges/s
#   per core" figure in issue #4. It is not on any registry: set GVE_SRC to a checkout of
#   github.com/puzzlef/leiden-communities-openmp and it is compiled here with g++ -O3
#   -fopenmp; without GVE_SRC it is skipped, loudly.
# Times are of the algorithm alone on every side (loading excluded); modularity is each
# tool's own report at resolution 1 (coordnet's is also recomputed by networkit).
set -euo pipefail
N=${1:-1000000}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/benches/common/work.sh"
VENV=${VENV:-$WORK/venv}
THREADS=$(nproc)
echo "$THREADS threads for every tool"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin coordnet --example lfr_graph
BIN=$ROOT/target/release/coordnet
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import networkit" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet networkit
fi
G=$WORK/lfr$N.csv
[ -s "$G" ] || "$ROOT/target/release/examples/lfr_graph" "$N" 20 0.3 1 "$G" "$WORK/lfr$N-truth.csv" 2>/dev/null

GVE=""
if [ -n "${GVE_SRC:-}" ]; then
  GVE=$WORK/gve
  g++ -DTYPE=float -DMAX_THREADS="$THREADS" -DREPEAT_METHOD=1 -std=c++17 -O3 -fopenmp \
    "$GVE_SRC/main.cxx" -o "$GVE"
  # MatrixMarket, 1-based; GVE makes the graph symmetric itself.
  [ -s "$G.mtx" ] || awk -F, 'NR == 1 { next } { n = ($1 > n ? $1 : n); n = ($2 > n ? $2 : n); e[NR] = ($1 + 1) " " ($2 + 1) " " $3 }
    END { print "%%MatrixMarket matrix coordinate real general"; print n + 1, n + 1, NR - 1; for (i = 2; i <= NR; i++) print e[i] }' "$G" > "$G.mtx"
else
  echo "GVE_SRC not set: GVE-Leiden skipped (see the comment at the top of this script)" >&2
fi

cat > "$WORK/nk.py" <<'PY'
import csv, sys, time
import networkit as nk
edges, ours, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
nk.setNumberOfThreads(threads)
g = nk.graphio.EdgeListReader(",", 0, commentPrefix="s", continuous=True, directed=False).read(edges)
# coordnet's partition scored by networkit, so its reported modularity is not taken on trust.
p = nk.Partition(g.upperNodeIdBound())
p.allToSingletons()
with open(ours) as f:
    for r in csv.DictReader(f):
        p.moveToSubset(int(r["cluster"]), int(r["node"]))
print(f"coordnet-rescored Q {nk.community.Modularity().getQuality(p, g):.5f}")
for name, algo in [("networkit-PLM", nk.community.PLM(g, refine=False, gamma=1.0)),
                   ("networkit-ParallelLeiden", nk.community.ParallelLeiden(g, gamma=1.0))]:
    t = time.perf_counter()
    algo.run()
    secs = time.perf_counter() - t
    q = nk.community.Modularity().getQuality(algo.getPartition(), g)
    print(f"{name} {secs:.3f} s Q {q:.5f}", flush=True)
PY

LOG=$WORK/runs.txt
: > "$LOG"
for r in $(seq 1 "$RUNS"); do
  line=$("$BIN" communities "$G" -o "$WORK/coordnet.csv" 2>&1 | tail -1)
  secs=$(echo "$line" | sed -n 's/.* clusters in \([0-9.]*\) s.*/\1/p')
  q=$(echo "$line" | sed -n 's/.*modularity \([0-9.]*\) .*/\1/p')
  echo "coordnet $secs s Q $q" | tee -a "$LOG"
  "$VENV/bin/python" "$WORK/nk.py" "$G" "$WORK/coordnet.csv" "$THREADS" | tee -a "$LOG"
  if [ -n "$GVE" ]; then
    # One line per method: {TIMEms, ... MODULARITY modularity, ...} method
    "$GVE" "$G.mtx" 0 1 | sed -n 's/^{0*\([0-9.]*\)ms,.* \([0-9.]*\) modularity,.*} \(.*\)StaticOmp$/GVE-\3 \1 ms Q \2/p' |
      awk '{ printf "%s %.3f s Q %s\n", $1, $2 / 1000, $5 }' | tee -a "$LOG"
  fi
done

edges=$(($(wc -l < "$G") - 1))
echo
printf "%-26s %10s %14s %12s %10s\n" tool median_s "M_edges/s/core" modularity vs_coordnet
awk -v edges="$edges" -v threads="$THREADS" '
  $2 ~ /^[0-9.]+$/ && $3 == "s" { n[$1]++; t[$1, n[$1]] = $2; q[$1] = $5; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
  function median(name,   i, j, m, a, x) {
    m = n[name]; for (i = 1; i <= m; i++) a[i] = t[name, i]
    for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  END {
    base = median("coordnet")
    for (i = 1; i <= k; i++) {
      s = median(order[i])
      printf "%-26s %10.3f %14.2f %12s %9.2fx\n", order[i], s, edges / s / threads / 1e6, q[order[i]], s / base
    }
  }' "$LOG"
