#!/usr/bin/env bash
# Take the README's report screenshots again from the sample's report as detect writes it:
#   docs/screenshots.sh      (needs Chromium: apt-get install -y chromium)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin coordnet
# From the root, so the page names the input as the README's first command does.
(cd "$ROOT" && target/release/coordnet detect data-samples/tweets.csv.gz -o "$WORK/out" -q >/dev/null 2>&1)
shot() { # page, height, file
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="1200,$2" \
    --screenshot="$3" "file://$1" 2>/dev/null
}
shot "$WORK/out/report.html" 1330 "$ROOT/docs/report-overview.png"
# The first cluster's section alone: everything else hidden.
sed 's|</head>|<style>body > *:not(#cluster-0){display:none!important} #cluster-0{margin-top:10px}</style></head>|' \
  "$WORK/out/report.html" > "$WORK/out/cluster.html"
shot "$WORK/out/cluster.html" 1610 "$ROOT/docs/report-cluster.png"
