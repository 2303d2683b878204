//! Tells the tests whether the real data sets beside the project (`../shared/data`), a
//! Chromium to render the report in and DocNow's `twarc2` (with twarc-csv, to flatten real API
//! v2 files into its CSV) are here. Without them, the tests that need them are ignored, so
//! `cargo test` counts them in its "ignored" figure instead of passing them unseen. After
//! adding any, `touch build.rs`.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_data_absent)");
    println!("cargo::rustc-check-cfg=cfg(chromium_absent)");
    println!("cargo::rustc-check-cfg=cfg(twarc2_absent)");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-changed=build.rs");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let shared = std::path::Path::new(&dir).join("../shared/data");
    if shared.is_dir() {
        println!("cargo::rerun-if-changed=../shared/data");
    } else {
        println!("cargo::rustc-cfg=shared_data_absent");
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = |names: &[&str]| {
        std::env::split_paths(&path).any(|d| names.iter().any(|b| d.join(b).is_file()))
    };
    if !on_path(&["chromium", "chromium-browser"]) {
        println!("cargo::rustc-cfg=chromium_absent");
    }
    if !on_path(&["twarc2"]) {
        println!("cargo::rustc-cfg=twarc2_absent");
    }
}
