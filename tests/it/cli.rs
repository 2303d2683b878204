//! The command as a user runs it.

use super::*;

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
    // `synth --out` and `detect --output` name the same thing: each command takes both.
    let (tweets, o2) = (out.join("tweets.csv"), dir.path().join("d"));
    let o = coordnet(&[
        "detect",
        tweets.to_str().unwrap(),
        "--out",
        o2.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o2.join("summary.json").exists());
    // Generating says how far it is, hour by hour (on a terminal as a bar; timed here).
    let again = dir.path().join("again");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_coordnet"))
        .args([
            "synth",
            "--output",
            again.to_str().unwrap(),
            "--tweets",
            "10000",
        ])
        .env("COORDNET_TIMINGS", "1")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{log}");
    assert!(
        log.contains("[1/1] generating the period hour by hour (") && log.contains("done in "),
        "{log}"
    );
}

/// A run on an input mostly unreadable exits 2 naming the flag that allows it; `stats`, where
/// rejections are looked into, reports them.
#[test]
fn most_records_rejected_exit_2_naming_the_flag_and_stats_still_reports() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("object_id,account_id,content_id,timestamp_share\n");
    for i in 0..30 {
        let time = if i % 3 == 0 { "1623878692" } else { "x" };
        csv.push_str(&format!("o{},a{i},c{i},{time}\n", i % 4));
    }
    let p = write(dir.path(), "shares.csv", &csv);
    let p = p.to_str().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let o = coordnet(&["detect", p, "-o", out, "-q"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("shares.csv: 20 of its 30 records were rejected (20 bad time")
            && err.contains("(set with --max-rejected; 1 reads whatever can be read)"),
        "{err}"
    );
    assert!(!Path::new(out).exists(), "a stopped run leaves no output");

    let o = coordnet(&["detect", p, "-o", out, "-q", "--max-rejected", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = coordnet(&["stats", p]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("10 accepted, 20 rejected"), "{said}");

    let o = coordnet(&["detect", p, "-o", out, "--max-rejected", "1.5"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("'1.5' is not a share from 0 to 1"), "{err}");
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
    // After the memory limit's line, the reason on one line.
    let reason = err.lines().skip_while(|l| l.starts_with("memory limit "));
    let reason: Vec<&str> = reason.collect();
    assert!(
        reason.len() == 1
            && reason[0].starts_with("coordnet: error: ")
            && reason[0].contains("t.csv:2, column 'tweet_time'"),
        "{err}"
    );
    assert!(!err.contains("panicked"));

    let o = coordnet(&["stats", "--format", "tsv", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("invalid value 'tsv'") && err.contains("possible values: io-tweets"),
        "{err}"
    );

    // The library names the setting to change; the command line names its flags.
    let other = write(dir.path(), "other.csv", "a,b,c\n1,2,3\n");
    let o = coordnet(&["stats", other.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("other.csv: unknown CSV layout")
            && err.contains("--format actions --account COL --time COL --object COL"),
        "{err}"
    );

    // A file that is not there: named once, with its reason once.
    let missing = dir.path().join("missing.csv");
    let o = coordnet(&["stats", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("missing.csv").count(), 1, "{err}");
    assert_eq!(err.matches("no such file").count(), 1, "{err}");

    // A missing control file is named with its flag, before the input is read.
    let sample = sample_tweets();
    let out = dir.path().join("out");
    let o = coordnet(&[
        "detect",
        sample.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--control",
        missing.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("--control: {}", missing.display())),
        "{err}"
    );
    assert!(!err.contains("reading input") && !out.exists(), "{err}");
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

    // A flag not given keeps CooRTweet's name, as --help says; --object-kind alone turns
    // CooRTweet's objects into hashtags rather than being ignored.
    let help = coordnet(&["stats", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let d = coordnet::ingest::ActionsMapping::coortweet();
    for name in [&d.account, &d.time, &d.object] {
        assert!(
            help.contains(&format!("[default: {name}")),
            "{name}: {help}"
        );
    }
    let p = write(
        dir.path(),
        "c.csv",
        "object_id,who,timestamp_share
vote,x,1623878692
Vote,y,1623878699
",
    );
    let o = coordnet(&["stats", "--json", "--account", "who", p.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["retweets"], 2, "{v}");
    let p = write(
        dir.path(),
        "d.csv",
        "object_id,account_id,timestamp_share
vote,x,1623878692
Vote,y,1623878699
",
    );
    let o = coordnet(&[
        "stats",
        "--json",
        "--object-kind",
        "hashtag",
        p.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["hashtags"], 1, "{v}");
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
    // All four actions fall in one clock hour (1970-01-01 00h UTC, a Thursday).
    assert!(
        text.contains("profiles cosine 1.00; active in the same clock hour 1 time"),
        "{text}"
    );
    assert!(!text.contains("1 times"), "{text}");
    // The JSON names the edge's item as the data does; the accounts' internal numbers stay
    // inside.
    let o = coordnet(&[
        "explain",
        "alice",
        "bob",
        "--window",
        "10s",
        "--json",
        p.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["a"].as_str(), v["b"].as_str()),
        (Some("alice"), Some("bob"))
    );
    let edge = v["edge"].as_object().unwrap();
    assert_eq!(edge["pairs"], 2);
    let shared = ["o1", "o2"].map(serde_json::Value::from);
    assert!(shared.contains(&edge["exemplar_item"]), "{v}");
    assert!(!edge.contains_key("a") && !edge.contains_key("b"), "{v}");

    // A format the extension does not name, and a window the data cannot resolve.
    let o = coordnet(&["graph", p.to_str().unwrap(), "-o", "g.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(".gexf"));
    let o = coordnet(&["graph", "--window", "500ms", p.to_str().unwrap(), "-o", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--window, at least 1s"));
}

#[test]
fn graph_then_communities_recovers_planted_networks() {
    // The pipeline as an analyst runs it on the bundled sample: co-retweet edges, then Leiden.
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples");
    let edges = dir.path().join("edges.csv");
    let o = coordnet(&[
        "graph",
        "--kind",
        "co-retweet",
        "--window",
        "60s",
        sample.join("tweets.csv.gz").to_str().unwrap(),
        "-o",
        edges.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let clusters = dir.path().join("clusters.csv");
    let o = coordnet(&[
        "communities",
        edges.to_str().unwrap(),
        "--weight-column",
        "idf_weight",
        "-o",
        clusters.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("clusters in"), "{err}");
    // z goes below 0: refused, with advice that names columns the file has.
    let o = coordnet(&[
        "communities",
        edges.to_str().unwrap(),
        "--weight-column",
        "z",
        "-o",
        clusters.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    let header = std::fs::read_to_string(&edges).unwrap();
    let header: Vec<&str> = header.lines().next().unwrap().split(',').collect();
    let advised = err
        .split("such as ")
        .nth(1)
        .expect("advice")
        .split(" with")
        .next()
        .unwrap()
        .replace(" or ", ", ");
    for column in advised.split(", ") {
        assert!(
            header.contains(&column),
            "{column} is not in {header:?}: {err}"
        );
    }
    // Accounts of one planted core-amplifier network should mostly share one cluster.
    let truth: std::collections::HashMap<String, String> =
        csv::Reader::from_path(sample.join("truth.csv"))
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_string(), r[1].to_string())
            })
            .collect();
    let mut by_network: std::collections::HashMap<String, Vec<String>> = Default::default();
    for r in csv::Reader::from_path(&clusters).unwrap().records() {
        let r = r.unwrap();
        by_network
            .entry(truth[&r[0]].clone())
            .or_default()
            .push(r[1].to_string());
    }
    let checked = by_network.keys().filter(|n| n.starts_with("ca-")).count();
    assert_eq!(
        checked, 3,
        "the sample plants three core-amplifier networks"
    );
    for (network, clusters) in &by_network {
        if network.starts_with("ca-") {
            let mut count: std::collections::HashMap<&String, usize> = Default::default();
            for c in clusters {
                *count.entry(c).or_default() += 1;
            }
            let top = count.values().max().unwrap();
            assert!(
                *top as f64 >= 0.8 * clusters.len() as f64,
                "{network}: largest shared cluster holds {top} of {}",
                clusters.len()
            );
        }
    }
}

/// Gephi's edge export names its columns `Source, Target, Type, Id, Weight`: read as they
/// are. The weights read as 1 there (two groups of five, weighted 100 inside and 1 across,
/// made one cluster), and nothing said so.
#[test]
fn communities_reads_gephi_columns_and_says_when_edges_weigh_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = String::from("Source,Target,Type,Id,Weight\n");
    let mut id = 0;
    for i in 0..10 {
        for j in i + 1..10 {
            let w = if (i < 5) == (j < 5) { 100 } else { 1 };
            rows += &format!("n{i},n{j},Undirected,{id},{w}\n");
            id += 1;
        }
    }
    let gephi = write(dir.path(), "gephi.csv", &rows);
    let run = |path: &Path| {
        let o = coordnet(&["communities", path.to_str().unwrap(), "-o", "-"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let clusters: std::collections::HashSet<String> =
            (String::from_utf8_lossy(&o.stdout).lines().skip(1))
                .map(|l| l.split(',').nth(1).unwrap().to_string())
                .collect();
        (
            clusters.len(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let (clusters, err) = run(&gephi);
    assert_eq!(clusters, 2, "{err}");
    assert!(!err.contains("every edge weighs 1"), "{err}");
    // Without a weight column: one cluster, and the note.
    let unweighted: Vec<&str> = (rows.lines())
        .map(|l| &l[..l.rfind(',').unwrap()])
        .collect();
    let plain = write(dir.path(), "plain.csv", &(unweighted.join("\n") + "\n"));
    let (clusters, err) = run(&plain);
    assert_eq!(clusters, 1, "{err}");
    assert!(
        err.contains("has no 'weight' column: every edge weighs 1"),
        "{err}"
    );
    // Leiden settings that cannot work are refused before the edges are read.
    let o = coordnet(&[
        "communities",
        "--runs",
        "0",
        gephi.to_str().unwrap(),
        "-o",
        "-",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("0 runs would find no clusters") && !err.contains("read 10 nodes"),
        "{err}"
    );
}

#[test]
fn communities_names_the_bad_row_and_the_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "e.csv",
        "source,target,weight\na,b,1\nb,c,heavy\n",
    );
    let o = coordnet(&["communities", p.to_str().unwrap(), "-o", "-"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("e.csv:3, column 'weight'") && err.contains("heavy"),
        "{err}"
    );
    // With CRLF line ends (Excel, Python's csv module) the line is the same.
    let p = write(
        dir.path(),
        "crlf.csv",
        "source,target,weight\r\na,b,1\r\nb,c,heavy\r\n",
    );
    let o = coordnet(&["communities", p.to_str().unwrap(), "-o", "-"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("crlf.csv:3, column 'weight'"), "{err}");

    let p = write(dir.path(), "f.csv", "from,to\na,b\n");
    let o = coordnet(&["communities", p.to_str().unwrap(), "-o", "-"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no column 'source'") && err.contains("--source"),
        "{err}"
    );
    // Named columns, no weight column: every edge weighs 1.
    let o = coordnet(&[
        "communities",
        p.to_str().unwrap(),
        "--source",
        "from",
        "--target",
        "to",
        "-o",
        "-",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "node,cluster,cluster_size\na,0,2\nb,0,2\n"
    );
    // Named where it is: file, line and column.
    let neg = write(dir.path(), "n.csv", "source,target,weight\na,b,1\nb,c,-1\n");
    let o = coordnet(&["communities", neg.to_str().unwrap(), "-o", "-"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("n.csv:3, column 'weight'") && err.contains("negative"),
        "{err}"
    );
}

/// Weights were read as f32: 1e39 was "not a number", and a row with a field more than the
/// header was read as if the extra one were not there.
#[test]
fn communities_reads_weights_as_numbers_beyond_f32_and_refuses_ragged_rows() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, text: &str| {
        let p = write(dir.path(), name, text);
        let o = coordnet(&["communities", p.to_str().unwrap(), "-o", "-"]);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            err,
        )
    };
    // A number, though larger than the graph's 32-bit weights hold: said so, with the value.
    let (code, _, err) = run("big.csv", "source,target,weight\na,b,1\nb,c,1e39\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("big.csv:3, column 'weight'")
            && err.contains("1e39")
            && !err.contains("not a number")
            && err.contains("3.4e38"),
        "{err}"
    );
    // Not a finite number: said so, with what was found.
    let (code, _, err) = run("inf.csv", "source,target,weight\na,b,inf\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("inf.csv:2") && err.contains("'inf'"), "{err}");
    // Weights f32 reads but rounds to nothing or to infinity are not silently changed.
    let (code, _, err) = run("tiny.csv", "source,target,weight\na,b,1e-50\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("tiny.csv:2") && err.contains("1e-50"), "{err}");
    // Large weights that fit are read.
    let (code, out, err) = run("fits.csv", "source,target,weight\na,b,1e38\nc,d,2.5e-30\n");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.lines().count(), 5, "{out}");
    // Weights that add up past what the graph holds (repeated edges are summed).
    let (code, _, err) = run("sum.csv", "source,target,weight\na,b,3e38\na,b,3e38\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("sum.csv:3") && err.contains("add up"), "{err}");

    // Ragged rows, longer or shorter than the header: file, line, fields found and expected.
    for (name, text, found) in [
        ("long.csv", "source,target,weight\na,b,1\nb,c,2,9\n", 4),
        ("short.csv", "source,target,weight\na,b,1\nb,c\n", 2),
        ("unweighted.csv", "from,to\na,b\nb,c,5\n", 3),
    ] {
        let p = write(dir.path(), name, text);
        let o = coordnet(&[
            "communities",
            p.to_str().unwrap(),
            "--source",
            if name == "unweighted.csv" {
                "from"
            } else {
                "source"
            },
            "--target",
            if name == "unweighted.csv" {
                "to"
            } else {
                "target"
            },
            "-o",
            "-",
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        let expected = text.lines().next().unwrap().split(',').count();
        assert!(
            err.contains(&format!("{name}:3"))
                && err.contains(&format!("{found} fields"))
                && err.contains(&format!("{expected} fields")),
            "{name}: {err}"
        );
    }
}

#[test]
fn communities_warns_on_an_edge_list_with_no_edges() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "e.csv", "source,target,weight\n");
    let o = coordnet(&["communities", p.to_str().unwrap(), "-o", "-"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("has no edges") && err.contains("largest none"),
        "{err}"
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "node,cluster,cluster_size\n"
    );
}

/// `coordnet args` on a pseudo-terminal (util-linux `script`): what the terminal showed.
fn on_a_terminal(args: &[&str]) -> Option<String> {
    let bin = env!("CARGO_BIN_EXE_coordnet");
    let line = std::iter::once(bin)
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let o = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .output()
        .ok()?;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn progress_shows_on_a_terminal_only_and_quiet_silences_it() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let (input, out) = (sample.to_str().unwrap(), dir.path().join("out"));
    let out = out.to_str().unwrap();
    let Some(shown) = on_a_terminal(&["detect", input, "-o", out]) else {
        crate::skipped("no `script` (util-linux) to run coordnet on a pseudo-terminal");
        return;
    };
    // Bytes of the file on disk with rate and ETA, each graph noted, results after.
    assert!(shown.contains("[1/7] reading input ["), "{shown}");
    assert!(shown.contains("ETA"), "{shown}");
    assert!(shown.contains("  co-retweet: "), "{shown}");
    assert!(shown.contains("flagged as coordinated"), "{shown}");
    let quiet = on_a_terminal(&["detect", input, "-o", out, "--quiet"]).unwrap();
    assert!(!quiet.contains("reading input"), "{quiet}");
    assert!(quiet.contains("flagged as coordinated"), "{quiet}");
    // Piped: results only, on standard output as the other commands print theirs.
    let piped = coordnet(&["detect", input, "-o", out]);
    let (log, results) = (
        String::from_utf8_lossy(&piped.stderr),
        String::from_utf8_lossy(&piped.stdout),
    );
    assert!(!log.contains("reading input"), "{log}");
    assert!(!log.contains("5 flagged as coordinated"), "{log}");
    assert!(
        results.starts_with("12 clusters (726 accounts); 5 flagged as coordinated")
            && results.contains("\n  cluster 0: "),
        "{results}"
    );
    // Timed for the benches: a line per stage with its time and memory, and the notes.
    let timed = std::process::Command::new(env!("CARGO_BIN_EXE_coordnet"))
        .args(["detect", input, "-o", out])
        .env("COORDNET_TIMINGS", "1")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&timed.stderr);
    assert!(log.contains("[2/7] building graphs ("), "{log}");
    assert!(log.contains("  co-hashtag: "), "{log}");
    assert!(log.contains("done in "), "{log}");
    // Taken as it comes, the sample turns out a collection: the archive's two stages are
    // passed over, and writing keeps its number of seven. Taken as an archive, they are
    // counted from the start.
    assert!(log.contains("[4/7] scoring clusters ("), "{log}");
    assert!(log.contains("[7/7] writing ("), "{log}");
    // Each file as it is written, with its size.
    for name in ["accounts.csv", "report.html", "edges.csv", "network.gexf"] {
        assert!(log.contains(&format!("\n  {name} written (")), "{log}");
    }
    assert!(!log.contains("[5/"), "{log}");
    let timed = std::process::Command::new(env!("CARGO_BIN_EXE_coordnet"))
        .args(["detect", input, "-o", out, "--input-kind", "archive"])
        .env("COORDNET_TIMINGS", "1")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&timed.stderr);
    assert!(log.contains("[2/5] building graphs ("), "{log}");
    assert!(
        log.contains("[3/5] splitting the archive into operations (")
            && log.contains("\n  profiles: ")
            && log.contains(" items; pairing the most alike ("),
        "{log}"
    );
    assert!(log.contains("[5/5] writing ("), "{log}");
}

#[test]
fn a_memory_limit_too_small_stops_naming_the_stage_and_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let input = sample.to_str().unwrap();
    let out = dir.path().join("out");
    let o = coordnet(&["detect", input, "-o", out.to_str().unwrap()]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{log}");
    if coordnet::memory::resident().is_none() {
        crate::skipped("no /proc to read memory from, so no limit to hit");
        return;
    }
    assert!(
        log.contains("memory limit ") && log.contains("% of the "),
        "{log}"
    );
    // Below what reading holds: stops there; nothing is written.
    let small = dir.path().join("small");
    let o = coordnet(&[
        "detect",
        input,
        "-o",
        small.to_str().unwrap(),
        "--memory-limit",
        "1M",
    ]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{log}");
    // How far reading got, so the held figure is not taken for what the whole input needs.
    assert!(
        log.contains("reading input (after the first ")
            && log.contains(" of records, decompressed) holds "),
        "{log}"
    );
    assert!(log.contains("(set with --memory-limit)"), "{log}");
    assert!(!small.join("clusters.csv").exists());
    let o = coordnet(&["detect", input, "-o", "x", "--memory-limit", "lots"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not a size"));
    // A number alone was read as bytes, and stopped the run at "a limit of 0 MB".
    let o = coordnet(&["detect", input, "-o", "x", "--memory-limit", "12"]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{log}");
    assert!(
        log.contains("'12' has no unit: write 12G") && !log.contains("limit of"),
        "{log}"
    );
    // More than the machine has: the run goes on, told that the limit will not be what stops it.
    let big = dir.path().join("big");
    let big = big.to_str().unwrap();
    let o = coordnet(&["detect", input, "-o", big, "--memory-limit", "1000000G"]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{log}");
    assert!(
        log.contains("warning: the machine has ") && log.contains("stopped by the system"),
        "{log}"
    );
}

/// A wide window pairs each action with hundreds: the pairs' maps grew past the budget
/// before any check (a 500 MB limit peaked at 1.8 GB). Pairing now stops before it passes the
/// limit, naming the graph and the window; with room enough the same run completes.
#[test]
fn pairing_stops_before_a_wide_window_passes_the_memory_limit() {
    if coordnet::memory::resident().is_none() {
        crate::skipped("no /proc to read memory from, so no limit to hit");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    synth(&data, 100_000, 1, &[]);
    let input = data.join("tweets.csv");
    let run = |limit: &str| {
        let out = dir.path().join(format!("out-{limit}"));
        let args = [
            "detect",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        let o = coordnet(
            &[
                &args[..],
                &["-q", "--window", "none", "--memory-limit", limit],
            ]
            .concat(),
        );
        (o, out)
    };
    let (o, out) = run("150M");
    let log = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{log}");
    // Told once the tweets are counted, before the graphs' time is spent, that whole runs of
    // as many peaked past the limit; by the shape asked for, a collection's when the data says.
    let warned = log.find(" tweets as a collection measured here peaked at about ");
    let stopped = log.find("coordnet: error: building the co-");
    assert!(
        matches!((warned, stopped), (Some(w), Some(s)) if w < s)
            && log.contains("past the memory limit of 150 MB: this run may stop for memory"),
        "{log}"
    );
    assert!(
        log.contains("building the co-")
            && log.contains("a narrower --window (this graph's is none)"),
        "{log}"
    );
    assert!(!out.join("clusters.csv").exists());
    let (o, out) = run("4G");
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{log}");
    assert!(!log.contains("measured here peaked"), "{log}");
    assert!(out.join("clusters.csv").exists());
}

/// `coordnet args`: its exit code, the most it held resident and its standard error. The
/// peak is the one its last timings line gives (`VmHWM`, its own memory's): `wait4`'s
/// `ru_maxrss` for a spawned child counts this test process's own peak as the child's, and
/// other tests had taken that past the limits asked for here.
fn coordnet_peak(args: &[&str]) -> (Option<i32>, u64, String) {
    coordnet_peak_with(args, &[])
}

/// [`coordnet_peak`] with `env` set.
fn coordnet_peak_with(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, u64, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_coordnet"))
        .args(args)
        .envs(env.iter().copied())
        .env("COORDNET_TIMINGS", "1")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&o.stderr).into_owned();
    let last = log
        .lines()
        .rfind(|l| l.starts_with("done in ") || l.starts_with("stopped, "))
        .unwrap_or_else(|| panic!("no closing timings line: {log}"));
    let peak = last
        .split("(peak ")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .and_then(|p| coordnet::memory::parse_size(&p.replace(' ', "")).ok())
        .unwrap_or_else(|| panic!("no peak in the closing line: {last}"));
    (o.status.code(), peak, log)
}

/// The most a run under `limit` bytes may hold at its peak: 5% over, for what is allocated
/// between two checks, and 16 MB for allocations too small to check (the 64 pair maps'
/// growths under 256 KB).
fn peak_allowed(limit: u64) -> f64 {
    limit as f64 * 1.05 + (16 << 20) as f64
}

/// A wide window's pairs fill 64 maps, and the edges are made beside them: maps growing
/// unchecked took a 300 MB limit to 485 MB, and edges made unchecked a 600 MB one to 711 MB
/// (a run that then ended well). Every large growth, and the edges, are now asked for first,
/// and a round's check has freed memory go back at once near the limit: the 600 MB run, which
/// stopped at 507 MB while the allocator held freed pages, now ends well within it.
#[test]
fn pair_maps_and_their_edges_stay_within_the_memory_limit() {
    if coordnet::memory::resident().is_none() {
        crate::skipped("no /proc to read memory from, so no limit to hit");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    synth(&data, 100_000, 1, &[]);
    let input = data.join("tweets.csv");
    let graph = dir.path().join("g.csv");
    // Every action of a hashtag paired with every later one.
    let wide = ["--window", "none", "--max-neighbors", "100000"];
    for limit_mb in [300u64, 600] {
        let limit = format!("{limit_mb}M");
        let mut args = vec!["graph", "--kind", "co-hashtag"];
        args.extend(wide);
        args.extend([
            "--memory-limit",
            &limit,
            "-q",
            "-o",
            graph.to_str().unwrap(),
        ]);
        args.push(input.to_str().unwrap());
        let (code, peak, log) = coordnet_peak(&args);
        let most = peak_allowed(limit_mb << 20);
        assert!(peak as f64 <= most, "{limit}: peak {} MB", peak >> 20);
        if limit_mb == 600 {
            assert_eq!(code, Some(0), "{limit}: {log}");
            assert!(graph.exists());
            continue;
        }
        assert_eq!(code, Some(2), "{limit}: {log}");
        assert!(log.contains("building the co-hashtag graph"), "{log}");
        // A stop before a round gives that round's figure, said as such: a limit raised to
        // it stopped again a round later.
        assert!(
            !log.contains("graph would need")
                && (log.contains("graph holds ")
                    || log.contains("graph (its next round of pairs alone) would need about")),
            "{log}"
        );
        assert!(!graph.exists());
    }
    // `score` builds the same graphs within its limit (it once built them with none).
    let truth = data.join("truth.csv");
    let mut args = vec!["score", "--accounts", truth.to_str().unwrap()];
    args.extend(["--kinds", "co-hashtag"]);
    args.extend(wide);
    args.extend(["--memory-limit", "300M", "-q", input.to_str().unwrap()]);
    let (code, peak, log) = coordnet_peak(&args);
    assert_eq!(code, Some(2), "{log}");
    assert!(log.contains("building the co-hashtag graph"), "{log}");
    let most = peak_allowed(300 << 20);
    assert!(peak as f64 <= most, "score at 300M: peak {} MB", peak >> 20);
}

/// An archive's accounts that share nothing but words are placed by the words of their
/// posts, whose actions are held nowhere else: gathered and weighed unchecked, they took a
/// limit a quarter above what reading held to half as much again. They are now asked for
/// first.
#[test]
fn the_words_of_an_archives_posts_are_asked_for_before_they_are_gathered() {
    if coordnet::memory::resident().is_none() {
        crate::skipped("no /proc to read memory from, so no limit to hit");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // 3,000 accounts, 30 posts each of 100 words drawn from 20,000: no post, text, hashtag or
    // mention shared, 9 million word actions (about 290 MB to gather and weigh).
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let word = |i: u64| -> String {
        let mut i = i;
        (0..6)
            .map(|_| {
                let c = (b'a' + (i % 26) as u8) as char;
                i /= 26;
                c
            })
            .collect()
    };
    let mut csv = String::from("tweetid,userid,tweet_text,tweet_time,is_retweet\n");
    for a in 0..3_000u64 {
        for t in 0..30u64 {
            let text: Vec<String> = (0..100).map(|_| word(next() % 20_000)).collect();
            let id = a * 30 + t + 1;
            let (day, hour, minute) = (1 + t % 28, a % 24, t % 60);
            let text = text.join(" ");
            csv += &format!(
                "{id},{},{text},2020-01-{day:02} {hour:02}:{minute:02},False\n",
                a + 1
            );
        }
    }
    let input = crate::write(dir.path(), "words.csv", &csv);
    let out = dir.path().join("out");
    let run = |limit: &str| {
        let args = [
            "detect",
            "--input-kind",
            "archive",
            "--memory-limit",
            limit,
            "-q",
            "-o",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ];
        coordnet_peak_with(&args, &[("COORDNET_TIMINGS", "1")])
    };
    let (code, peak, log) = run("8G");
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.contains("more accounts placed by the words of their posts"),
        "{log}"
    );
    // What the run held as the archive's split began: its stage line's peak.
    let split = log
        .lines()
        .find(|l| l.contains("] splitting the archive into operations ("))
        .unwrap_or_else(|| panic!("no line for the archive's split: {log}"));
    let before = split
        .split("(peak ")
        .nth(1)
        .and_then(|r| r.split(')').next());
    let before = coordnet::memory::parse_size(&before.unwrap().replace(' ', "")).unwrap();
    assert!(
        peak > before * 3 / 2,
        "the words should take the run well past the {} MB it held before: {} MB",
        before >> 20,
        peak >> 20
    );
    // Room for reading (under a limit the run gives back what it frees, so it holds less as
    // the split begins), not for the words.
    let limit = before * 5 / 4;
    let (code, peak, log) = run(&format!("{}K", limit >> 10));
    assert_eq!(code, Some(2), "limit {} MB: {log}", limit >> 20);
    assert!(
        log.contains("splitting the archive into operations"),
        "{log}"
    );
    let most = peak_allowed(limit);
    assert!(
        peak as f64 <= most,
        "limit {} MB: peak {} MB",
        limit >> 20,
        peak >> 20
    );
}

/// `coordnet` with `input` on its standard input.
fn coordnet_fed(args: &[&str], input: Vec<u8>) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_coordnet"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Fed from a thread: the reader may stop early (an error), and the pipe must not fill.
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    out
}

/// Standard input given twice is read once and the second named as given again: it was read
/// as an empty file ("/dev/stdin is empty"), as if the data had been lost.
#[test]
fn standard_input_given_twice_is_read_once_and_said_so() {
    let rows = "tweetid,userid,tweet_time\n1,u1,2020-01-01 00:00\n2,u2,2020-01-01 00:01\n";
    let o = coordnet_fed(&["stats", "-", "-"], rows.as_bytes().to_vec());
    let err = String::from_utf8_lossy(&o.stderr);
    let all = format!("{}{err}", String::from_utf8_lossy(&o.stdout));
    assert!(o.status.success(), "{all}");
    assert!(all.contains("2 accepted, 0 rejected"), "{all}");
    assert!(
        all.contains("/dev/stdin not read: given again (a stream is read once)"),
        "{all}"
    );
    assert!(!all.contains("is empty"), "{all}");
}

#[test]
fn standard_input_reads_like_the_file_plain_or_compressed_and_a_piped_zip_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let out = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let o = coordnet(&["detect", sample.to_str().unwrap(), "-o", &out("file"), "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let gz = std::fs::read(&sample).unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut plain).unwrap();
    for (name, bytes) in [("plain", plain), ("gz", gz)] {
        let o = coordnet_fed(&["detect", "/dev/stdin", "-o", &out(name), "-q"], bytes);
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        for file in ["accounts.csv", "clusters.csv", "edges.csv"] {
            let (a, b) = (
                std::fs::read(dir.path().join("file").join(file)).unwrap(),
                std::fs::read(dir.path().join(name).join(file)).unwrap(),
            );
            assert!(
                a.len() > 100 && a == b,
                "{file} differs read from a pipe ({name})"
            );
        }
    }
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file("t.csv", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut z, b"a,b\n1,2\n").unwrap();
    let zip = z.finish().unwrap().into_inner();
    let o = coordnet_fed(&["stats", "/dev/stdin"], zip);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("cannot be read from a pipe"),
        "{err}"
    );
}

#[test]
fn detect_help_names_every_file_detect_writes() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let out = dir.path().join("out");
    let o = coordnet(&[
        "detect",
        sample.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let help = coordnet(&["detect", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let written = names_in(&out);
    let mut files = coordnet::report::detection::FILES
        .map(String::from)
        .to_vec();
    files.sort();
    assert_eq!(written, files);
    for name in &written {
        assert!(
            help.contains(name.as_str()),
            "detect --help does not name {name}"
        );
    }
}

#[test]
fn an_output_place_that_cannot_be_written_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let input = sample.to_str().unwrap();
    let file = write(dir.path(), "a-file", "x");
    let under = |name: &str| file.join(name).to_str().unwrap().to_string();
    let edges = write(dir.path(), "e.csv", "source,target\na,b\n");
    for args in [
        vec!["detect", input, "-o", &under("out")],
        vec!["graph", input, "-o", &under("g.csv")],
        vec![
            "communities",
            edges.to_str().unwrap(),
            "-o",
            &under("c.csv"),
        ],
    ] {
        let o = coordnet(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("a-file is not a folder"), "{err}");
        // Refused before the input is read.
        assert!(!err.contains("read "), "{err}");
    }
}

/// A folder where an output file goes, or an output folder inside an input folder, is
/// refused before the input is read; neither used to be found until the end (the folder
/// after the other files were written), and the second only once the output existed.
#[test]
fn a_folder_in_an_outputs_place_or_outputs_inside_the_input_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let input = sample.to_str().unwrap();
    let out = dir.path().join("out");
    for name in coordnet::report::detection::FILES {
        std::fs::create_dir_all(out.join(name)).unwrap();
        let o = coordnet(&["detect", input, "-o", out.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("{name}: a folder of that name is there"))
                && !err.contains("read "),
            "{err}"
        );
        std::fs::remove_dir(out.join(name)).unwrap();
    }
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        0,
        "nothing written"
    );
    let folder = dir.path().join("edges.csv");
    std::fs::create_dir(&folder).unwrap();
    let o = coordnet(&["graph", input, "-o", folder.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("a folder of that name is there") && !err.contains("read "),
        "{err}"
    );

    let holder = dir.path().join("holder");
    std::fs::create_dir(&holder).unwrap();
    std::fs::copy(&sample, holder.join("tweets.csv.gz")).unwrap();
    let inside = holder.join("sub");
    let o = coordnet(&[
        "detect",
        holder.to_str().unwrap(),
        "-o",
        inside.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("is inside the input"), "{err}");
    assert!(!inside.exists());
}

#[test]
fn file_outputs_are_written_into_folders_made_for_them() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let graph = dir.path().join("new/deeper/g.csv");
    let o = coordnet(&[
        "graph",
        sample.to_str().unwrap(),
        "-o",
        graph.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let clusters = dir.path().join("other/c.csv");
    let o = coordnet(&[
        "communities",
        graph.to_str().unwrap(),
        "-o",
        clusters.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&clusters).unwrap();
    assert!(text.starts_with("node,cluster,cluster_size\n"), "{text}");
    assert!(text.lines().count() > 100);
}

/// IRA timestamps say only which minute: `detect` refuses a finer window as `graph` does,
/// where it used to put the whole period in its place unsaid.
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn a_window_finer_than_the_timestamps_is_refused_by_detect_as_by_graph() {
    let dir = tempfile::tempdir().unwrap();
    let ira = crate::shared("ira-2016-10/tweets.csv.gz");
    let (out, graph) = (dir.path().join("out"), dir.path().join("g.csv"));
    for args in [
        vec!["detect", ira.to_str().unwrap(), "-o", out.to_str().unwrap()],
        vec![
            "graph",
            ira.to_str().unwrap(),
            "--kind",
            "co-retweet",
            "-o",
            graph.to_str().unwrap(),
        ],
    ] {
        let mut args = args.clone();
        args.extend(["--window", "30s", "-q"]);
        let o = coordnet(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("a window of 30s is shorter than the time resolution")
                && err.contains("use a window of 1m or longer"),
            "{err}"
        );
    }
    assert!(!out.join("summary.json").exists() && !graph.exists());
}

/// The retweet graph has no window, participation or shuffled null: the flags for them are
/// refused, where they used to be dropped unsaid; `explain` offers only co-action kinds.
#[test]
fn co_action_flags_are_refused_for_the_retweet_graph() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let input = sample.to_str().unwrap();
    let out = dir.path().join("r.csv");
    let out = out.to_str().unwrap();
    for flags in [
        &["--pvalue", "0.01"][..],
        &["--min-z", "2"],
        &["--weight", "z"],
        &["--window", "10s"],
        &["--coortweet"],
    ] {
        let mut args = vec!["graph", input, "--kind", "retweet", "-o", out];
        args.extend(flags);
        let o = coordnet(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {err}");
        assert!(
            err.contains(&format!("{} applies to co-action graphs", flags[0])),
            "{err}"
        );
    }
    let o = coordnet(&[
        "graph",
        input,
        "--kind",
        "retweet",
        "--min-weight",
        "2",
        "-o",
        out,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = coordnet(&["explain", "a", "b", input, "--kind", "retweet"]);
    assert_eq!(o.status.code(), Some(2));
    // `explain --kind retweet` refuses them as `graph` does, before reading the input.
    for flags in [&["--window", "10s"][..], &["--min-participation", "5"]] {
        let mut args = vec!["explain", "a", "b", input, "--kind", "retweet"];
        args.extend(flags);
        let o = coordnet(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {err}");
        assert!(
            err.contains(&format!("{} applies to co-action graphs", flags[0]))
                && !err.contains("no account"),
            "{err}"
        );
    }
}

/// `--strict` stops at a repeated record too (found once every row is in), naming the
/// second copy's line; and a file `--format` calls what it is not stops the run.
#[test]
fn strict_stops_at_a_duplicate_and_a_wrong_format_stops_the_run() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&sample).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let lines: Vec<&str> = text.lines().take(40).collect();
    // Line 41 repeats line 3.
    let body = format!("{}\n{}\n", lines.join("\n"), lines[2]);
    let file = write(dir.path(), "dup.csv", &body);
    let file = file.to_str().unwrap();
    let o = coordnet(&["stats", file]);
    assert!(o.status.success());
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("39 accepted, 1 rejected"), "{said}");
    let o = coordnet(&["stats", "--strict", file]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("dup.csv:41") && err.contains("duplicate record"),
        "{err}"
    );
    let o = coordnet(&["stats", "--format", "twitter-v1", file]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("none of its 41 records reads as twitter-v1 (--format)"),
        "{err}"
    );
    // Column flags with no --format: the advice is about the columns they name.
    let acts = write(
        dir.path(),
        "acts.csv",
        "obj,user,cid
1,u1,abc
2,u2,def
",
    );
    let args = ["--account", "user", "--time", "cid", "--object", "obj"];
    let o = coordnet(&[&["stats", acts.to_str().unwrap()], &args[..]].concat());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("reads as actions (the column flags)")
            && err.contains("check the columns --account, --time and --object name")
            && !err.contains("leave out --format"),
        "{err}"
    );
}

#[test]
fn explain_refuses_one_account_given_twice() {
    let sample = sample_tweets();
    let sample = sample.to_str().unwrap();
    // By one name twice, and by its id and its screen name.
    let (data, _) = read(&[PathBuf::from(sample)]);
    let a = (0..data.accounts.len() as u32)
        .find(|&a| {
            data.accounts
                .screen_name(a)
                .is_some_and(|n| n != data.accounts.key(a))
        })
        .unwrap();
    let id = data.accounts.key(a).to_string();
    let name = format!("@{}", data.accounts.screen_name(a).unwrap());
    for (x, y, said) in [
        (id.as_str(), id.as_str(), "given twice"),
        (id.as_str(), name.as_str(), "are one account"),
    ] {
        let o = coordnet(&["explain", x, y, sample, "--window", "1m"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(said), "{err}");
    }
    // Two accounts, one by its screen name in capitals: each said as the data writes it.
    let b = (a + 1..data.accounts.len() as u32)
        .find(|&b| data.accounts.screen_name(b).is_some())
        .unwrap();
    let shouted = format!("@{}", data.accounts.screen_name(a).unwrap().to_uppercase());
    let o = coordnet(&["explain", &shouted, data.accounts.key(b), sample]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout);
    let head = format!(
        "{} -- {}: ",
        data.accounts.screen_name(a).unwrap(),
        data.accounts.key(b)
    );
    assert!(said.starts_with(&head), "{said}");
}

#[cfg(not(feature = "distributed"))]
#[test]
fn flags_of_a_run_across_processes_say_how_to_build_for_one() {
    let o = coordnet(&[
        "detect",
        "in.csv",
        "-o",
        "x",
        "--processes",
        "2",
        "--process",
        "0",
        "--hostfile",
        "h.txt",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("without the `distributed` feature")
            && err.contains("cargo build --release --features distributed"),
        "{err}"
    );
}

#[test]
fn a_temp_dir_that_cannot_take_a_file_is_refused_before_the_input_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // An input that would stop the run on its own, were it read first.
    let other = write(dir.path(), "other.csv", "a,b\n1,2\n");
    let missing = dir.path().join("missing");
    let (other, missing) = (other.to_str().unwrap(), missing.to_str().unwrap());
    let out = dir.path().join("out");
    for args in [
        vec!["detect", other, "-o", out.to_str().unwrap()],
        vec!["stats", other],
    ] {
        let o = coordnet(&[args, vec!["--temp-dir", missing]].concat());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("missing: cannot make a temporary file there")
                && err.contains("--temp-dir")
                && !err.contains("unknown CSV layout"),
            "{err}"
        );
    }
}

/// A system temporary folder that cannot take a file is warned of before reading, naming
/// `$TMPDIR` and the flag: a small run never writes there and goes on, a large one would
/// stop only once its texts outgrew memory.
#[test]
fn a_system_temp_folder_that_cannot_take_a_file_is_warned_of_and_a_small_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let sample = sample_tweets();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_coordnet"))
        .args(["stats", sample.to_str().unwrap()])
        .env("TMPDIR", &missing)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let warning = err
        .lines()
        .find(|l| l.starts_with("warning: "))
        .unwrap_or_default();
    assert!(
        warning.contains("missing: cannot make a temporary file there")
            && warning.contains("$TMPDIR")
            && warning.contains("give --temp-dir DIR"),
        "{err}"
    );
    let read = String::from_utf8_lossy(&o.stdout);
    assert!(read.contains("20338 accepted"), "{read}");
}

/// A temporary folder held in memory is said to be where the limit line is printed: what is
/// set aside there takes memory the limit does not count.
#[test]
fn a_temporary_folder_held_in_memory_is_said_to_be() {
    let shm = Path::new("/dev/shm");
    if !coordnet::memory::held_in_memory(shm) {
        crate::skipped("no /dev/shm held in memory here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let graph = dir.path().join("g.csv");
    let limit_line = |temp: &Path| {
        let o = coordnet(&[
            "graph",
            "--kind",
            "retweet",
            "-q",
            "--temp-dir",
            temp.to_str().unwrap(),
            "-o",
            graph.to_str().unwrap(),
            sample.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(o.status.success(), "{err}");
        err.lines().next().unwrap_or_default().to_string()
    };
    let line = limit_line(shm);
    assert!(
        line.starts_with("memory limit ")
            && line.contains("temporary files go to /dev/shm, held in memory (tmpfs)")
            && line.contains("--temp-dir DIR on a disk"),
        "{line}"
    );
    if !coordnet::memory::held_in_memory(dir.path()) {
        let line = limit_line(dir.path());
        assert!(
            line.starts_with("memory limit ") && !line.contains("tmpfs"),
            "{line}"
        );
    }
}

#[test]
fn a_dash_reads_standard_input() {
    let csv = "tweetid,userid,tweet_time,tweet_text\n1,u1,2020-03-01 00:03,hi\n";
    let o = coordnet_fed(&["stats", "--json", "-"], csv.as_bytes().to_vec());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ingest"]["rows_accepted"], 1);
}

/// `--max-neighbors 0` read as 1 (every action paired with one other at most) where other
/// limits read 0 as none: it is refused, naming the range.
#[test]
fn max_neighbors_zero_is_refused_not_read_as_one() {
    let sample = sample_tweets();
    let input = sample.to_str().unwrap();
    for command in ["detect", "graph"] {
        let o = coordnet(&[command, input, "-o", "unused", "--max-neighbors", "0"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("'--max-neighbors <N>': 0 is not in 1.."),
            "{err}"
        );
    }
}

/// A negative value reaches the flag's own check, which says what is allowed; a negative z
/// is a value like any other; a count says it counts.
#[test]
fn negative_numbers_are_values_and_meet_the_range_checks() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let input = sample.to_str().unwrap();
    let o = coordnet(&["detect", input, "-o", "unused", "--threshold", "-1"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("threshold -1 is outside [0, 1]"), "{err}");
    let out = dir.path().join("g.csv");
    let o = coordnet(&[
        "graph",
        input,
        "-q",
        "-o",
        out.to_str().unwrap(),
        "--min-z",
        "-1",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read_to_string(&out).unwrap().lines().count() > 1);
    // Not a number that compares: refused, not an empty graph. So are a p-value of 0 and
    // thousands of threads per core.
    for (flag, value, said) in [
        ("--min-z", "nan", "'nan' is not a finite number"),
        ("--min-weight", "inf", "'inf' is not a finite number"),
        ("--pvalue", "0", "--pvalue 0 keeps no edge"),
        (
            "--threads",
            "100000",
            "--threads 100000 is more than 16 per core",
        ),
        // A count's own words, not Rust's "invalid digit found in string".
        (
            "--min-participation",
            "-3",
            "'-3' is negative: give a whole number, 0 or more",
        ),
        ("--min-text-chars", "2.5", "'2.5' is not a whole number"),
        (
            "--min-participation",
            "99999999999",
            "'99999999999' is more than 4294967295, the most this flag takes",
        ),
    ] {
        let o = coordnet(&[
            "graph",
            input,
            "-q",
            "-o",
            out.to_str().unwrap(),
            flag,
            value,
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}: {err}");
        assert!(err.contains(said), "{flag} {value}: {err}");
    }
}

/// Settings no data can make work are refused before the input is read (at 10^8 tweets a
/// read is a quarter of an hour): a kind named twice (its evidence counted twice changed the
/// clusters), a zero resolution, a zero window, an edge p-value of 0, clusters of one account,
/// a flag the graph's kind does not read.
#[test]
fn settings_no_data_can_use_are_refused_before_reading() {
    let sample = sample_tweets();
    let input = sample.to_str().unwrap();
    let cases: [(&[&str], &str); 10] = [
        (
            &["detect", "--kinds", "co-retweet,co-hashtag,co-retweet"],
            "co-retweet is listed twice in the kinds",
        ),
        (
            &["detect", "--edge-pvalue", "0"],
            "the edge p-value 0 keeps no edge (no p-value is 0); try 0.01 (the default)",
        ),
        (
            &["detect", "--threshold", "1.5"],
            "the score threshold 1.5 is outside [0, 1]; try 0.4 (the default)",
        ),
        (
            &["detect", "--min-cluster-size", "1"],
            "--min-cluster-size 1 would report single accounts as clusters",
        ),
        (
            &["graph", "--kind", "co-hashtag", "--similarity", "0.5"],
            "--similarity applies to co-similar only, not to co-hashtag",
        ),
        (
            &["graph", "--kind", "co-url", "--min-text-chars", "5"],
            "--min-text-chars applies to co-tweet or co-similar only",
        ),
        (
            &["detect", "--resolution", "0"],
            "resolution 0 must be a positive number",
        ),
        (
            &["detect", "--resolution", "-1"],
            "resolution -1 must be a positive number",
        ),
        (
            &["detect", "--window", "0s"],
            "a window of 0s pairs no two actions",
        ),
        (
            &["graph", "--kind", "co-hashtag", "--window", "0ms"],
            "a window of 0s pairs no two actions",
        ),
    ];
    for (args, says) in cases {
        let o = coordnet(&[args, &[input, "-o", "unused.csv"]].concat());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("records from"), "{args:?} read first: {err}");
    }
}

/// The README promises that `--help` lists every flag with its default: each optional flag
/// that takes a value says what happens without it.
#[test]
fn every_optional_flag_that_takes_a_value_names_its_default() {
    let top = coordnet(&["--help"]);
    let top = String::from_utf8_lossy(&top.stdout).into_owned();
    let commands: Vec<&str> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 8, "{top}");
    let mut silent = Vec::new();
    for command in commands {
        let help = coordnet(&[command, "--help"]);
        let help = String::from_utf8_lossy(&help.stdout).into_owned();
        let usage = help.lines().find(|l| l.starts_with("Usage:")).unwrap();
        // An option's block runs from its name to the next option's name.
        let mut blocks: Vec<String> = Vec::new();
        for line in help.lines() {
            let t = line.trim_start();
            let indent = line.len() - t.len();
            let short = t.starts_with('-') && t.get(2..4) == Some(", ");
            if (2..=6).contains(&indent) && (t.starts_with("--") || short) {
                blocks.push(String::new());
            }
            if let Some(b) = blocks.last_mut() {
                b.push_str(line);
                b.push('\n');
            }
        }
        for b in blocks {
            let head = b.split_whitespace().collect::<Vec<_>>();
            let flag = head.iter().find(|w| w.starts_with("--")).unwrap();
            let takes_value = head.iter().any(|w| w.starts_with('<'));
            let required = usage.contains(&format!("{flag} <"));
            if takes_value && !required && !b.to_lowercase().contains("default") {
                silent.push(format!("{command} {flag}"));
            }
        }
    }
    assert!(
        silent.is_empty(),
        "flags that do not name a default: {silent:?}"
    );
}

/// A detect that fails while writing (here a file-size limit, as a full disk would) leaves the
/// output folder as it was: an earlier run's set whole, or no folder at all. It left
/// edges.csv alone in a new folder.
#[cfg(unix)]
#[test]
fn a_failed_write_leaves_the_earlier_set_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    let o = coordnet(&[
        "detect",
        sample.to_str().unwrap(),
        "-q",
        "-o",
        old.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let set = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let before = set(&old);
    // The files past 100 KiB fail with EFBIG: SIGXFSZ is ignored, as `trap` leaves it.
    for out in [&old, &new] {
        let o = std::process::Command::new("sh")
            .arg("-c")
            .arg(r#"trap "" XFSZ; ulimit -f 200; exec "$@""#)
            .arg("sh")
            .arg(env!("CARGO_BIN_EXE_coordnet"))
            .args([
                "detect",
                sample.to_str().unwrap(),
                "-q",
                "-o",
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("File too large") && !err.contains(".partial"),
            "{err}"
        );
    }
    assert!(set(&old) == before, "the earlier set changed");
    assert!(!new.exists());
}

/// `graph -o link.csv` replaced the link with a file: the file it points to is written, the
/// link kept.
#[cfg(unix)]
#[test]
fn a_file_output_named_by_a_link_goes_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let input = sample.to_str().unwrap();
    let target = dir.path().join("target.csv");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = coordnet(&["graph", input, "-q", "-o", link.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .starts_with("source,target"));
}

/// explain listed one pair per shared item (the closest) where the edge counted every pair
/// within the window: 12 co-hashtag pairs on 3 items showed 3 rows.
#[test]
fn explain_lists_every_pair_the_edge_counts() {
    let dir = tempfile::tempdir().unwrap();
    // Two uses each of #a within 10 s (4 pairs), and #b 1000 s apart (no pair, shown as the
    // closest, outside the window).
    let p = write(
        dir.path(),
        "tags.csv",
        "object_id,account_id,timestamp_share\n\
         a,alice,100\na,bob,103\na,alice,105\na,bob,108\nb,alice,2000\nb,bob,3000\n",
    );
    let args = |json: bool| {
        let mut v = vec![
            "explain",
            "alice",
            "bob",
            "--kind",
            "co-hashtag",
            "--window",
            "10s",
        ];
        v.extend(["--object-kind", "hashtag", p.to_str().unwrap()]);
        if json {
            v.push("--json");
        }
        coordnet(&v)
    };
    let o = args(true);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let evidence = v["evidence"].as_array().unwrap();
    let within = evidence
        .iter()
        .filter(|e| e["within_window"] == true)
        .count();
    assert_eq!(within as u64, v["edge"]["pairs"].as_u64().unwrap(), "{v}");
    assert_eq!(within, 4, "{v}");
    assert_eq!(evidence.len(), 5, "{v}");
    let text = String::from_utf8(args(false).stdout).unwrap();
    assert!(
        text.contains(
            "shared hashtags in their own posts (their retweets count only for co-retweet): 2 \
             (4 pairs of actions within the window"
        ),
        "{text}"
    );
    // Delays read as spans past a minute (#b's 1000 s as 16m40s), counts in the singular
    // where they are one.
    assert!(text.contains("     16m40s *  "), "{text}");
    assert!(
        text.contains("4 co-hashtag pairs within 10s on 1 item (min delay"),
        "{text}"
    );
}

/// A co-action edge list has the same columns whether or not any edge passes the filter:
/// scripts that join or check these files broke on the empty case (no `example_item`). A
/// cosine floor above 1, which no edge can pass, is refused before reading.
#[test]
fn an_empty_edge_list_keeps_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let input = sample.to_str().unwrap();
    let header = |min: &str, name: &str| {
        let out = dir.path().join(name);
        let o = coordnet(&[
            "graph",
            input,
            "--kind",
            "co-hashtag",
            "--min-weight",
            min,
            "-q",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = std::fs::read_to_string(out).unwrap();
        (
            text.lines().next().unwrap().to_string(),
            text.lines().count(),
        )
    };
    let (some, rows) = header("1", "some.csv");
    let (none, no_rows) = header("1000000", "none.csv");
    assert!(rows > 1 && no_rows == 1, "{rows} {no_rows}");
    assert!(some.ends_with(",example_item"), "{some}");
    assert_eq!(some, none);
    let o = coordnet(&[
        "graph",
        input,
        "--kind",
        "co-hashtag",
        "--weight",
        "cosine",
        "--min-weight",
        "2",
        "-o",
        "unused.csv",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("a cosine weight is at most 1") && !err.contains("records from"));
    // A similarity no texts can reach is refused before reading too.
    let o = coordnet(&[
        "graph",
        input,
        "--kind",
        "co-similar",
        "--similarity",
        "2",
        "-o",
        "unused.csv",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("outside (0, 1]") && !err.contains("records from"),
        "{err}"
    );
}

/// The names in the folder `dir`, sorted; none where there is no folder.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort_unstable();
    names
}

/// Ctrl-C while `synth --parts` writes leaves neither hidden partial files nor the parts
/// already in place: a set without its truth would be read as whole.
#[test]
fn ctrl_c_while_synth_writes_parts_leaves_no_part() {
    let dir = tempfile::tempdir().unwrap();
    let mut stopped = 0;
    for attempt in 0..3 {
        let out = dir.path().join(format!("data{attempt}"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_coordnet"))
            .args(["synth", "--tweets", "800000", "--parts", "8", "-q", "-o"])
            .arg(&out)
            .spawn()
            .unwrap();
        // Once the first part is in place.
        let started = std::time::Instant::now();
        while !out.join("tweets_1.csv").exists() && started.elapsed().as_secs() < 60 {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        // SAFETY: a signal to the child this test started and still waits for.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
        let status = child.wait().unwrap();
        let left = names_in(&out);
        if status.code() == Some(130) {
            // The folder it made goes too.
            assert!(!out.exists(), "{left:?}");
            stopped += 1;
        } else {
            assert!(left.contains(&"truth.csv".to_string()), "{left:?}");
        }
    }
    assert!(stopped > 0, "no run was stopped while writing");
}

/// Ctrl-C while detect writes leaves no hidden partial folder (`.coordnet.partial`, hundreds
/// of MB at scale, 40 GB with every edge) and no output folder it made: signalled once the
/// staging folder exists, about half the runs left one or the other, as the writers made
/// their folders again behind the cleanup. SIGTERM (a scheduler's time limit, `docker stop`)
/// and SIGHUP (a dropped ssh session) stop it the same way: they left the partial folder.
#[test]
fn ctrl_c_while_writing_leaves_no_partial_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    synth(&data, 300_000, 1, &[]);
    let mut stopped = 0;
    for attempt in 0..9 {
        let out = dir.path().join(format!("out{attempt}"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_coordnet"))
            .args([
                "detect",
                data.join("tweets.csv").to_str().unwrap(),
                "-q",
                "-o",
            ])
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Later at each attempt: on the staging folder's making, then into the writing.
        let staging = out.join(".coordnet.partial");
        while !staging.exists() && child.try_wait().unwrap().is_none() {
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        std::thread::sleep(std::time::Duration::from_millis(attempt / 3 * 8));
        let signal = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP][attempt as usize % 3];
        // SAFETY: a signal to the child this test started and still waits for.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let o = child.wait_with_output().unwrap();
        let status = o.status;
        if status.code() == Some(130) {
            // Said, under --quiet too: an interrupted run is not a silent success.
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                err.contains("coordnet: stopped by a signal"),
                "{signal}: {err}"
            );
        }
        let left = names_in(&out);
        let mut whole = coordnet::report::detection::FILES.to_vec();
        whole.sort_unstable();
        if status.code() == Some(130) && !out.exists() {
            stopped += 1;
        } else {
            // Done, or stopped once the set was in place (while the run said what it found).
            assert!(
                status.success() || status.code() == Some(130),
                "{signal}: {status:?}"
            );
            assert_eq!(left, whole, "{signal}");
        }
    }
    assert!(stopped > 0, "no run was stopped while writing");
}

/// `stats` on a folder or zip where no entry is data fails as `detect` does, and shows why
/// each was passed over (it printed "read 0 records from 0 file(s)" and exited 0).
#[test]
fn stats_of_input_without_a_data_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notes.txt", "not data\n");
    write(dir.path(), "truth.csv", "account_id,network\na,n1\n");
    let o = coordnet(&["stats", dir.path().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no data file found in"), "{err}");
    assert!(
        err.contains("truth.csv not read: unknown CSV layout"),
        "{err}"
    );
    // An empty data file is data without rows.
    let empty = write(dir.path(), "empty.csv", "");
    let o = coordnet(&["stats", empty.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The control collection stands for ordinary accounts: the input's own file, under any
/// name, is noted (it was taken without a word).
#[test]
fn a_control_that_is_the_input_itself_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let copy = dir.path().join("others.csv.gz");
    std::fs::copy(&sample, &copy).unwrap();
    let out = dir.path().join("out");
    let o = coordnet(&[
        "detect",
        sample.to_str().unwrap(),
        "--control",
        copy.to_str().unwrap(),
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("note: --control")
            && err.contains("others.csv.gz is the same file as the input"),
        "{err}"
    );
}

/// `-o /dev/stdout` with standard output redirected to a file (`>>`) replaced the file by
/// renaming over it, losing what it held: the stream is written through, after it.
#[cfg(unix)]
#[test]
fn an_output_to_dev_stdout_appends_where_the_shell_redirected_it() {
    let dir = tempfile::tempdir().unwrap();
    let edges = write(dir.path(), "e.csv", "source,target,weight\na,b,1\nb,c,1\n");
    let log = write(dir.path(), "log.txt", "precious\n");
    for name in ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"] {
        let appending = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_coordnet"))
            .args(["communities", edges.to_str().unwrap(), "-o", name, "-q"])
            .stdout(appending)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let held = std::fs::read_to_string(&log).unwrap();
    assert!(
        held.starts_with("precious\nnode,cluster,cluster_size\n"),
        "{held}"
    );
    assert_eq!(
        held.matches("node,cluster,cluster_size").count(),
        3,
        "{held}"
    );
    // `graph` tells its format by the name's extension; a stream or device without one
    // takes CSV, as `-` does.
    let sample = sample_tweets();
    let graphed = write(dir.path(), "graph.txt", "");
    let appending = std::fs::OpenOptions::new()
        .append(true)
        .open(&graphed)
        .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_coordnet"))
        .args(["graph", "--kind", "retweet", sample.to_str().unwrap()])
        .args(["-o", "/dev/stdout", "-q"])
        .stdout(appending)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let graph = std::fs::read_to_string(&graphed).unwrap();
    assert!(graph.starts_with("source,target,"), "{}", &graph[..100]);
    assert!(graph.lines().count() > 1000, "{}", graph.lines().count());
}

/// `explain --kind retweet` lists every retweet either account made of the other's posts, as
/// the records give them: counted here from the sample's own columns.
#[test]
fn explain_lists_the_retweets_between_two_accounts() {
    let sample = sample_tweets();
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&sample).unwrap());
    let mut pairs: std::collections::HashMap<(String, String), Vec<String>> = Default::default();
    let mut rows = csv::Reader::from_reader(gz);
    let header = rows.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (user, source, id) = (at("userid"), at("retweet_userid"), at("retweet_tweetid"));
    for r in rows.records() {
        let r = r.unwrap();
        if !r[source].is_empty() && r[source] != r[user] {
            let pair = (r[user].to_string(), r[source].to_string());
            pairs.entry(pair).or_default().push(r[id].to_string());
        }
    }
    let ((a, b), originals) = pairs.iter().max_by_key(|(k, v)| (v.len(), *k)).unwrap();
    let back = pairs.get(&(b.clone(), a.clone())).map_or(0, Vec::len);
    let sample = sample.to_str().unwrap();
    let o = coordnet(&["explain", a, b, "--kind", "retweet", "--json", sample]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["a_retweeted_b"], originals.len());
    assert_eq!(v["b_retweeted_a"], back);
    let p = v["p_value_a_retweeted_b"].as_f64().unwrap();
    assert!(p > 0.0 && p <= 1.0, "{v}");
    let listed = v["retweets"].as_array().unwrap();
    assert_eq!(listed.len(), originals.len() + back);
    let mut ids: Vec<&str> = (listed.iter())
        .filter(|r| r["retweeter"] == a.as_str())
        .map(|r| r["original_id"].as_str().unwrap())
        .collect();
    let mut want: Vec<&str> = originals.iter().map(String::as_str).collect();
    ids.sort();
    want.sort();
    assert_eq!(ids, want);
    assert!(listed.iter().all(|r| r["source_from"] == "record"));
    let o = coordnet(&["explain", a, b, "--kind", "retweet", sample]);
    let text = String::from_utf8_lossy(&o.stdout);
    let said = format!("{a} retweeted {b} {} times", originals.len());
    assert!(text.contains(&said), "{text}");
    let edge = if p <= 0.01 {
        "an edge"
    } else {
        "not significant"
    };
    assert!(text.contains(edge), "{text}");
    // The page says both directions as the text does (naming accounts by screen name) and lists
    // each retweet with its original.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("p.html");
    let o = coordnet(&[
        "explain",
        a,
        b,
        "--kind",
        "retweet",
        "--html",
        page.to_str().unwrap(),
        sample,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    let said = format!(" {} times (p ", originals.len());
    assert!(html.contains(&said) && html.contains(edge), "{html}");
    let table = &html[html.find("id=\"retweets\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr>").count(), 1 + listed.len());
    assert!(want
        .iter()
        .all(|id| table.contains(&format!("<td>{id}</td>"))));
}

/// `graph --kind co-retweet` keys a retweet whose record lost its post's id by its text, as
/// `detect` does: it read no texts for this kind, so such retweets had no item at all.
#[test]
fn co_retweet_keys_retweets_without_their_posts_id_by_text() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&sample).unwrap());
    let mut rows = csv::Reader::from_reader(gz);
    let header = rows.headers().unwrap().clone();
    let id = header.iter().position(|h| h == "retweet_tweetid").unwrap();
    let lost = dir.path().join("lost.csv");
    let mut out = csv::Writer::from_path(&lost).unwrap();
    out.write_record(&header).unwrap();
    let mut blanked = 0;
    for r in rows.records() {
        let r = r.unwrap();
        blanked += usize::from(!r[id].is_empty());
        let row = (r.iter().enumerate()).map(|(i, f)| if i == id { "" } else { f });
        out.write_record(row).unwrap();
    }
    out.flush().unwrap();
    assert!(blanked > 1000, "{blanked}");
    let edges = |input: &Path| {
        let o = coordnet(&[
            "graph",
            "--kind",
            "co-retweet",
            "--window",
            "2m",
            "-o",
            "-",
            input.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut r = csv::Reader::from_reader(&o.stdout[..]);
        let header = r.headers().unwrap().clone();
        let at = |name: &str| header.iter().position(|h| h == name).unwrap();
        let (a, b, pairs) = (at("source"), at("target"), at("pairs"));
        let mut e: Vec<(String, String, String)> = (r.records())
            .map(|x| x.unwrap())
            .map(|x| (x[a].to_string(), x[b].to_string(), x[pairs].to_string()))
            .collect();
        e.sort();
        e
    };
    let by_id = edges(&sample);
    assert!(by_id.len() > 1000, "{}", by_id.len());
    // The sample's retweets of one post share its text (`RT @name: ...`): the same pairs.
    assert_eq!(edges(&lost), by_id);
}

/// A full disk is said to be one, with what to do: the bare "No space left on device" left
/// the analyst to guess.
#[test]
fn a_full_disk_is_said_to_be_full_with_what_to_do() {
    if !Path::new("/dev/full").exists() {
        crate::skipped("no /dev/full to write to");
        return;
    }
    let sample = sample_tweets();
    let o = coordnet(&[
        "graph",
        "--kind",
        "co-hashtag",
        "-q",
        "-o",
        "/dev/full",
        sample.to_str().unwrap(),
    ]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{log}");
    assert!(
        log.contains("/dev/full: ") && log.contains("the disk is full; free space on it, or write"),
        "{log}"
    );
}

/// `detect` prints the first flagged clusters with their evidence and counts the rest, naming
/// where they are: a run with nine flagged printed five and said nothing of the other four.
#[test]
fn flagged_clusters_past_those_printed_are_counted_with_where_to_find_them() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let out = dir.path().join("out");
    let o = coordnet(&[
        "detect",
        sample.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
        "--threshold",
        "0.1",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let flagged = summary_json(&out)["counts"]["flagged_clusters"]
        .as_u64()
        .unwrap();
    assert!(flagged > 5, "the sample at threshold 0.1 flags {flagged}");
    assert_eq!(stdout.matches("\n  cluster ").count(), 5, "{stdout}");
    // Those not shown are counted: flagged past the first five, and those under the threshold.
    let clusters = std::fs::read_to_string(out.join("clusters.csv")).unwrap();
    let below = clusters.lines().count() as u64 - 1 - flagged;
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let more = flagged - 5;
    let mut counted = format!("  and {more} more flagged cluster{}", plural(more));
    if below > 0 {
        let under = format!(
            ", and {below} cluster{} scoring under the threshold 0.1",
            plural(below)
        );
        counted.push_str(&under);
    }
    counted.push_str(": every cluster is in ");
    assert!(stdout.contains(&counted), "{stdout}");
    assert!(stdout.trim_end().ends_with("report.html"), "{stdout}");
}

/// `eval`'s truth is read as inputs are (gzip by its bytes), and a file that is not there is
/// said as `stats` says it, not in the system's numbered words.
#[test]
fn evals_truth_may_be_compressed_and_a_missing_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples");
    let out = dir.path().join("out");
    let o = coordnet(&[
        "detect",
        samples.join("tweets.csv.gz").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let truth = std::fs::read(samples.join("truth.csv")).unwrap();
    let gz = dir.path().join("truth.csv.gz");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut e, &truth).unwrap();
    std::fs::write(&gz, e.finish().unwrap()).unwrap();
    let eval = |truth: &Path| {
        coordnet(&[
            "eval",
            "--truth",
            truth.to_str().unwrap(),
            out.to_str().unwrap(),
        ])
    };
    let (plain, packed) = (eval(&samples.join("truth.csv")), eval(&gz));
    assert!(
        packed.status.success(),
        "{}",
        String::from_utf8_lossy(&packed.stderr)
    );
    // The plain truth finds traps.csv beside it; the copy in a folder of its own does not.
    let scores = |o: &std::process::Output| -> Vec<String> {
        (String::from_utf8_lossy(&o.stdout).lines())
            .filter(|l| !l.starts_with("traps"))
            .map(String::from)
            .collect()
    };
    assert_eq!(scores(&plain), scores(&packed));
    assert!(String::from_utf8_lossy(&plain.stdout).contains("precision 0.993"));
    let missing = eval(&dir.path().join("nothere.csv"));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(missing.status.code(), Some(2), "{err}");
    assert!(
        err.contains("nothere.csv: no such file or directory"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
}
