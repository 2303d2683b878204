#!/usr/bin/env bash
# What `coordnet detect`, with defaults, makes of CooRTweet's own accounts on CooRTweet's data
# (../shared/data/coortweet/russian_coord_tweets.csv.gz). For each setting of CooRTweet's
# reference table (data/README.md), CooRTweet's coordinated network is rebuilt with `coordnet
# graph --kind co-retweet --coortweet` (which reproduces the table exactly, as a test checks),
# and its accounts are looked up in detect's accounts.csv: how many are in a cluster, in a
# flagged one, and the clusters that hold most of them. Also prints detect's flagged clusters
# and how many of each are in any of CooRTweet's networks. Each `--window` of WINDOWS is a
# run of detect (`auto`: the default, estimated from the data).
#
#   [WORK=DIR] [KEEP=1] [WINDOWS="auto 10s 1m"] benches/coortweet_reference.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${DATA:-$ROOT/../shared/data/coortweet/russian_coord_tweets.csv.gz}
if [ ! -f "$DATA" ]; then
  echo "SKIPPED: $DATA is absent (this bench reads ../shared/data)" >&2
  exit 0
fi
source "$ROOT/benches/common/work.sh"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin coordnet
BIN=$ROOT/target/release/coordnet

WINDOWS=${WINDOWS:-"auto 10s 1m"}
for w in $WINDOWS; do
  "$BIN" detect "$DATA" --window "$w" -o "$WORK/detect_$w" -q >/dev/null 2>&1
done
# CooRTweet's reference settings: time window and min_participation.
SETTINGS="10s:2 60s:2 10s:5 60s:5"
for s in $SETTINGS; do
  "$BIN" graph --kind co-retweet --coortweet --window "${s%%:*}" --min-participation "${s##*:}" \
    "$DATA" -o "$WORK/ref_${s/:/_}.csv" -q 2>/dev/null
done
for w in $WINDOWS; do
  python3 - "$WORK" "$SETTINGS" "$w" <<'PY'
import csv, sys
from collections import Counter
work, settings, w = sys.argv[1], sys.argv[2].split(), sys.argv[3]
acc = {r["account_id"]: r for r in csv.DictReader(open(f"{work}/detect_{w}/accounts.csv"))}
clusters = {r["cluster"]: r for r in csv.DictReader(open(f"{work}/detect_{w}/clusters.csv"))}
print("\ndetect --window %s: %d clusters, %d flagged" % (
    w, len(clusters), sum(c["flagged"] == "true" for c in clusters.values())))
every = set()
print("CooRTweet setting | its accounts | in a cluster | in a flagged one | clusters holding most (size, score)")
for s in settings:
    nodes = set()
    for r in csv.DictReader(open(f"{work}/ref_{s.replace(':', '_')}.csv")):
        nodes.update((r["source"], r["target"]))
    every |= nodes
    inside = Counter(acc[a]["cluster"] for a in nodes if acc.get(a, {}).get("cluster"))
    flagged = sum(acc[a]["flagged"] == "true" for a in nodes if a in acc)
    most = ", ".join("%s: %d (%s, %s)" % (c, n, clusters[c]["size"], clusters[c]["score"])
                     for c, n in inside.most_common(3))
    window, part = s.split(":")
    print("%s, min_participation %s | %d | %d | %d | %s" % (
        window, part, len(nodes), sum(inside.values()), flagged, most))
for c, r in clusters.items():
    if r["flagged"] != "true":
        continue
    members = [a for a, x in acc.items() if x["cluster"] == c]
    print("flagged cluster %s: %d accounts, score %s, %d of them in any CooRTweet network above" % (
        c, len(members), r["score"], sum(a in every for a in members)))
PY
done
