//! Tells the tests whether the real data sets beside the project (`../shared/data`) are here.
//! Without them, the tests that read them are ignored, so `cargo test` counts them in its
//! "ignored" figure instead of passing them unseen. After adding the data, `touch build.rs`.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_data_absent)");
    println!("cargo::rerun-if-changed=build.rs");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let shared = std::path::Path::new(&dir).join("../shared/data");
    if shared.is_dir() {
        println!("cargo::rerun-if-changed=../shared/data");
    } else {
        println!("cargo::rustc-cfg=shared_data_absent");
    }
}
