//! The bench scripts' shared parts, as the scripts use them.

use std::path::Path;
use std::process::Command;

/// Runs a bench's preamble (`benches/common/work.sh`), writes a file into WORK, and returns
/// the folder it used.
fn bench_work(env: &[(&str, &str)]) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("bash")
        .arg("-c")
        .arg(r#"set -euo pipefail; source "$ROOT/benches/common/work.sh"; touch "$WORK/made"; echo "$WORK""#)
        .env_remove("WORK")
        .env_remove("KEEP")
        .env("ROOT", root)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A folder the caller names is the caller's: a bench never removes it unless told to
/// (`KEEP=0`); a temporary one is removed unless `KEEP=1`.
#[test]
fn a_bench_removes_only_the_folder_it_made_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let given = dir.path().join("work");
    let given_str = given.to_str().unwrap();
    std::fs::create_dir(&given).unwrap();
    std::fs::write(given.join("the callers.csv"), "kept").unwrap();

    assert_eq!(bench_work(&[("WORK", given_str)]), given_str);
    assert!(given.join("the callers.csv").exists() && given.join("made").exists());

    let temporary = bench_work(&[]);
    assert!(
        !Path::new(&temporary).exists(),
        "{temporary} was left behind"
    );
    let kept = bench_work(&[("KEEP", "1")]);
    assert!(Path::new(&kept).join("made").exists());
    std::fs::remove_dir_all(&kept).unwrap();

    bench_work(&[("WORK", given_str), ("KEEP", "0")]);
    assert!(!given.exists());
}
