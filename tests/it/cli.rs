//! The command as a user runs it.

use super::*;
use std::process::{Command, Output};

fn coordnet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_coordnet"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn synth_then_stats_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let o = coordnet(&[
        "synth",
        "-o",
        out.to_str().unwrap(),
        "--tweets",
        "10000",
        "--seed",
        "3",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = coordnet(&["stats", "--json", out.join("tweets.csv").to_str().unwrap()]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tweets = v["summary"]["tweets"].as_u64().unwrap();
    assert_eq!(v["ingest"]["rows_accepted"].as_u64().unwrap(), tweets);
    assert_eq!(v["ingest"]["files"][0]["format"], "io-tweets");
}

#[test]
fn bad_input_exits_non_zero_with_a_one_line_reason() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "t.csv",
        "tweetid,userid,tweet_time\n1,u,never\n",
    );
    let o = coordnet(&["stats", "--strict", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("coordnet: error: ") && err.contains("t.csv:2, column 'tweet_time'"),
        "{err}"
    );
    assert!(!err.contains("panicked"));

    let o = coordnet(&["stats", "--format", "tsv", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected one of: io-tweets"));
}

#[test]
fn action_mapping_flags() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.csv", "user,ts,url\nx,1623878692,https://www.a.org/p?utm_source=t\ny,1623878699,http://a.org/p/\n");
    let o = coordnet(&[
        "stats",
        "--json",
        "--account",
        "user",
        "--time",
        "ts",
        "--object",
        "url",
        "--object-kind",
        "url",
        p.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["urls"], 1, "both links normalize to a.org/p");
    assert_eq!(v["summary"]["url_uses"], 2);
}
