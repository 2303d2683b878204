//! Reproducible runs: the same inputs and seed give the same bytes in every output file,
//! whatever the number of threads and wherever ingest cuts its chunks (timings aside).

use super::*;
use coordnet::report::detection::{EdgeFileOptions, EdgeFiles};
use coordnet::{detect, write_detection, DetectConfig, RunSummary};

/// Every file under `dir`, by name, with `summary.json`'s timings taken out.
pub fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            continue;
        }
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let mut bytes = std::fs::read(&p).unwrap();
        if name.ends_with(".json") {
            let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            if let Some(o) = v.as_object_mut() {
                o.remove("timings_s");
            }
            if let Some(i) = v.get_mut("ingest").and_then(|i| i.as_object_mut()) {
                i.remove("seconds");
            }
            bytes = serde_json::to_vec(&v).unwrap();
        }
        out.insert(name, bytes);
    }
    out
}

/// Run the command line with `threads` worker threads.
fn run(threads: usize, args: &[&str]) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_coordnet"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn every_command_gives_the_same_bytes_on_1_2_and_4_threads() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let input = sample.to_str().unwrap();
    let suspects = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/truth.csv");
    // A generated takedown archive too: operations from each account's nearest accounts merged
    // on the aggregate, and a GEXF past its limit.
    let archive_dir = dir.path().join("archive");
    run(
        2,
        &[
            "synth",
            "--archive-only",
            "--tweets",
            "60000",
            "--quiet",
            "-o",
            archive_dir.to_str().unwrap(),
        ],
    );
    let archive = archive_dir.join("tweets.csv");
    let mut outputs = Vec::new();
    for threads in [1, 2, 4] {
        let out = dir.path().join(format!("t{threads}"));
        std::fs::create_dir_all(&out).unwrap();
        let o = |name: &str| out.join(name).to_str().unwrap().to_string();
        run(threads, &["detect", input, "-o", &o("detect")]);
        run(
            threads,
            &[
                "detect",
                archive.to_str().unwrap(),
                "--gexf-max-edges",
                "2000",
                "-o",
                &o("archive"),
            ],
        );
        run(
            threads,
            &[
                "graph",
                input,
                "--kind",
                "co-retweet",
                "-o",
                &o("co-retweet.csv"),
            ],
        );
        run(
            threads,
            &[
                "graph",
                input,
                "--kind",
                "co-hashtag",
                "--window",
                "auto",
                "-o",
                &o("co-hashtag.gexf"),
            ],
        );
        run(
            threads,
            &[
                "graph",
                input,
                "--kind",
                "retweet",
                "-o",
                &o("retweet.graphml"),
            ],
        );
        run(
            threads,
            &[
                "communities",
                &o("co-retweet.csv"),
                "-o",
                &o("communities.csv"),
            ],
        );
        run(
            threads,
            &[
                "score",
                "--accounts",
                suspects.to_str().unwrap(),
                "--group-column",
                "network",
                input,
                "-o",
                &o("score"),
            ],
        );
        let mut all = files(&out);
        for sub in ["detect", "archive", "score"] {
            for (name, bytes) in files(&out.join(sub)) {
                all.insert(format!("{sub}/{name}"), bytes);
            }
        }
        all.retain(|name, _| !["detect", "archive", "score"].contains(&name.as_str()));
        outputs.push(all);
    }
    let archive_summary: serde_json::Value =
        serde_json::from_slice(&outputs[0]["archive/summary.json"]).unwrap();
    assert_eq!(archive_summary["input"]["kind"], "archive");
    assert!(archive_summary["edge_files"]["network_gexf_strongest_per_account"].is_u64());
    assert!(
        outputs[0].len() >= 22,
        "{:?}",
        outputs[0].keys().collect::<Vec<_>>()
    );
    for other in &outputs[1..] {
        assert_eq!(
            outputs[0].keys().collect::<Vec<_>>(),
            other.keys().collect::<Vec<_>>()
        );
        for (name, bytes) in &outputs[0] {
            assert!(
                bytes == &other[name],
                "{name} differs between thread counts"
            );
        }
    }
}

/// Nor do chunk sizes, nor whether the texts stay in memory or move to disk.
#[test]
fn chunk_sizes_and_texts_on_disk_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = [sample_tweets()];
    let mut outputs = Vec::new();
    for (chunk, on_disk) in [
        (16 << 10, false),
        (300 << 10, false),
        (4 << 20, false),
        (4 << 20, true),
    ] {
        let opts = IngestOptions {
            chunk_bytes: chunk,
            max_text_memory: if on_disk { 0 } else { u64::MAX },
            temp_dir: Some(dir.path().to_path_buf()),
            ..IngestOptions::default()
        };
        let (data, stats) = ingest(&inputs, &opts).unwrap();
        assert_eq!(data.texts.on_disk(), on_disk);
        let config = DetectConfig::default();
        let d = detect(&data, &config).unwrap();
        let summary = RunSummary::new(&inputs, &data, &stats, 0.0, &config, &d);
        let out = dir.path().join(format!("c{chunk}-{on_disk}"));
        let all = EdgeFileOptions {
            all_edges: true,
            ..Default::default()
        };
        write_detection(&out, &data, &d, &summary, &EdgeFiles::choose(&d, all)).unwrap();
        outputs.push(files(&out));
    }
    for other in &outputs[1..] {
        for (name, bytes) in &outputs[0] {
            assert!(
                bytes == &other[name],
                "{name} differs between chunk sizes or text stores"
            );
        }
    }
}
