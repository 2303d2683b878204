#!/usr/bin/env bash
# `coordnet detect` on the IRA tweets of October 2016 (../shared/data/ira-2016-10), compared
# with the researchers' account_category: accounts clustered, NMI of clusters with the
# category (over clustered accounts), and roles per category.
#
#   benches/ira_detect.sh [DETECT FLAGS...]     (e.g. --window 1h)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$ROOT/../shared/data/ira-2016-10
[ -f "$DATA/tweets.csv.gz" ] || { echo "SKIPPED: $DATA is absent"; exit 0; }
WORK=${WORK:-$(mktemp -d)}
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin coordnet
"$ROOT/target/release/coordnet" detect "$DATA/tweets.csv.gz" -o "$WORK/ira" "$@" 2>/dev/null
python3 - "$DATA/authors.csv" "$WORK/ira/accounts.csv" <<'PY'
import csv, math, sys
from collections import Counter
cat = {r["author"].lower(): r["account_category"] for r in csv.DictReader(open(sys.argv[1]))}
rows = [r for r in csv.DictReader(open(sys.argv[2])) if r["account_id"].lower() in cat]
cl = [r for r in rows if r["cluster"] != ""]
def nmi(a, b):
    n = len(a); ca, cb, cab = Counter(a), Counter(b), Counter(zip(a, b))
    i = sum(v / n * math.log(v * n / (ca[x] * cb[y])) for (x, y), v in cab.items())
    h = lambda c: -sum(v / n * math.log(v / n) for v in c.values())
    return 2 * i / (h(ca) + h(cb)) if h(ca) + h(cb) > 0 else 1.0
print(f"accounts clustered: {len(cl)} of {len(rows)} labelled")
print(f"NMI(cluster, account_category) over clustered accounts: "
      f"{nmi([cat[r['account_id'].lower()] for r in cl], [r['cluster'] for r in cl]):.3f}")
for k in sorted(set(cat.values())):
    total = sum(1 for r in rows if cat[r["account_id"].lower()] == k)
    roles = Counter(r["role"] for r in cl if cat[r["account_id"].lower()] == k)
    print(f"  {k:<13} {total:>3} accounts, {sum(roles.values()):>3} clustered: {dict(roles)}")
PY
