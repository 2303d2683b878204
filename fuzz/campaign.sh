#!/bin/sh
# Fuzz each target (all by default) for RUNS executions and log the counts.
#   ./campaign.sh [RUNS] [TARGET...]        e.g. ./campaign.sh 10000000 timestamps
# Built with overflow checks and debug assertions (-a), without a sanitizer (-s none: the
# library is safe Rust but for two from_utf8_unchecked on bytes already validated), and with
# csv-core left uninstrumented (rustc-wrapper.sh). Each run appends a line to
# executions.tsv: date, target, executions, seconds, outcome; a crash leaves its input in
# artifacts/TARGET/ and the campaign goes on to the next target.
set -u
cd "$(dirname "$0")"
runs=${1:-10000000}
[ $# -gt 0 ] && shift
targets=${*:-$(ls fuzz_targets | sed 's/\.rs$//')}
export RUSTC_WRAPPER="$PWD/rustc-wrapper.sh"
flags="-O -a -s none --target-dir target-campaign"
cargo +nightly fuzz build $flags || exit 1
[ -f executions.tsv ] || printf 'date\ttarget\texecutions\tseconds\toutcome\n' >executions.tsv
for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t"
    log="target-campaign/$t.log"
    start=$(date +%s)
    cargo +nightly fuzz run $flags "$t" "corpus/$t" -- -runs="$runs" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    outcome=clean
    [ $rc -ne 0 ] && outcome="exit $rc: $(grep -m1 -E 'ERROR|panicked' "$log" | cut -c1-160)"
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$t" "${execs:-?}" "$secs" "$outcome" >>executions.tsv
    echo "$t: ${execs:-?} executions in ${secs}s, $outcome"
done
