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

#[test]
fn graph_writes_an_edge_list_and_explain_shows_the_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "shares.csv",
        "object_id,account_id,content_id,timestamp_share\n\
         o1,alice,c1,100\no1,bob,c2,104\no2,alice,c3,500\no2,bob,c4,503\no3,carol,c5,1\n",
    );
    let out = dir.path().join("g.csv");
    let o = coordnet(&[
        "graph",
        "--kind",
        "co-retweet",
        "--window",
        "10s",
        p.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("source,target,weight,kind,pairs,items"));
    let edge: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&edge[..6], &["alice", "bob", "2", "co-retweet", "2", "2"]);
    assert!(lines.next().is_none());

    let o = coordnet(&[
        "explain",
        "alice",
        "bob",
        "--window",
        "10s",
        p.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("2 co-retweet pairs"), "{text}");
    assert!(text.contains("o1") && text.contains("o2"), "{text}");

    // A format the extension does not name, and a window the data cannot resolve.
    let o = coordnet(&["graph", p.to_str().unwrap(), "-o", "g.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(".gexf"));
    let o = coordnet(&["graph", "--window", "500ms", p.to_str().unwrap(), "-o", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--window 1s"));
}
