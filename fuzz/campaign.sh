#!/bin/sh
# Fuzz each target (all by default) until executions.tsv holds RUNS executions for it, in
# slices of at most SLICE seconds (default 1200) so that a campaign cut short keeps what it
# did and the next one goes on from there.
#   ./campaign.sh [RUNS] [TARGET...]        e.g. ./campaign.sh 10000000 timestamps
# Built with overflow checks and debug assertions (-a), without a sanitizer (-s none: the
# library is safe Rust but for two from_utf8_unchecked on bytes already validated), and with
# csv-core left uninstrumented (rustc-wrapper.sh). Each slice appends a line to
# executions.tsv: date, target, executions, seconds, outcome; a crash leaves its input in
# artifacts/TARGET/ and the campaign goes on to the next target.
set -u
cd "$(dirname "$0")"
runs=${1:-10000000}
[ $# -gt 0 ] && shift
targets=${*:-$(ls fuzz_targets | sed 's/\.rs$//')}
slice=${SLICE:-1200}
export RUSTC_WRAPPER="$PWD/rustc-wrapper.sh"
flags="-O -a -s none --target-dir target-campaign"
cargo +nightly fuzz build $flags || exit 1
[ -f executions.tsv ] || printf 'date\ttarget\texecutions\tseconds\toutcome\n' >executions.tsv
done_so_far() {
    awk -F'\t' -v t="$1" '$2 == t && $5 == "clean" { n += $3 } END { print n + 0 }' executions.tsv
}
for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t"
    log="target-campaign/$t.log"
    while [ "$(done_so_far "$t")" -lt "$runs" ]; do
        left=$((runs - $(done_so_far "$t")))
        start=$(date +%s)
        cargo +nightly fuzz run $flags "$t" "corpus/$t" -- -runs="$left" \
            -max_total_time="$slice" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            >"$log" 2>&1
        rc=$?
        secs=$(($(date +%s) - start))
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        outcome=clean
        [ $rc -ne 0 ] && outcome="exit $rc: $(grep -m1 -E 'ERROR|panicked' "$log" | cut -c1-160)"
        printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$t" "${execs:-0}" "$secs" "$outcome" \
            >>executions.tsv
        echo "$t: ${execs:-0} executions in ${secs}s, $outcome"
        [ "$outcome" = clean ] || break
    done
done
