//! Every fuzz target's corpus and every crash it found, run again through the target's own
//! body (`fuzz/src/targets`) on stable: a fixed bug that comes back fails here, in CI.

use std::path::Path;

#[test]
fn fuzz_corpora_and_crashes_replay_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut total = 0;
    for (name, run) in coordnet_fuzz::targets::ALL {
        let mut inputs = 0;
        for dir in ["corpus", "artifacts"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(name)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                // A fuzzer running meanwhile replaces inputs by shorter ones.
                let Ok(data) = std::fs::read(&path) else {
                    continue;
                };
                let outcome = std::panic::catch_unwind(|| run(&data));
                assert!(outcome.is_ok(), "{name}: {} panics", path.display());
                inputs += 1;
            }
        }
        assert!(inputs > 0, "fuzz target {name} has no corpus to replay");
        total += inputs;
    }
    eprintln!("replayed {total} fuzz inputs");
}
