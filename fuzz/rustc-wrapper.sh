#!/bin/sh
# Optional RUSTC_WRAPPER for the fuzz builds: compiles csv-core without coverage
# instrumentation. Every csv::Reader builds csv-core's DFA (256 bytes x states, one traced
# comparison each), which was ~40% of an ingest target's time; csv-core itself is not what
# is fuzzed here. All other crates are instrumented as cargo fuzz asks.
#   RUSTC_WRAPPER=$PWD/rustc-wrapper.sh cargo +nightly fuzz run ...
case " $* " in
*" --crate-name csv_core "*)
    rustc=$1
    shift
    for a in "$@"; do
        shift
        case "$a" in
        -Cpasses=sancov-module | -Cllvm-args=-sanitizer-coverage*) ;;
        *) set -- "$@" "$a" ;;
        esac
    done
    exec "$rustc" "$@"
    ;;
esac
exec "$@"
