#!/usr/bin/env bash
# `coordnet detect` (default settings) on the real IRA takedown slices in ../shared/data,
# against the researchers' account_category (authors.csv): NMI of clusters with the category
# over every account of the slice (accounts in no cluster share one label, `none`; NMI =
# 2I/(H1+H2)), the share of accounts in a cluster (all, and those with 5+ tweets), NewsFeed
# accounts labelled core, and LeftTroll, RightTroll and HashtagGamer accounts that mostly
# retweet labelled amplifier.
#
#   benches/ira_quality.sh [SLICES] [-- DETECT FLAGS...]   (default: "ira-2016-10 ira-2016h2")
#
# A slice may be cut to months, `ira-2016h2:7-9`: its rows published in July to September,
# written under WORK, to see the figures hold on a part no default was chosen on.
#
# Targets: NMI >= 0.65, >= 90% in a cluster, NewsFeed core >= 90%, mostly-retweeting
# Left/Right/HashtagGamer amplifier >= 80%.
set -euo pipefail
SLICES=${1:-"ira-2016-10 ira-2016h2"}
shift || true
[ "${1:-}" = "--" ] && shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/benches/common/work.sh"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin coordnet
for slice in $SLICES; do
  DATA=$ROOT/../shared/data/${slice%%:*}
  [ -f "$DATA/tweets.csv.gz" ] || { echo "SKIPPED: $DATA is absent"; continue; }
  TWEETS=$DATA/tweets.csv.gz
  if [ "$slice" != "${slice%%:*}" ]; then
    TWEETS=$WORK/${slice/:/-}.csv.gz
    python3 - "$DATA/tweets.csv.gz" "$TWEETS" "${slice#*:}" <<'PY'
import csv, gzip, sys
src, dst, months = sys.argv[1], sys.argv[2], sys.argv[3]
first, last = (int(m) for m in months.split("-"))
with gzip.open(src, "rt", newline="") as f, gzip.open(dst, "wt", newline="") as g:
    rows, out = csv.reader(f), csv.writer(g)
    header = next(rows)
    out.writerow(header)
    at = header.index("publish_date")
    for r in rows:
        if first <= int(r[at][5:7]) <= last:
            out.writerow(r)
PY
  fi
  start=$(date +%s.%N)
  "$ROOT/target/release/coordnet" detect "$TWEETS" -o "$WORK/$slice" "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  python3 - "$slice" "$DATA" "$WORK/$slice" "$end - $start" "$TWEETS" <<'PY'
import csv, gzip, json, math, sys
from collections import Counter
slice_, data, out, secs, tweets_csv = sys.argv[1], sys.argv[2], sys.argv[3], eval(sys.argv[4]), sys.argv[5]
cat = {r["author_id"]: r["account_category"] for r in csv.DictReader(open(f"{data}/authors.csv"))}
tweets, rts = Counter(), Counter()
with gzip.open(tweets_csv, "rt", newline="") as f:
    for r in csv.DictReader(f):
        tweets[r["author_id"]] += 1
        rts[r["author_id"]] += r["post_type"] == "R"
acc = {r["account_id"]: r for r in csv.DictReader(open(f"{out}/accounts.csv"))}
ids = sorted(tweets)
label = lambda a: acc[a]["cluster"] if a in acc and acc[a]["cluster"] != "" else "none"
def nmi(x, y):
    n = len(x); cx, cy, cxy = Counter(x), Counter(y), Counter(zip(x, y))
    i = sum(v / n * math.log(v * n / (cx[a] * cy[b])) for (a, b), v in cxy.items())
    h = lambda c: -sum(v / n * math.log(v / n) for v in c.values())
    return 2 * i / (h(cx) + h(cy)) if h(cx) + h(cy) > 0 else 1.0
score = nmi([cat.get(a, "?") for a in ids], [label(a) for a in ids])
clustered = sum(label(a) != "none" for a in ids) / len(ids)
active = [a for a in ids if tweets[a] >= 5]
clustered5 = sum(label(a) != "none" for a in active) / len(active)
nf = [a for a in ids if cat.get(a) == "NewsFeed"]
nf_core = sum(a in acc and acc[a]["role"] == "core" for a in nf) / max(len(nf), 1)
amp = [a for a in ids if cat.get(a) in ("LeftTroll", "RightTroll", "HashtagGamer") and rts[a] / tweets[a] > 0.5]
amp_ok = sum(a in acc and acc[a]["role"] == "amplifier" for a in amp) / max(len(amp), 1)
summary = json.load(open(f"{out}/summary.json"))
k = summary["counts"]["clusters"]
print(f"{slice_}: {len(ids)} accounts, taken for {summary['input']['kind']}; NMI {score:.3f}; "
      f"clustered {100 * clustered:.1f}% (5+ tweets: {100 * clustered5:.1f}%); {k} clusters; "
      f"NewsFeed core {100 * nf_core:.1f}% of {len(nf)}; mostly-retweeting Left/Right/HashtagGamer "
      f"amplifier {100 * amp_ok:.1f}% of {len(amp)}; detect {secs:.2f} s")
table = Counter((label(a), cat.get(a, "?")) for a in ids)
cats = sorted({c for _, c in table})
print("  cluster  " + " ".join(f"{c:>12}" for c in cats))
for l in sorted({l for l, _ in table}, key=lambda l: (l == "none", l)):
    print(f"  {l:>7}  " + " ".join(f"{table[(l, c)]:>12}" for c in cats))
PY
done
