//! Tells the tests whether the real data sets beside the project (`../shared/data`) and a
//! Chromium to render the report in are here. Without them, the tests that need them are
//! ignored, so `cargo test` counts them in its "ignored" figure instead of passing them unseen.
//! After adding either, `touch build.rs`.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_data_absent)");
    println!("cargo::rustc-check-cfg=cfg(chromium_absent)");
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
    let chromium = std::env::split_paths(&path).any(|d| {
        ["chromium", "chromium-browser"]
            .iter()
            .any(|b| d.join(b).is_file())
    });
    if !chromium {
        println!("cargo::rustc-cfg=chromium_absent");
    }
}
