//! The main job: `coordnet detect` and `coordnet eval`, on generated data with known answers
//! and on the IRA tweets.

use super::*;
use coordnet::eval::{evaluate, read_predicted, read_traps, read_truth};
use coordnet::scoring::{Part, Role, NO_CLUSTER};
use coordnet::synth::{generate, SynthConfig};
use coordnet::{detect, detect_with_progress, DetectConfig};
use std::collections::{HashMap, HashSet};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples")
}

/// `coordnet detect` on the sample's tweets into `out`, with any further flags.
fn detect_sample(out: &Path, flags: &[&str]) -> std::process::Output {
    let input = sample().join("tweets.csv.gz");
    let mut args = vec![
        "detect",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(flags);
    coordnet(&args)
}

/// A run into a folder holding an earlier run's files says it replaces them (they went
/// without a word), and removes what a run killed while writing left, before it starts; a
/// first run says nothing of either.
#[test]
fn detect_says_when_it_replaces_an_earlier_runs_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let note = "holds an earlier run's files; they are replaced";
    let first = detect_sample(&out, &["-q"]);
    assert!(first.status.success());
    assert!(!String::from_utf8_lossy(&first.stderr).contains(note));
    // A run killed while writing (nothing catches `kill -9`) left its hidden staging folder.
    let staging = out.join(".coordnet.partial");
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join("edges.csv"), vec![b'x'; 3 << 20]).unwrap();
    let again = detect_sample(&out, &["-q"]);
    assert!(again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    let said = format!("note: {} {note}", out.display());
    assert!(err.contains(&said), "{err}");
    let removed = format!(
        "note: removed 3 MB of unfinished files that a run stopped while writing left in {}",
        staging.display()
    );
    assert!(err.contains(&removed), "{err}");
    assert!(!staging.exists());
}

/// Without a retweet of known source and delay in the data, the fast-retweet null is
/// undefined: clusters.csv wrote it as 0.
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn an_undefined_fast_retweet_null_is_written_empty_not_zero() {
    let dir = tempfile::tempdir().unwrap();
    let input = crate::shared("coortweet/russian_coord_tweets.csv.gz");
    let o = coordnet(&[
        "detect",
        input.to_str().unwrap(),
        "-o",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = summary_json(dir.path());
    assert_eq!(summary["input"]["background"], "the data's own accounts");
    let (_, clusters) = csv_rows(&dir.path().join("clusters.csv"));
    assert!(clusters.len() > 10);
    for c in &clusters {
        assert_eq!(c["retweets_within_5min_null"], "", "{c:?}");
        assert_eq!(c["retweets_within_5min"], "", "{c:?}");
        assert!(!c["explanation"].contains("null expectation"), "{c:?}");
    }
    assert!(clusters.iter().any(|c| !c["synchrony"].is_empty()));
}

/// network.gexf and the `graph` command's GraphML and GEXF declared every node attribute a
/// string, so Gephi could not size or colour nodes by their tweets or score.
#[test]
fn graph_files_declare_counts_and_scores_as_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = detect_sample(&out, &["-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut files = vec![out.join("network.gexf")];
    let input = sample().join("tweets.csv.gz");
    for (kind, name) in [
        ("co-retweet", "g.graphml"),
        ("co-retweet", "g.gexf"),
        ("retweet", "r.gexf"),
    ] {
        let path = dir.path().join(name);
        let o = coordnet(&[
            "graph",
            "--kind",
            kind,
            input.to_str().unwrap(),
            "-o",
            path.to_str().unwrap(),
            "-q",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        files.push(path);
    }
    for path in files {
        let types = graph_file_attributes(&path);
        let of = |class: &str, name: &str| {
            types
                .get(&(class.to_string(), name.to_string()))
                .map(String::as_str)
        };
        assert_eq!(of("node", "tweets"), Some("long"), "{}", path.display());
        assert_eq!(of("node", "screen_name"), Some("string"));
        assert_eq!(of("node", "account_id"), Some("string"));
        if path.ends_with("network.gexf") {
            assert_eq!(of("node", "score"), Some("double"));
            assert_eq!(of("node", "cluster"), Some("long"));
            assert_eq!(of("node", "flagged"), Some("boolean"));
            assert_eq!(of("node", "role"), Some("string"));
        }
        // Every edge column is a number too, counts whole ones; only the kind and the
        // example item (as the CSV has it, for co-action graphs) are text.
        let counts = ["pairs", "items", "retweets", "delays_known"];
        let coaction = !path.ends_with("network.gexf") && !path.ends_with("r.gexf");
        let example = of("edge", "example_item");
        assert_eq!(example, coaction.then_some("string"), "{}", path.display());
        let text = std::fs::read_to_string(&path).unwrap();
        let values = text.matches("\"example_item\"").count();
        assert!(!coaction || values > 100, "{}: {values}", path.display());
        let mut seen = 0;
        for ((class, name), ty) in &types {
            if class == "edge" && name != "kind" && name != "example_item" {
                let expected = if counts.contains(&name.as_str()) {
                    seen += 1;
                    "long"
                } else {
                    "double"
                };
                assert_eq!(ty, expected, "{}: edge '{name}'", path.display());
            }
        }
        if !path.ends_with("network.gexf") {
            assert_eq!(seen, 2, "{}: two count columns", path.display());
        }
    }
}

pub fn csv_rows(path: &Path) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn detect_on_the_sample_finds_every_planted_network_and_no_trap() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = detect_sample(&out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "accounts.csv",
        "clusters.csv",
        "edges.csv",
        "network.gexf",
        "summary.json",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }

    let truth = sample().join("truth.csv");
    let o = coordnet(&[
        "eval",
        "--json",
        "--truth",
        truth.to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(e["f1"].as_f64().unwrap() >= 0.85, "{e}");
    assert!(e["role_accuracy"].as_f64().unwrap() >= 0.9, "{e}");
    for (network, counts) in e["per_network"].as_object().unwrap() {
        let (total, hit) = (counts[0].as_f64().unwrap(), counts[1].as_f64().unwrap());
        assert!(hit / total >= 0.7, "{network}: {hit} of {total} flagged");
    }
    assert_eq!(e["traps_flagged"], 0, "{e}");
    // The flagged accounts in networks are the true positives precision is made of.
    let flagged = e["flagged_accounts"].as_f64().unwrap();
    let in_networks = e["flagged_network_accounts"].as_f64().unwrap();
    assert!((in_networks / flagged - e["precision"].as_f64().unwrap()).abs() < 1e-12);
    assert_eq!(e["truth_accounts_absent"], 0, "{e}");
    // Each cluster with the truth's accounts in it by network: the flagged ones' accounts
    // outside every network are the flagged accounts precision leaves out.
    let (_, accounts) = csv_rows(&out.join("accounts.csv"));
    let clusters = e["per_cluster"].as_object().unwrap();
    let in_clusters: usize = clusters
        .values()
        .flat_map(|c| c[1].as_object().unwrap().values())
        .map(|n| n.as_u64().unwrap() as usize)
        .sum();
    assert_eq!(
        in_clusters,
        accounts.iter().filter(|a| !a["cluster"].is_empty()).count()
    );
    let flagged_organic: f64 = clusters
        .values()
        .filter(|c| c[0] == true)
        .map(|c| c[1]["organic"].as_f64().unwrap_or(0.0))
        .sum();
    assert_eq!(flagged_organic, flagged - in_networks, "{e}");
}

#[test]
fn detect_writes_the_documented_columns_and_consistent_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = detect_sample(&out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let (header, accounts) = csv_rows(&out.join("accounts.csv"));
    assert_eq!(
        header[..7],
        [
            "account_id",
            "screen_name",
            "cluster",
            "role",
            "role_confidence",
            "flagged",
            "score"
        ]
    );
    let (header, clusters) = csv_rows(&out.join("clusters.csv"));
    assert_eq!(
        header[..6],
        [
            "cluster",
            "size",
            "n_core",
            "n_amplifier",
            "n_other",
            "score"
        ]
    );
    for col in [
        "flagged",
        "coaction",
        "synchrony",
        "structure",
        "creation_burst",
        "content_duplication",
        "hashtag_concentration",
        "core_amplifier_ratio",
        "tweets_per_account",
        "languages",
        "top_hashtags",
        "young_account_share",
        "median_followers",
        "explanation",
    ] {
        assert!(header.iter().any(|h| h == col), "clusters.csv lacks {col}");
    }
    // Sizes and role counts agree with the accounts file; flags and scores agree too.
    for c in &clusters {
        let members: Vec<_> = accounts
            .iter()
            .filter(|a| a["cluster"] == c["cluster"])
            .collect();
        assert_eq!(members.len().to_string(), c["size"]);
        let cores = members.iter().filter(|a| a["role"] == "core").count();
        assert_eq!(cores.to_string(), c["n_core"]);
        assert!(members
            .iter()
            .all(|a| a["flagged"] == c["flagged"] && a["score"] == c["score"]));
        let score: f64 = c["score"].parse().unwrap();
        assert!((0.0..=1.0).contains(&score));
        assert_eq!(c["flagged"] == "true", score >= 0.4);
        assert!(!c["explanation"].is_empty());
    }
    // Clusters are numbered by score, highest first.
    let scores: Vec<f64> = clusters
        .iter()
        .map(|c| c["score"].parse().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    // Unclustered accounts have no cluster, role or score, and are not flagged.
    assert!(accounts
        .iter()
        .filter(|a| a["cluster"].is_empty())
        .all(|a| a["role"].is_empty() && a["flagged"] == "false"));

    let summary = summary_json(&out);
    assert_eq!(
        summary["counts"]["clusters"].as_u64().unwrap() as usize,
        clusters.len()
    );
    assert!(summary["ingest"]["rows_accepted"].as_u64().unwrap() > 0);
    assert!(summary["timings_s"]["graphs"].as_f64().is_some());

    // Gephi file: every node carries cluster, role and score.
    let gexf = std::fs::read_to_string(out.join("network.gexf")).unwrap();
    for attr in ["\"cluster\"", "\"role\"", "\"score\""] {
        assert!(gexf.contains(attr), "gexf lacks attribute {attr}");
    }
    let mut reader = quick_xml::Reader::from_str(&gexf);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("network.gexf is not well-formed XML: {e}"),
        }
    }
}

/// A long run names each stage as it starts, and reporting changes nothing in the result.
#[test]
fn detect_reports_its_stages_in_order() {
    let (data, _) = read(&[sample().join("tweets.csv.gz")]);
    #[derive(Default)]
    struct Seen(std::sync::Mutex<(Vec<String>, u64, Vec<String>)>);
    impl coordnet::progress::Progress for Seen {
        fn stage(&self, name: &str, _: Option<coordnet::progress::Total>) {
            self.0.lock().unwrap().0.push(name.to_string());
        }
        fn advance(&self, n: u64) {
            self.0.lock().unwrap().1 += n;
        }
        fn note(&self, what: &str) {
            self.0.lock().unwrap().2.push(what.to_string());
        }
    }
    let seen = Seen::default();
    let config = DetectConfig::default();
    let with = detect_with_progress(&data, None, &config, &seen).unwrap();
    let (stages, graphs, notes) = seen.0.into_inner().unwrap();
    assert_eq!(
        stages,
        ["building graphs", "finding communities", "scoring clusters"]
    );
    // Every graph is counted as built and noted once with its edges, as it is built (the
    // kinds in whichever order the two lanes finish them), then the clusters.
    let kinds = config.fusion.kinds.len() as u64 + 1;
    assert_eq!(graphs, kinds);
    let names = (config.fusion.kinds.iter().map(|k| k.name())).chain(["retweet"]);
    for name in names {
        let noted = notes.iter().filter(|n| n.starts_with(&format!("{name}: ")));
        assert_eq!(noted.count(), 1, "{name}: {notes:?}");
    }
    assert!(notes.last().unwrap().contains(" clusters"), "{notes:?}");
    // Leiden's levels, while it runs: nodes shrinking level by level, ending in communities.
    let levels: Vec<&String> = notes
        .iter()
        .filter(|n| n.starts_with("Leiden iteration 1, level "))
        .collect();
    assert!(levels.len() >= 2, "{notes:?}");
    assert!(
        levels[0].starts_with("Leiden iteration 1, level 0: "),
        "{notes:?}"
    );
    let nodes = |n: &str| -> usize {
        n.split(": ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(nodes(levels[1]) < nodes(levels[0]), "{notes:?}");
    let without = detect(&data, &config).unwrap();
    assert_eq!(with.cluster_of, without.cluster_of);
    assert_eq!(with.clusters.len(), without.clusters.len());
    let names: Vec<_> = with.timings.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["graphs", "communities", "scoring"]);
}

/// A limit below what the process holds stops `detect` before the graphs. What it says to
/// change besides the limit is what their estimate counts, the input's tweets: it named
/// `--kinds` and `--window`, with which the same run stopped the same way.
#[test]
fn a_limit_too_small_before_the_graphs_names_what_their_estimate_counts() {
    let Some(now) = coordnet::memory::resident() else {
        crate::skipped("no /proc to read memory from, so no limit to hit");
        return;
    };
    let (data, _) = read(&[sample()]);
    let config = DetectConfig {
        memory_limit: Some(now / 2),
        ..DetectConfig::default()
    };
    let Err(e) = detect(&data, &config) else {
        panic!("a limit of half what the process holds did not stop detect");
    };
    let e = e.to_string();
    assert!(e.starts_with("building graphs "), "{e}");
    assert!(
        e.contains("(fewer files or a shorter period; the results then cover only it). "),
        "{e}"
    );
    assert!(!e.contains("--kinds"), "{e}");
    // Beside the stage's need, one figure for the whole run, by the input's tweets.
    let whole = format!(
        "Whole runs of {} tweets measured here peaked at about ",
        data.tweets()
    );
    assert!(
        e.contains(&whole)
            && e.ends_with("as a takedown archive: with a limit of the larger, they ran through"),
        "{e}"
    );
}

/// Organic activity with viral cascades and trending bursts, and no planted network: nothing
/// may be flagged.
#[test]
fn organic_data_with_traps_flags_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = SynthConfig::new(60_000);
    c.networks.clear();
    c.seed = 11;
    generate(&c, dir.path()).unwrap();
    let (data, _) = read(&[dir.path().join("tweets.csv")]);
    let d = detect(&data, &DetectConfig::default()).unwrap();
    let flagged: Vec<_> = d.clusters.iter().filter(|c| c.flagged).collect();
    assert!(
        flagged.is_empty(),
        "flagged organic clusters: {:?}",
        flagged
            .iter()
            .map(|c| (c.size, c.score, &c.explanation))
            .collect::<Vec<_>>()
    );
    // There are clusters (ordinary communities); they just do not look coordinated.
    assert!(!d.clusters.is_empty());
}

#[test]
fn roles_follow_who_is_retweeted_inside_the_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let c = SynthConfig::new(40_000);
    generate(&c, dir.path()).unwrap();
    let (data, _) = read(&[dir.path().join("tweets.csv")]);
    let d = detect(&data, &DetectConfig::default()).unwrap();
    // Each cluster's account of its score splits back into its lines, for callers that list
    // the evidence one line at a time; its members, listed all at once, are those listed one
    // cluster at a time.
    let by_cluster = d.members_by_cluster();
    assert_eq!(by_cluster.len(), d.clusters.len());
    for c in &d.clusters {
        let one: Vec<u32> = d.members(c.id).map(|m| m.0).collect();
        assert_eq!(
            (by_cluster[c.id as usize].len(), &one),
            (c.size, &by_cluster[c.id as usize])
        );
        let lines = coordnet::scoring::explain_lines(c);
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(c.explanation.split("; ").collect::<Vec<_>>(), lines);
    }
    let truth = read_truth(&dir.path().join("truth.csv")).unwrap();
    let (mut right, mut seen) = (0, 0);
    for u in 0..data.accounts.len() as u32 {
        let c = d.cluster_of[u as usize];
        if c == NO_CLUSTER || !d.clusters[c as usize].flagged {
            continue;
        }
        let Some(t) = truth.get(data.accounts.key(u)) else {
            continue;
        };
        if t.network == "organic" {
            continue;
        }
        seen += 1;
        let role = d.roles[u as usize].0;
        right += (role.name() == t.role) as usize;
        assert!(d.roles[u as usize].1 >= 0.5 && d.roles[u as usize].1 <= 1.0);
    }
    assert!(seen > 100, "only {seen} network accounts flagged");
    assert!(
        right as f64 / seen as f64 >= 0.9,
        "{right} of {seen} roles right"
    );
    // Scored in memory, the detection gives what its accounts.csv gives read back.
    let in_memory = evaluate(
        &coordnet::eval::predicted(&data, &d),
        &truth,
        &Default::default(),
    );
    assert!(
        in_memory.role_accuracy.unwrap() >= 0.9,
        "{}",
        in_memory.summary()
    );
    let out = dir.path().join("out");
    let files = coordnet::EdgeFiles::choose(&d, Default::default());
    let (inputs, config) = ([dir.path().join("tweets.csv")], DetectConfig::default());
    let stats = coordnet::IngestStats::default();
    let summary = coordnet::RunSummary::new(&inputs, &data, &stats, 0.0, &config, &d);
    coordnet::write_detection(&out, &data, &d, &summary, &files).unwrap();
    let from_file = read_predicted(&out.join("accounts.csv")).unwrap();
    let read_back = evaluate(&from_file, &truth, &Default::default());
    assert_eq!(in_memory.summary(), read_back.summary());
    // Every flagged core-amplifier cluster reports cores and amplifiers, and most of its
    // retweeting goes to its own cores.
    let ca = d
        .clusters
        .iter()
        .filter(|c| c.flagged && c.n_amplifier > c.n_core)
        .count();
    assert!(ca >= 3, "{ca} core-amplifier clusters");
    assert!(d
        .clusters
        .iter()
        .filter(|c| c.flagged && c.n_amplifier > c.n_core)
        .all(|c| c.parts.get(Part::Structure).unwrap_or(0.0) > 0.5
            && c.explanation.contains("retweets of each other")));
    assert_eq!(Role::Core.name(), "core");
}

#[test]
fn eval_scores_a_perfect_and_an_empty_detection() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(
        dir.path(),
        "truth.csv",
        "account_id,network,role\na,n1,core\nb,n1,amplifier\nc,n1,amplifier\n\
         d,n2,core\ne,n2,core\nf,organic,organic\ng,organic,organic\n",
    );
    let traps = write(
        dir.path(),
        "traps.csv",
        "trap,kind,item,account_id\ntrap-0,viral-cascade,1,f\ntrap-0,viral-cascade,1,g\n",
    );
    let perfect = write(
        dir.path(),
        "perfect.csv",
        "account_id,cluster,role,flagged\na,0,core,true\nb,0,amplifier,true\n\
         c,0,amplifier,true\nd,1,core,true\ne,1,amplifier,true\nf,,,false\ng,2,core,false\n",
    );
    let t = read_truth(&truth).unwrap();
    let tr = read_traps(&traps).unwrap();
    let e = evaluate(&read_predicted(&perfect).unwrap(), &t, &tr);
    assert_eq!((e.precision, e.recall, e.f1), (1.0, 1.0, 1.0));
    assert!((e.ari - 1.0).abs() < 1e-12 && (e.nmi - 1.0).abs() < 1e-12);
    assert!((e.role_accuracy.unwrap() - 0.8).abs() < 1e-12); // e is a core called amplifier
    assert_eq!(e.traps_flagged, 0);

    let empty = write(
        dir.path(),
        "empty.csv",
        "account_id,cluster,role,flagged\nf,0,core,true\ng,0,core,true\na,,,false\nb,,,false\n\
         c,,,false\nd,,,false\ne,,,false\n",
    );
    let e = evaluate(&read_predicted(&empty).unwrap(), &t, &tr);
    assert_eq!((e.precision, e.recall, e.f1), (0.0, 0.0, 0.0));
    assert_eq!(e.traps_flagged, 1);
    assert_eq!(e.per_network["n1"], (3, 0));

    // Researchers' labels name operations, not roles: such a truth is scored on the rest, and
    // its role accuracy is unknown, not 0.
    let personas = write(
        dir.path(),
        "personas.csv",
        "account_id,network\na,n1\nb,n1\nc,n1\nd,n2\ne,n2\nf,organic\ng,organic\n",
    );
    let e = evaluate(
        &read_predicted(&perfect).unwrap(),
        &read_truth(&personas).unwrap(),
        &tr,
    );
    assert_eq!((e.precision, e.recall, e.f1), (1.0, 1.0, 1.0));
    assert_eq!((e.role_accuracy, e.cluster_role_accuracy), (None, None));
    assert!(e
        .summary()
        .contains("role accuracy n/a (the truth gives no roles)"));

    // Nothing flagged: precision and role accuracy are unknown, and not for want of roles.
    let none = write(
        dir.path(),
        "none.csv",
        "account_id,cluster,role,flagged
a,0,core,false
b,0,amplifier,false
f,,,false
",
    );
    let summary = evaluate(&read_predicted(&none).unwrap(), &t, &tr).summary();
    assert!(
        summary.contains("precision n/a (nothing flagged)"),
        "{summary}"
    );
    assert!(
        summary.contains("role accuracy n/a (no network account flagged)"),
        "{summary}"
    );
}

#[test]
fn eval_and_detect_name_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(dir.path(), "truth.csv", "account,network\na,n1\n");
    std::fs::create_dir(dir.path().join("out")).unwrap();
    write(
        &dir.path().join("out"),
        "accounts.csv",
        "account_id,cluster,role,flagged\na,0,core,maybe\n",
    );
    let out = dir.path().join("out");
    let eval = |truth: &Path| {
        coordnet(&[
            "eval",
            "--truth",
            truth.to_str().unwrap(),
            out.to_str().unwrap(),
        ])
    };
    let o = eval(&truth);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("truth.csv:1") && err.contains("account_id"),
        "{err}"
    );

    let truth = write(
        dir.path(),
        "truth2.csv",
        "account_id,network,role\na,n1,core\n",
    );
    let o = eval(&truth);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("accounts.csv:2, column 'flagged'") && err.contains("true or false"),
        "{err}"
    );
    // A truth none of whose accounts is in the output (another data set's).
    write(
        &dir.path().join("out"),
        "accounts.csv",
        "account_id,cluster,role,flagged\na,0,core,true\n",
    );
    assert!(eval(&truth).status.success());
    let other = write(
        dir.path(),
        "truth3.csv",
        "account_id,network,role\nzz,n1,core\n",
    );
    let o = eval(&other);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is the truth of another data set?"), "{err}");
    // A role spelled otherwise is refused, not counted as a wrong one.
    let spelled = write(
        dir.path(),
        "truth4.csv",
        "account_id,network,role\na,n1,core\nb,n1,Core\n",
    );
    let o = eval(&spelled);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("truth4.csv:3, column 'role': role is 'Core'")
            && err.contains("core, amplifier, other, organic"),
        "{err}"
    );
    // A directory detect did not write: said so, with what to give instead.
    let o = coordnet(&[
        "eval",
        "--truth",
        truth.to_str().unwrap(),
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no accounts.csv there"), "{err}");
    let missing = dir.path().join("never-written");
    let o = coordnet(&[
        "eval",
        "--truth",
        truth.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("never-written: no such folder; give the directory"),
        "{err}"
    );
    // A folder where a file is read: said in words, not as the system's error number.
    let o = coordnet(&[
        "eval",
        "--truth",
        dir.path().to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(": is a folder, where a file was expected"),
        "{err}"
    );

    let o = detect_sample(
        &dir.path().join("d"),
        &["--kinds", "co-retweet,co-everything"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("invalid value 'co-everything'")
            && err.contains("possible values: co-retweet"),
        "{err}"
    );
    let o = detect_sample(&dir.path().join("d"), &["--edge-pvalue", "2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("try 0.01"));
}

/// A labels file whose mistakes would change the figures without a word is refused, naming
/// the mistake: a role column named but not there (role accuracy would be turned off), an
/// account without a network (it would be a network of its own), and one account labelled
/// twice under two spellings (one row kept, the other counted as not in the data).
#[test]
fn eval_refuses_labels_that_would_change_the_figures_silently() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    write(
        &out,
        "accounts.csv",
        "account_id,screen_name,cluster,role,flagged\nAbc,Abc,0,core,true\nb,b,0,amplifier,true\n",
    );
    let eval = |truth: &str, flags: &[&str]| {
        let truth = write(dir.path(), "truth.csv", truth);
        let mut args = vec!["eval", "--truth", truth.to_str().unwrap()];
        args.extend_from_slice(flags);
        args.push(out.to_str().unwrap());
        let o = coordnet(&args);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let good = "account_id,network,role\nAbc,op,core\nb,op,amplifier\n";
    assert_eq!(eval(good, &[]).0, Some(0));
    // The default role column may be absent; one named must be there.
    assert_eq!(eval("account_id,network\nAbc,op\nb,op\n", &[]).0, Some(0));
    let (code, err) = eval(good, &["--role-column", "rol"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("truth.csv:1, column 'rol': no column 'rol'"),
        "{err}"
    );
    let (code, err) = eval("account_id,network,role\nAbc,op,core\nb, ,amplifier\n", &[]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("truth.csv:3, column 'network': the network is empty"),
        "{err}"
    );
    let (code, err) = eval(
        "account_id,network,role\nAbc,op,core\nabc,other,core\nb,op,\n",
        &[],
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("'abc'") && err.contains("name the same account") && err.contains("'Abc'"),
        "{err}"
    );
    // A table apart by tabs, and a row with a field too many, are said as such, once.
    let (code, err) = eval("account_id\tnetwork\nAbc\top\n", &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("its names are apart by tabs"), "{err}");
    let (code, err) = eval("account_id,network\nAbc,op\nb,op,x\n", &[]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("truth.csv:3: the row has 3 fields (expected 2, as the header has)"),
        "{err}"
    );
    // The same labels under two spellings are one account's, counted once.
    let (code, err) = eval(
        "account_id,network,role\nAbc,op,core\n@abc,op,core\nb,op,\n",
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("not in"), "{err}");
}

/// `coordnet score` on the sample with `list` (columns `account_id, group`) as suspects.csv in
/// `dir`, scored group by group.
fn score_groups(dir: &Path, list: &str) -> std::process::Output {
    score_groups_with(dir, list, &[])
}

/// [`score_groups`] with more flags.
fn score_groups_with(dir: &Path, list: &str, flags: &[&str]) -> std::process::Output {
    let suspects = write(dir, "suspects.csv", list);
    let input = sample().join("tweets.csv.gz");
    let mut args = vec![
        "score",
        "--accounts",
        suspects.to_str().unwrap(),
        "--group-column",
        "group",
        input.to_str().unwrap(),
    ];
    args.extend_from_slice(flags);
    coordnet(&args)
}

/// `score` compares groups with ordinary accounts: in a collection the rest of the data; but
/// when the listed accounts post most of the tweets (a takedown archive of suspects) the rest
/// is other suspects or too little, and the parts take the reference figures instead, as
/// `detect` does for an archive. The analyst can say which the input is; the choice is
/// printed with its reason and written to summary.json.
#[test]
fn score_of_an_archive_of_suspects_compares_them_with_the_reference_not_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let (_, truth) = csv_rows(&sample().join("truth.csv"));
    let list = |keep: &dyn Fn(&str) -> bool| {
        let mut list = String::from("account_id,group\n");
        for r in truth.iter().filter(|r| keep(&r["network"])) {
            list.push_str(&format!("{},{}\n", r["account_id"], r["network"]));
        }
        list
    };
    let (everyone, planted) = (list(&|_| true), list(&|n| n != "organic"));
    let input_line = |o: &std::process::Output| {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        let line = err.lines().find(|l| l.starts_with("input: "));
        line.unwrap_or_else(|| panic!("no input line: {err}"))
            .to_string()
    };
    // The delay null in the explanation of the largest planted network.
    let null = |o: &std::process::Output| {
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        let at = out.find("ca-1:10:").expect("ca-1:10 scored");
        let from = at + out[at..].find("null expectation ").expect("a delay null");
        out[from..].split(';').next().unwrap().to_string()
    };

    let out_dir = dir.path().join("out");
    let out = out_dir.to_str().unwrap();
    let archive = score_groups_with(dir.path(), &everyone, &["-o", out]);
    let line = input_line(&archive);
    assert!(
        line.starts_with("input: archive (100% of the tweets come from the listed accounts")
            && line.ends_with("compared with built-in platform-wide reference figures"),
        "{line}"
    );
    let summary = summary_json(&out_dir);
    assert_eq!(summary["input"]["kind"], "archive", "{summary}");
    assert_eq!(
        summary["input"]["background"],
        "built-in platform-wide reference figures"
    );
    // Groups that split the whole sample include its ordinary accounts: the analyst is told
    // what they are compared with, and how to give them a fair background.
    let caution = summary["input"]["caution"].as_str().unwrap_or_default();
    assert!(
        caution.contains("the groups hold all of the data"),
        "{summary}"
    );
    let err = String::from_utf8_lossy(&archive.stderr);
    assert!(err.contains("a fair comparison (--control FILE)"), "{err}");

    // Each cluster's group by its number, in summary.json and at the head of clusters.csv's
    // explanation (clusters are numbered by score, not in the list's order).
    let (_, clusters) = csv_rows(&out_dir.join("clusters.csv"));
    let groups = summary["groups"].as_array().unwrap();
    assert_eq!(groups.len(), clusters.len());
    for (g, c) in groups.iter().zip(&clusters) {
        assert_eq!(g["cluster"].to_string(), c["cluster"]);
        let name = g["group"].as_str().unwrap();
        assert!(
            c["explanation"].starts_with(&format!("group {name}: ")),
            "{name}: {}",
            c["explanation"]
        );
    }
    let collection = score_groups(dir.path(), &planted);
    assert!(!String::from_utf8_lossy(&collection.stderr).contains("warning"));
    let line = input_line(&collection);
    assert!(
        line.starts_with("input: collection (14% of the tweets come from the listed accounts")
            && line.ends_with("compared with the data's own accounts"),
        "{line}"
    );

    let said = score_groups_with(dir.path(), &everyone, &["--input-kind", "collection"]);
    let line = input_line(&said);
    assert!(
        line.contains("taken for a mixed collection, as set")
            && line.ends_with("compared with the data's own accounts"),
        "{line}"
    );
    // The data's own accounts are then the other groups', and the analyst is told so.
    let err = String::from_utf8_lossy(&said.stderr);
    assert!(
        err.contains("each group is compared with the other groups' accounts")
            && err.contains("(--control FILE)"),
        "{err}"
    );
    // Against the other suspects, the delay null is theirs: not the reference's.
    assert_ne!(null(&archive), null(&said));

    // A control collection, when given, is the background whatever the input is (here the
    // sample itself stands in for one).
    let control = sample().join("tweets.csv.gz");
    let flags = ["--control", control.to_str().unwrap()];
    let controlled = score_groups_with(dir.path(), &everyone, &flags);
    let line = input_line(&controlled);
    assert!(
        line.starts_with("input: archive (")
            && line.ends_with("compared with the control collection"),
        "{line}"
    );
    assert!(!String::from_utf8_lossy(&controlled.stderr).contains("fair comparison"));
}

/// `score -o` wrote a summary.json without the settings, counts, graphs or version that
/// `detect` writes, so report.html drew the threshold line at the default whatever
/// `--threshold` said and had no Settings section; and a group's name was only in the
/// explanation's text.
#[test]
fn score_writes_detects_summary_and_each_groups_name_in_a_column() {
    let dir = tempfile::tempdir().unwrap();
    let (detected, scored) = (dir.path().join("detect"), dir.path().join("score"));
    assert!(detect_sample(&detected, &[]).status.success());
    let truth = sample().join("truth.csv");
    let input = sample().join("tweets.csv.gz");
    let o = coordnet(&[
        "score",
        "--accounts",
        truth.to_str().unwrap(),
        "--group-column",
        "network",
        "--threshold",
        "0.3",
        input.to_str().unwrap(),
        "-o",
        scored.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (d, s) = (summary_json(&detected), summary_json(&scored));
    // Every key of detect's, and score's own.
    for key in d.as_object().unwrap().keys() {
        assert!(
            s.get(key).is_some(),
            "score's summary.json lacks {key}: {s}"
        );
    }
    for key in ["suspects", "suspects_missing", "groups"] {
        assert!(s.get(key).is_some(), "{key}");
    }
    // The settings that apply to given groups; not those of finding clusters.
    let settings = s["settings"].as_object().unwrap();
    for (key, _) in settings {
        assert!(d["settings"].get(key).is_some(), "{key}");
    }
    assert_eq!(s["settings"]["threshold"], 0.3);
    assert_eq!(s["settings"]["kinds"], d["settings"]["kinds"]);
    assert!(s["settings"].get("leiden").is_none());
    assert_eq!(s["counts"]["clusters"], 6);
    assert_eq!(s["counts"]["tweets"], d["counts"]["tweets"]);
    assert!(s["timings_s"]["scoring"].is_f64());
    let report = std::fs::read_to_string(scored.join("report.html")).unwrap();
    assert!(report.contains("<h3>Settings</h3>"));
    assert!(report.contains("threshold = 0.3"));

    // Each cluster's and each account's group, in a column next to the cluster's number.
    let (header, clusters) = csv_rows(&scored.join("clusters.csv"));
    assert_eq!(header[..2], ["cluster", "group"]);
    for (g, c) in s["groups"].as_array().unwrap().iter().zip(&clusters) {
        assert_eq!(g["cluster"].to_string(), c["cluster"]);
        assert_eq!(g["group"].as_str().unwrap(), c["group"]);
    }
    let (header, accounts) = csv_rows(&scored.join("accounts.csv"));
    assert_eq!(header[2..4], ["cluster", "group"]);
    let (_, truth) = csv_rows(&truth);
    let network: HashMap<&str, &str> = (truth.iter())
        .map(|r| (r["account_id"].as_str(), r["network"].as_str()))
        .collect();
    assert_eq!(accounts.len(), network.len());
    for a in &accounts {
        assert_eq!(network[a["account_id"].as_str()], a["group"], "{a:?}");
    }
    // Detect's tables have no such column.
    let (header, _) = csv_rows(&detected.join("clusters.csv"));
    assert!(!header.iter().any(|h| h == "group"));
}

/// The creation-burst null was labelled "all accounts" whatever it was: the data's accounts,
/// the control's, or the platform-wide reference. Each explanation names its null.
#[test]
fn explanations_name_the_null_they_compare_with() {
    let dir = tempfile::tempdir().unwrap();
    let (_, truth) = csv_rows(&sample().join("truth.csv"));
    let mut everyone = String::from("account_id,group\n");
    for r in &truth {
        everyone.push_str(&format!("{},{}\n", r["account_id"], r["network"]));
    }
    let control = sample().join("tweets.csv.gz");
    let with_control = ["--control", control.to_str().unwrap()];
    for (flags, creation, retweets) in [
        (
            &[][..],
            "platform-wide reference: ",
            ", platform-wide reference)",
        ),
        (
            &with_control[..],
            "the control's accounts: ",
            ", the control's retweets)",
        ),
    ] {
        let o = score_groups_with(dir.path(), &everyone, flags);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let out = String::from_utf8_lossy(&o.stdout);
        let ca = out
            .lines()
            .skip_while(|l| !l.starts_with("ca-1:10:"))
            .nth(2)
            .unwrap();
        assert!(
            ca.contains(&format!("created within one 30-day span ({creation}")),
            "{ca}"
        );
        assert!(ca.contains(retweets), "{ca}");
        assert!(!out.contains("all accounts:"), "{out}");
    }
    let o = detect_sample(&dir.path().join("d"), &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("(the data's accounts: ") && out.contains(", the data's retweets)"),
        "{out}"
    );
}

#[test]
fn score_tells_a_suspected_network_from_random_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let (_, truth) = csv_rows(&sample().join("truth.csv"));
    // Named as a hand-made list names them: by id, by id with a stray space, by @screen name
    // in another case.
    let (data, _) = read(&[sample().join("tweets.csv.gz")]);
    let mut list = String::from("account_id,group\n");
    for (i, r) in (truth.iter().filter(|r| r["network"] == "ca-1:10")).enumerate() {
        let id = r["account_id"].as_str();
        let name = data
            .accounts
            .lookup(id)
            .and_then(|a| data.accounts.screen_name(a));
        let named = match (i % 3, name) {
            (0, _) => format!("{id} "),
            (1, Some(name)) => format!("@{}", name.to_uppercase()),
            _ => id.to_string(),
        };
        list.push_str(&format!("{named},suspected\n"));
    }
    assert!(list.contains('@') && list.contains(" ,"), "{list}");
    for r in truth.iter().filter(|r| r["network"] == "organic").take(40) {
        list.push_str(&format!("{},random\n", r["account_id"]));
    }
    list.push_str("not-in-the-data,random\n");
    let o = score_groups(dir.path(), &list);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let line = |g: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{g}:")))
            .unwrap_or_else(|| panic!("no line for {g}: {out}"))
            .to_string()
    };
    assert!(line("suspected").ends_with("flagged"), "{out}");
    assert!(!line("random").contains("flagged"), "{out}");
    // The account missing from the data is reported, not silently dropped.
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("1 of 74 suspected accounts are not in the input (e.g. 'not-in-the-data')"));
}

/// `score` built its graphs with detect's defaults only: a study's accounts could not be
/// scored at the study's window and kinds. It takes detect's graph flags, and they reach
/// the graphs its groups are scored on.
#[test]
fn score_builds_its_graphs_with_detects_flags() {
    let dir = tempfile::tempdir().unwrap();
    let (_, truth) = csv_rows(&sample().join("truth.csv"));
    let mut list = String::from("account_id,group\n");
    for r in truth.iter().filter(|r| r["network"] == "ca-1:10") {
        list.push_str(&format!("{},suspected\n", r["account_id"]));
    }
    let summary = |flags: &[&str]| {
        let out = dir.path().join(flags.join("_"));
        let mut all = vec!["-o", out.to_str().unwrap()];
        all.extend_from_slice(flags);
        let o = score_groups_with(dir.path(), &list, &all);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (
            summary_json(&out),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let (given, shown) = summary(&[
        "--kinds",
        "co-hashtag,co-retweet",
        "--no-retweets",
        "--window",
        "10s",
        "--min-participation",
        "3",
    ]);
    let graphs = given["graphs"].as_array().unwrap();
    let kinds: Vec<&str> = graphs.iter().map(|g| g["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["co-hashtag", "co-retweet"], "{given}");
    assert!(graphs.iter().all(|g| g["window"] == "10s"), "{given}");
    assert_eq!(given["settings"]["min_participation"], 3);
    assert_eq!(given["settings"]["window"], "10s");
    assert_eq!(
        given["settings"]["retweets"], false,
        "{}",
        given["settings"]
    );
    // The defaults estimate each kind's window and fuse every kind and the retweets.
    let (default, default_shown) = summary(&[]);
    let graphs = default["graphs"].as_array().unwrap();
    assert!(graphs.len() > 2 && graphs.iter().any(|g| g["window"] != "10s"));
    assert!(graphs.iter().any(|g| g["kind"] == "retweet"), "{default}");
    assert_eq!(default["settings"]["window"], "auto");
    // The group's evidence is measured on the graphs asked for.
    assert_ne!(shown, default_shown);
}

/// An account in two groups cannot be scored in both: the list is refused, naming both lines,
/// rather than the account moved to one group unsaid (which made groups of the wrong size and
/// empty groups named '?'). The same row twice is one account; a row without its group is
/// refused. Truth files for `eval` are held to the same.
#[test]
fn an_account_in_two_groups_is_refused_naming_both_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (_, truth) = csv_rows(&sample().join("truth.csv"));
    let organic: Vec<&str> = truth
        .iter()
        .filter(|r| r["network"] == "organic")
        .map(|r| r["account_id"].as_str())
        .take(30)
        .collect();
    let score = |list: &str| score_groups(dir.path(), list);
    let mut list = String::from("account_id,group\n");
    for (i, a) in organic.iter().enumerate() {
        list.push_str(&format!("{a},{}\n", if i < 15 { "a" } else { "b" }));
    }
    // Repeated in its own group: one account.
    list.push_str(&format!("{},a\n", organic[3]));
    // And a group none of whose accounts is in the input: named as left out.
    let mut with_ghosts = list.clone();
    for i in 0..4 {
        with_ghosts.push_str(&format!("ghost{i},ghosts\n"));
    }
    let scored = dir.path().join("scored");
    let o = score_groups_with(dir.path(), &with_ghosts, &["-o", scored.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = summary_json(&scored);
    assert_eq!(summary["groups_left_out"], serde_json::json!(["ghosts"]));
    assert_eq!(summary["groups"][0]["listed"], 15);
    assert_eq!(summary["suspects_missing"], 4);
    assert_eq!(
        summary["suspects_missing_listed"],
        serde_json::json!(["ghost0", "ghost1", "ghost2", "ghost3"])
    );
    let report = std::fs::read_to_string(scored.join("report.html")).unwrap();
    assert!(
        report.contains("4 not in the input") && report.contains("left out: ghosts."),
        "the report names what of the list the input does not show"
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("a: 15 accounts of 15 listed") && out.contains("b: 15 accounts of 15 listed"),
        "{out}"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("group ghosts: none of its 4 listed accounts posted in the input"),
        "{err}"
    );
    // The same account in another group under another spelling (its id in capitals; an
    // `@name` alike): refused, both lines named, not moved to the later group unsaid.
    let o = score(&format!("{list}{},b\n", organic[1].to_uppercase()));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("suspects.csv:33")
            && err.contains(&format!(
                "names the account line 3 gives as '{}', there with another group",
                organic[1]
            )),
        "{err}"
    );
    // In a second group: refused, both lines named (the header is line 1).
    list.push_str(&format!("{},b\n", organic[0]));
    let o = score(&list);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("suspects.csv:33") && err.contains("is on line 2 too, with another group"),
        "{err}"
    );
    // Saved with CRLF line ends (Excel, Python's csv module): the same lines.
    let o = score(&list.replace('\n', "\r\n"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("suspects.csv:33") && err.contains("is on line 2 too, with another group"),
        "{err}"
    );
    let o = score(&format!("account_id,group\n{},\n", organic[0]));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("suspects.csv:2, column 'group'"),
        "{err}"
    );

    let conflicting = write(
        dir.path(),
        "truth.csv",
        &format!(
            "account_id,network,role\n{0},n1,core\n{0},n2,core\n",
            organic[0]
        ),
    );
    let e = coordnet::eval::read_truth(&conflicting)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("truth.csv:3") && e.contains("on line 2 too"),
        "{e}"
    );
}

/// Four weeks of an office-hours crew (`crew0`-`crew7`) posting together in bursts, each on its
/// own items so that nothing co-acts, and 200 ordinary accounts (`user0`...) with a daily
/// rhythm, as an action CSV.
fn crew_and_ordinary_accounts() -> String {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(5);
    let monday = 1_704_067_200i64; // 2024-01-01 00:00 UTC, seconds
    let mut csv = String::from("object_id,account_id,content_id,timestamp_share\n");
    let mut object = 0u64;
    let mut post = |csv: &mut String, who: &str, t: i64| {
        object += 1;
        csv.push_str(&format!("o{object},{who},c{object},{t}\n"));
    };
    for day in 0..28 {
        if day % 7 >= 5 {
            continue; // the crew has weekends off
        }
        for _ in 0..3 {
            let moment = monday + day * 86_400 + rng.random_range(6..14) * 3600;
            for m in 0..8 {
                if rng.random::<f64>() < 0.8 {
                    post(
                        &mut csv,
                        &format!("crew{m}"),
                        moment + rng.random_range(0..900),
                    );
                }
            }
        }
    }
    for u in 0..200 {
        for _ in 0..rng.random_range(30..60) {
            // A daily rhythm: hours drawn with weight 1 + 0.6 sin.
            let t = loop {
                let t = monday + rng.random_range(0..28 * 86_400);
                let h = ((t / 3600) % 24) as f64;
                let w = 1.0 + 0.6 * ((h - 9.0) / 24.0 * std::f64::consts::TAU).sin();
                if rng.random::<f64>() * 1.6 < w {
                    break t;
                }
            };
            post(&mut csv, &format!("user{u}"), t);
        }
    }
    csv
}

/// Hour-of-week profiles and shared bursts, on accounts built to differ only in when they are
/// active: an office-hours crew posting together in bursts (each on its own items, so nothing
/// co-acts) against ordinary accounts with a daily rhythm.
#[test]
fn rhythm_tells_a_shift_crew_from_ordinary_accounts() {
    use coordnet::scoring::rhythm;
    use coordnet::scoring::Activity;
    let csv = crew_and_ordinary_accounts();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("actions.csv");
    std::fs::write(&path, csv).unwrap();
    let (data, _) = read(&[path]);
    let mut cluster_of = vec![NO_CLUSTER; data.accounts.len()];
    for m in 0..8 {
        cluster_of[data.accounts.lookup(&format!("crew{m}")).unwrap() as usize] = 0;
        cluster_of[data.accounts.lookup(&format!("user{m}")).unwrap() as usize] = 1;
    }
    let r = rhythm::measure(&data, &Activity::of(&data), &cluster_of, &[8, 8], 1, true);
    let (crew, users) = (&r[0], &r[1]);
    assert_eq!((crew.profiled, users.profiled), (8, 8));
    let (sim, null) = (crew.profile_similarity.unwrap(), crew.profile_null.unwrap());
    assert!(sim - null > 0.3, "crew profiles {sim:.2} against {null:.2}");
    let (sim, null) = (
        users.profile_similarity.unwrap(),
        users.profile_null.unwrap(),
    );
    assert!(
        (sim - null).abs() < 0.15,
        "users' profiles {sim:.2} against {null:.2}"
    );
    let share = |x: &rhythm::Rhythm| x.shared_hours as f64 / x.active_hours as f64;
    // The null keeps the crew's office hours, so it is far from 0; the excess over it is not.
    let excess = |x: &rhythm::Rhythm| {
        let null = x.shared_null.unwrap();
        (share(x) - null) / (1.0 - null)
    };
    assert!(excess(crew) > 0.5, "{crew:?}");
    assert!(excess(users) < 0.1, "{users:?}");
}

/// The shared bursts' null moves activity over the days the data has tweets on: a row dated
/// 1970 (a placeholder for a missing date) and a week's outage in the collection leave the
/// crew's null as it was, where blocks laid over the whole span moved it to empty days.
#[test]
fn a_placeholder_date_or_an_outage_leaves_the_burst_null_alone() {
    use coordnet::scoring::rhythm;
    use coordnet::scoring::Activity;
    let dir = tempfile::tempdir().unwrap();
    let measure = |csv: &str| {
        let path = dir.path().join("actions.csv");
        std::fs::write(&path, csv).unwrap();
        let (data, _) = read(&[path]);
        let mut cluster_of = vec![NO_CLUSTER; data.accounts.len()];
        for m in 0..8 {
            cluster_of[data.accounts.lookup(&format!("crew{m}")).unwrap() as usize] = 0;
        }
        let r = rhythm::measure(&data, &Activity::of(&data), &cluster_of, &[8], 1, true);
        r[0].clone()
    };
    let csv = crew_and_ordinary_accounts();
    let before = measure(&csv);
    let null = before.shared_null.unwrap();
    assert!(null > 0.0 && null < before.shared_hours as f64 / before.active_hours as f64);
    // An ordinary account's row at the epoch's zero.
    let stray = format!("{csv}o_stray,user3,c_stray,0\n");
    let after = measure(&stray);
    assert_eq!(after.shared_null, before.shared_null, "{after:?}");
    assert_eq!(after.shared_hours, before.shared_hours);
    // A week the collection missed (days 14 to 20) counts for nothing: the null is the one
    // of the same rows with the week after it moved back into its place.
    let (monday, week) = (1_704_067_200i64, 7 * 86_400);
    let rows = |moved: i64| -> String {
        let mut out = String::new();
        for l in csv.lines() {
            match l.rsplit_once(',').map(|(rest, t)| (rest, t.parse::<i64>())) {
                Some((rest, Ok(t))) if t >= monday + 3 * week => {
                    out.push_str(&format!("{rest},{}\n", t - moved))
                }
                Some((_, Ok(t))) if t >= monday + 2 * week => {} // the missed week
                _ => out.push_str(&format!("{l}\n")),
            }
        }
        out
    };
    let (gap, closed) = (measure(&rows(0)), measure(&rows(week)));
    assert_eq!(gap.shared_null, closed.shared_null, "{gap:?}\n{closed:?}");
    assert_eq!(gap.active_hours, closed.active_hours);
}

/// Past `--gexf-max-edges`, network.gexf keeps each account's strongest ties: every account
/// of edges.csv is still in it, every edge it holds is in edges.csv, and no account keeps
/// fewer than k ties unless it had fewer; edges.csv keeps them all, and summary.json says so.
#[test]
fn a_large_gephi_file_keeps_each_accounts_strongest_ties() {
    let dir = tempfile::tempdir().unwrap();
    let (full, capped) = (dir.path().join("full"), dir.path().join("capped"));
    assert!(detect_sample(&full, &["-q"]).status.success());
    let (_, all) = csv_rows(&full.join("edges.csv"));
    let max = all.len() / 4;
    let o = detect_sample(&capped, &["-q", "--gexf-max-edges", &max.to_string()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read(full.join("edges.csv")).unwrap(),
        std::fs::read(capped.join("edges.csv")).unwrap(),
        "edges.csv is not cut"
    );

    let gexf = |dir: &Path| {
        let text = std::fs::read_to_string(dir.join("network.gexf")).unwrap();
        let mut reader = quick_xml::Reader::from_str(&text);
        let (mut ids, mut edges) = (HashMap::new(), Vec::new());
        let mut node = String::new();
        loop {
            match reader.read_event().unwrap() {
                quick_xml::events::Event::Eof => break,
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                    let attr = |k: &str| {
                        e.try_get_attribute(k)
                            .unwrap()
                            .map(|a| a.unescape_value().unwrap().to_string())
                    };
                    match e.name().as_ref() {
                        b"node" => node = attr("id").unwrap(),
                        b"attvalue" if attr("for").as_deref() == Some("account_id") => {
                            ids.insert(node.clone(), attr("value").unwrap());
                        }
                        b"edge" => edges.push((
                            attr("source").unwrap(),
                            attr("target").unwrap(),
                            attr("weight").unwrap().parse::<f64>().unwrap(),
                        )),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        edges
            .into_iter()
            .map(|(a, b, w)| (ids[&a].clone(), ids[&b].clone(), w))
            .collect::<Vec<_>>()
    };
    let (before, after) = (gexf(&full), gexf(&capped));
    assert_eq!(before.len(), all.len());
    let summary = summary_json(&capped);
    let files = &summary["edge_files"];
    let k = files["network_gexf_strongest_per_account"]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(
        files["network_gexf"].as_u64().unwrap() as usize,
        after.len()
    );
    assert_eq!(
        files["network_gexf_before_limit"].as_u64().unwrap() as usize,
        all.len()
    );
    assert!(after.len() < all.len());

    let degree = |edges: &[(String, String, f64)]| {
        let mut d: HashMap<String, usize> = HashMap::new();
        for (a, b, _) in edges {
            *d.entry(a.clone()).or_default() += 1;
            *d.entry(b.clone()).or_default() += 1;
        }
        d
    };
    let (deg_before, deg_after) = (degree(&before), degree(&after));
    assert_eq!(k, (max / deg_before.len()).max(1));
    assert!(
        after.len() <= deg_before.len() * k,
        "each edge kept is among k of an end"
    );
    assert_eq!(
        deg_before.keys().collect::<std::collections::BTreeSet<_>>(),
        deg_after.keys().collect(),
        "an account lost all its ties"
    );
    for (account, &d) in &deg_before {
        assert!(
            deg_after[account] >= d.min(k),
            "{account}: {d} ties, kept {}",
            deg_after[account]
        );
    }
    let kept: std::collections::HashSet<(String, String)> = before
        .iter()
        .map(|(a, b, _)| (a.clone(), b.clone()))
        .collect();
    assert!(after
        .iter()
        .all(|(a, b, _)| kept.contains(&(a.clone(), b.clone()))));
    // Each account's strongest tie is kept.
    let mut strongest: HashMap<&String, f64> = HashMap::new();
    for (a, b, w) in &before {
        for u in [a, b] {
            let s = strongest.entry(u).or_insert(f64::MIN);
            *s = s.max(*w);
        }
    }
    for (u, &w) in &strongest {
        assert!(
            after
                .iter()
                .any(|(a, b, x)| (a == *u || b == *u) && *x == w),
            "{u} lost its strongest tie"
        );
    }
}

/// Past `--csv-max-edges`, edges.csv keeps each account's strongest ties the same way, and
/// network.gexf is what it would be without that limit: whole when under its own, and the
/// same backbone when both limits apply (it is then taken from the csv's).
#[test]
fn a_large_edge_list_keeps_each_accounts_strongest_ties() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, flags: &[&str]| {
        let out = dir.path().join(name);
        let o = detect_sample(&out, &[&["-q"], flags].concat());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    let file = |dir: &Path, name: &str| std::fs::read(dir.join(name)).unwrap();
    let full = run("full", &[]);
    let (_, all) = csv_rows(&full.join("edges.csv"));
    let (csv_max, gexf_max) = ((all.len() / 3).to_string(), (all.len() / 5).to_string());
    let capped = run("capped", &["--csv-max-edges", &csv_max]);
    let gexf_only = run("gexf", &["--gexf-max-edges", &gexf_max]);
    let both = run(
        "both",
        &["--csv-max-edges", &csv_max, "--gexf-max-edges", &gexf_max],
    );

    let pairs = |rows: &[HashMap<String, String>]| -> HashMap<(String, String), f64> {
        rows.iter()
            .map(|r| {
                let w = r["weight"].parse().unwrap();
                ((r["source"].clone(), r["target"].clone()), w)
            })
            .collect()
    };
    let (before, after) = (pairs(&all), pairs(&csv_rows(&capped.join("edges.csv")).1));
    assert!(after.len() < before.len() && !after.is_empty());
    assert!(after.iter().all(|(e, w)| before.get(e) == Some(w)));
    let summary = summary_json(&capped);
    let files = &summary["edge_files"];
    assert_eq!(files["edges_csv"].as_u64(), Some(after.len() as u64));
    assert_eq!(
        files["edges_csv_before_limit"].as_u64(),
        Some(before.len() as u64)
    );
    let k = files["edges_csv_strongest_per_account"].as_u64().unwrap() as usize;
    let ties = |edges: &HashMap<(String, String), f64>| {
        let mut t: HashMap<String, Vec<f64>> = HashMap::new();
        for ((a, b), &w) in edges {
            t.entry(a.clone()).or_default().push(w);
            t.entry(b.clone()).or_default().push(w);
        }
        t
    };
    let (ties_before, ties_after) = (ties(&before), ties(&after));
    assert_eq!(k, (all.len() / 3 / ties_before.len()).max(1));
    for (account, ws) in &ties_before {
        let kept = &ties_after[account];
        assert!(kept.len() >= ws.len().min(k), "{account}");
        let strongest = ws.iter().copied().fold(f64::MIN, f64::max);
        assert!(
            kept.contains(&strongest),
            "{account} lost its strongest tie"
        );
    }

    assert_eq!(file(&capped, "network.gexf"), file(&full, "network.gexf"));
    assert_eq!(
        file(&both, "network.gexf"),
        file(&gexf_only, "network.gexf")
    );
    assert_eq!(file(&both, "edges.csv"), file(&capped, "edges.csv"));
}

/// A small collection whose only coordination is one group: eight accounts retweet the same
/// 30 posts within seconds of each other, among 292 accounts retweeting at random. The
/// group's edges are then most of the fused graph, and modularity at any resolution above 1
/// breaks such a group into single accounts; it is taken whole and flagged.
#[test]
fn a_lone_coordinated_group_that_is_most_of_the_graph_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("object_id,account_id,content_id,timestamp_share\n");
    let mut content = 0;
    let mut row = |object: usize, account: usize, time: u64| {
        content += 1;
        csv.push_str(&format!("obj{object},acc{account},c{content},{time}\n"));
    };
    let start = 1_623_881_092u64;
    for object in 0..30 {
        for account in 0..8 {
            row(
                object,
                account,
                start + object as u64 * 3_600 + account as u64 * 2,
            );
        }
    }
    // Random retweets of 200 posts over a week, four per background account.
    let mut x = 12345u64;
    let mut next = |n: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % n
    };
    for account in 8..300 {
        for _ in 0..4 {
            let (object, time) = (next(200) as usize, start + next(7 * 86_400));
            row(object, account, time);
        }
    }
    let input = write(dir.path(), "actions.csv", &csv);
    let out = dir.path().join("out");
    let o = coordnet(&[
        "detect",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, clusters) = csv_rows(&out.join("clusters.csv"));
    let flagged: Vec<_> = clusters.iter().filter(|c| c["flagged"] == "true").collect();
    assert_eq!(flagged.len(), 1, "{clusters:?}");
    assert_eq!(flagged[0]["size"], "8");
}

/// summary.json's `accounts` counts the accounts that posted (the rows of accounts.csv), not
/// every account the data names: an IRA slice named 33,626 for its 305 authors.
#[test]
fn summary_counts_posting_accounts_apart_from_those_only_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = String::from("author,content,publish_date\n");
    for i in 0..40 {
        let a = ["alpha", "beta", "gamma"][i % 3];
        rows.push_str(&format!(
            "{a},RT @news{}: the same words #tag {i},10/1/2016 19:{:02}\n",
            i % 5,
            i
        ));
    }
    let input = write(dir.path(), "ira.csv", &rows);
    let out = dir.path().join("out");
    let run = coordnet(&[
        "detect",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary = summary_json(&out);
    let accounts = csv::Reader::from_path(out.join("accounts.csv"))
        .unwrap()
        .records()
        .count();
    assert_eq!(accounts, 3);
    assert_eq!(summary["counts"]["accounts"], 3);
    assert_eq!(summary["counts"]["accounts_only_named"], 5);
}

/// A suspects file with a header and no accounts is refused before the input is read (it said
/// "none of the 0 accounts ... is in the input" after reading it all).
#[test]
fn score_refuses_a_suspects_file_with_no_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let out = score_groups(dir.path(), "account_id,group\n");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("suspects.csv lists no accounts"), "{err}");
    assert!(!err.contains("read "), "the input was read first: {err}");
}

/// A suspect written twice (another case, `@`, spaces around it) is one listed account, and
/// so is an unknown one written twice; a cell of spaces is no account; a group of one account
/// has no part to measure, and says so rather than scoring 0.
#[test]
fn score_counts_each_listed_account_once_however_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (_, truth) = csv_rows(&sample().join("truth.csv"));
    let planted: Vec<&str> = (truth.iter())
        .filter(|r| r["network"] == "ca-1:10")
        .map(|r| r["account_id"].as_str())
        .collect();
    let mut list = String::from("account_id,group\n");
    for a in &planted {
        list.push_str(&format!("{a},net\n"));
    }
    let first = planted[0];
    list.push_str(&format!("@{},net\n", first.to_uppercase()));
    list.push_str(&format!("\" {first} \",net\n"));
    list.push_str("nobody,net\nNOBODY,net\n");
    let o = score_groups(dir.path(), &list);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    let listed = planted.len() + 1;
    assert!(
        out.contains(&format!(
            "net: {} accounts of {listed} listed",
            planted.len()
        )),
        "{out}"
    );
    assert!(
        err.contains(&format!(
            "1 of {listed} suspected accounts are not in the input"
        )),
        "{err}"
    );

    let o = score_groups(
        dir.path(),
        &format!("account_id,group\n{first},a\n\"   \",a\n"),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("suspects.csv:3, column 'account_id'") && err.contains("the account is empty"),
        "{err}"
    );

    let mut list = String::from("account_id,group\n");
    for a in &planted[1..] {
        list.push_str(&format!("{a},net\n"));
    }
    list.push_str(&format!("{first},alone\n"));
    let written = dir.path().join("scored");
    let o = score_groups_with(dir.path(), &list, &["-o", written.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let alone = out
        .lines()
        .find(|l| l.starts_with("alone:"))
        .expect("the group of one");
    assert!(
        alone.contains("score n/a (one account: nobody to act together with)"),
        "{alone}"
    );
    // The report says so too, where it gave the mean of the parts of one account (0.04).
    let page = std::fs::read_to_string(written.join("report.html")).unwrap();
    assert!(
        page.contains("score n/a (one account: nobody to act together with)"),
        "the report scores the group of one"
    );
}

/// `detect ... 2>&1 | head -1`, or a pager quit early: a closed standard error or output
/// panicked at the first message, before any file was written.
#[test]
fn closed_standard_streams_lose_messages_not_the_run() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let input = sample().join("tweets.csv.gz");
    let suspects = write(
        dir.path(),
        "suspects.csv",
        &std::fs::read_to_string(sample().join("truth.csv")).unwrap(),
    );
    for (command, extra) in [
        ("detect", vec![]),
        ("score", vec!["--accounts", suspects.to_str().unwrap()]),
    ] {
        let out = dir.path().join(command);
        let mut child = Command::new(env!("CARGO_BIN_EXE_coordnet"))
            .arg(command)
            .args(&extra)
            .args([input.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Both read ends closed before the command writes a line.
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert!(status.success(), "{command}: {status}");
        for f in [
            "accounts.csv",
            "clusters.csv",
            "network.gexf",
            "summary.json",
        ] {
            assert!(out.join(f).exists(), "{command}: {f} missing");
        }
    }
}

/// An archive's operations hold accounts with no fused edge inside them; network.gexf drew its
/// nodes from the edges, so on IRA October 32 of 192 flagged accounts were not in it.
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn network_gexf_holds_every_flagged_account_tied_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let input = shared("ira-2016-10/tweets.csv.gz");
    let o = coordnet(&[
        "detect",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, accounts) = csv_rows(&out.join("accounts.csv"));
    let flagged: HashSet<&str> = (accounts.iter())
        .filter(|r| r["flagged"] == "true")
        .map(|r| r["account_id"].as_str())
        .collect();
    let gexf = std::fs::read_to_string(out.join("network.gexf")).unwrap();
    let in_file: HashSet<&str> = (gexf.split(r#"<attvalue for="account_id" value=""#).skip(1))
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert_eq!(in_file, flagged);
    // Some of them have no edge in the file: the case the nodes were lost in.
    let (_, edges) = csv_rows(&out.join("edges.csv"));
    let tied: HashSet<&str> = (edges.iter())
        .flat_map(|r| [r["source"].as_str(), r["target"].as_str()])
        .collect();
    assert!(flagged.iter().any(|a| !tied.contains(a)));
}

/// A researchers' labels file is a truth as it ships: IRA's `authors.csv` names its columns
/// `author_id` and `account_category`, and holds every account of the release, most of them
/// not in the slice.
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn eval_reads_a_labels_file_by_its_own_column_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let input = shared("ira-2016-10/tweets.csv.gz");
    let authors = shared("ira-2016-10/authors.csv");
    let o = coordnet(&[
        "detect",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let eval = |extra: &[&str]| {
        let mut args = vec!["eval", "--json", "--truth", authors.to_str().unwrap()];
        args.extend(extra);
        args.push(out.to_str().unwrap());
        coordnet(&args)
    };
    // Without the names: the missing column, and the flags that name the file's own.
    let o = eval(&[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("authors.csv:1, column 'account_id'") && err.contains("--account-column"),
        "{err}"
    );
    let o = eval(&[
        "--account-column",
        "author_id",
        "--network-column",
        "account_category",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("are not in"));
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(e["archive"], true);
    assert_eq!(e["listed_network_accounts"], 217);
    assert!(e["role_accuracy"].is_null());
    // The same NMI as the clusters and the categories give, counted here from the two files.
    let (_, accounts) = csv_rows(&out.join("accounts.csv"));
    let (_, labels) = csv_rows(&authors);
    let category: HashMap<&str, &str> = (labels.iter())
        .map(|r| (r["author_id"].as_str(), r["account_category"].as_str()))
        .collect();
    let mut names: HashMap<String, u32> = HashMap::new();
    let mut id = |s: String| {
        let n = names.len() as u32;
        *names.entry(s).or_insert(n)
    };
    let (mut truth, mut found) = (Vec::new(), Vec::new());
    for r in accounts
        .iter()
        .filter(|r| category.contains_key(r["account_id"].as_str()))
    {
        truth.push(id(format!("t:{}", category[r["account_id"].as_str()])));
        found.push(id(format!("c:{}", r["cluster"])));
    }
    assert_eq!(truth.len(), 217);
    let nmi = coordnet::communities::nmi(&truth, &found);
    let reported = e["cluster_nmi"].as_f64().unwrap();
    assert!((nmi - reported).abs() < 1e-9, "{nmi} against {reported}");
    assert!(reported >= 0.65, "{reported}");
}

/// Accounts known only as the source of members' retweets were made members, and cores: on
/// IRA October read as a collection, 88 of 200 flagged accounts had not posted (news outlets
/// retweeted once among them). They are what a cluster amplifies, as in an archive.
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn only_accounts_that_posted_are_members_in_a_collection_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let input = shared("ira-2016-10/tweets.csv.gz");
    let o = coordnet(&[
        "detect",
        input.to_str().unwrap(),
        "--input-kind",
        "collection",
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, accounts) = csv_rows(&out.join("accounts.csv"));
    let members: Vec<_> = accounts
        .iter()
        .filter(|r| !r["cluster"].is_empty())
        .collect();
    assert!(members.len() > 100);
    for r in &members {
        assert_ne!(
            r["tweets"], "0",
            "{} is a member without a post",
            r["account_id"]
        );
    }
    // The sources they retweet are listed as amplified, with the flagged clusters intact.
    let (_, clusters) = csv_rows(&out.join("clusters.csv"));
    let flagged: Vec<_> = clusters.iter().filter(|c| c["flagged"] == "true").collect();
    assert!(flagged.len() >= 3);
    assert!(flagged.iter().all(|c| !c["amplified_accounts"].is_empty()));
    // Written so that no spreadsheet guard is needed: it quoted every row when names began
    // with '@'.
    let raw = std::fs::read_to_string(out.join("clusters.csv")).unwrap();
    assert!(!raw.contains(",'@") && !raw.contains(",@"), "{raw}");
}

/// `explain` shows the evidence behind `detect`'s edges, so it takes `detect`'s window for
/// each kind (estimated from the data) unless told otherwise: with a fixed 1m it showed one
/// co-mention pair where `detect` had counted 17 within 20m.
#[test]
fn explain_takes_the_window_detect_estimated_for_each_kind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = detect_sample(&out, &["-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = summary_json(&out);
    let (_, edges) = csv_rows(&out.join("edges.csv"));
    let e = &edges[0];
    let input = sample().join("tweets.csv.gz");
    for kind in ["co-retweet", "co-hashtag"] {
        let window = (summary["graphs"].as_array().unwrap().iter())
            .find(|g| g["kind"] == kind)
            .unwrap()["window"]
            .as_str()
            .unwrap()
            .to_string();
        assert_ne!(
            window, "1m",
            "{kind}: a window other than the fixed default"
        );
        let args = ["explain", &e["source"], &e["target"], "--kind", kind];
        let o = coordnet(&[&args[..], &[input.to_str().unwrap()]].concat());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let said = String::from_utf8_lossy(&o.stderr);
        assert!(
            said.contains(&format!("(window {window})")),
            "{kind}: {said}"
        );
    }
}

/// A collection is scored against its own accounts, matched in topic and time; a control was
/// used for it too, so the archive-or-collection decision and every score moved with it (and
/// the reason still said "the data's own background").
#[test]
fn a_control_is_for_archives_and_leaves_a_collection_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, with) = (dir.path().join("plain"), dir.path().join("with"));
    let control = sample().join("tweets.csv.gz");
    let o = detect_sample(&plain, &["-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = detect_sample(&with, &["-q", "--control", control.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--control not used"));
    for f in ["clusters.csv", "accounts.csv"] {
        let read = |d: &Path| std::fs::read_to_string(d.join(f)).unwrap();
        assert!(read(&plain) == read(&with), "{f} differs with a control");
    }
    let summary = summary_json(&with);
    assert_eq!(summary["input"]["kind"], "collection");
    assert_eq!(summary["input"]["background"], "the data's own accounts");
}

/// What the input is does not move with `--threshold`: the sample stays a collection, its
/// coordinated share counted at the default threshold, while the lower threshold still
/// flags more of its clusters.
#[test]
fn a_lower_threshold_flags_more_but_leaves_a_collection_a_collection() {
    let dir = tempfile::tempdir().unwrap();
    let (default, low) = (dir.path().join("default"), dir.path().join("low"));
    for (out, flags) in [(&default, &[][..]), (&low, &["--threshold", "0.1"][..])] {
        let o = detect_sample(out, flags);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (a, b) = (summary_json(&default), summary_json(&low));
    assert_eq!(a["input"]["kind"], "collection");
    assert_eq!(b["input"]["kind"], "collection", "{}", b["input"]);
    assert_eq!(
        a["input"]["coordinated_tweet_share"],
        b["input"]["coordinated_tweet_share"]
    );
    let flagged = |s: &serde_json::Value| s["counts"]["flagged_clusters"].as_u64().unwrap();
    assert!(flagged(&b) > flagged(&a), "{} {}", flagged(&a), flagged(&b));
    assert!(b["input"]["reason"]
        .as_str()
        .unwrap()
        .contains("at the default threshold"));
}

/// In a collection, every account that posted and is in no cluster says why, as an archive's
/// do: 214 of the sample's had significant ties and no word.
#[test]
fn every_posting_account_in_no_cluster_of_a_collection_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = detect_sample(&out, &["-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, accounts) = csv_rows(&out.join("accounts.csv"));
    let mut reasons: HashMap<String, usize> = HashMap::new();
    for a in &accounts {
        let posted = a["tweets"] != "0";
        let clustered = !a["cluster"].is_empty();
        let why = &a["left_out"];
        assert_eq!(
            posted && !clustered,
            !why.is_empty(),
            "{}: cluster '{}', tweets {}, left_out '{why}'",
            a["account_id"],
            a["cluster"],
            a["tweets"]
        );
        if !why.is_empty() {
            // An account without a tie says so; one with ties names what became of them.
            let tied = a["fused_strength"].parse::<f64>().unwrap() > 0.0;
            assert_eq!(
                why == "no significant tie to another account",
                !tied,
                "{why}"
            );
            *reasons.entry(why.clone()).or_default() += 1;
        }
    }
    assert!(reasons.len() >= 3, "{reasons:?}");
    let summary = summary_json(&out);
    let counted = summary["counts"]["left_out"].as_object().unwrap();
    for (why, n) in &reasons {
        assert_eq!(counted[why].as_u64(), Some(*n as u64), "{why}");
    }
}

/// Every account keeps its strongest tie, so a limit below about half the accounts is passed:
/// the note says so instead of reading as if the limit held.
#[test]
fn an_edge_limit_too_small_to_keep_every_account_says_it_was_passed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = detect_sample(&out, &["--csv-max-edges", "100"]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{log}");
    let (_, rows) = csv_rows(&out.join("edges.csv"));
    assert!(rows.len() > 100, "{}", rows.len());
    assert!(
        log.contains(&format!("edges.csv holds {} of the ", rows.len()))
            && log.contains("edges inside flagged clusters")
            && log.contains("more than the limit: each account keeps at least its strongest tie"),
        "{log}"
    );
    // With --all-edges the file draws on every fused edge, and the note counts those.
    let o = detect_sample(&out, &["--all-edges", "--csv-max-edges", "500"]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{log}");
    let fused = summary_json(&out)["counts"]["fused_edges"]
        .as_u64()
        .unwrap();
    assert!(
        log.contains(&format!("of the {fused} fused edges, each account's")),
        "{log}"
    );
}

/// A listed account that is in the input only as others' retweets or mentions has no
/// behaviour to score: it is left out, and said to be. Four IRA accounts with no tweets of
/// their own had made LeftTroll 136 accounts (134 posted) with two "other" roles.
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn score_leaves_out_listed_accounts_that_posted_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = coordnet(&[
        "score",
        "--accounts",
        crate::shared("ira-2016h2/authors.csv").to_str().unwrap(),
        "--account-column",
        "author_id",
        "--group-column",
        "account_category",
        crate::shared("ira-2016h2/tweets.csv.gz").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let (log, said) = (
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout),
    );
    assert!(o.status.success(), "{log}");
    assert!(
        log.contains("4 of 2856 suspected accounts posted nothing in the input"),
        "{log}"
    );
    assert!(said.contains("LeftTroll: 134 accounts"), "{said}");
    assert!(said.contains("RightTroll: 81 accounts"), "{said}");
    assert_eq!(summary_json(&out)["suspects_posted_nothing"], 4);
    let (_, accounts) = csv_rows(&out.join("accounts.csv"));
    assert!(accounts
        .iter()
        .filter(|r| !r["cluster"].is_empty())
        .all(|r| r["tweets"] != "0"));
}

/// Accounts the list does not name are in accounts.csv with why they are in no group, as
/// detect gives every unclustered account a reason (they had none).
#[test]
fn score_says_why_unlisted_accounts_are_in_no_group() {
    let dir = tempfile::tempdir().unwrap();
    let (_, truth) = csv_rows(&sample().join("truth.csv"));
    let listed: Vec<&str> = (truth.iter())
        .filter(|r| r["network"] == "ca-1:10")
        .map(|r| r["account_id"].as_str())
        .collect();
    let list = format!("account_id,group\n{},g\n", listed.join(",g\n"));
    let out = dir.path().join("out");
    let o = score_groups_with(dir.path(), &list, &["-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, accounts) = csv_rows(&out.join("accounts.csv"));
    let (grouped, others): (Vec<_>, Vec<_>) =
        accounts.iter().partition(|r| !r["cluster"].is_empty());
    assert_eq!(grouped.len(), listed.len());
    assert!(grouped.iter().all(|r| r["left_out"].is_empty()));
    assert!(!others.is_empty());
    assert!(
        others
            .iter()
            .all(|r| r["left_out"] == "not on the list of suspects" && r["tweets"] != "0"),
        "{:?}",
        others
            .iter()
            .find(|r| r["left_out"] != "not on the list of suspects")
    );
}

/// A cluster's top hashtags count tweets: a tag written twice in one tweet (`#Vote #vote`)
/// counts once, as clusters.csv's `#tag:tweets` says.
#[test]
fn top_hashtags_count_tweets_not_uses() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "tweetid,userid,tweet_text,tweet_time,is_retweet,hashtags\n\
               1,u1,a,2020-01-01 10:00,false,\"['Vote', 'vote', 'Vote']\"\n\
               2,u2,b,2020-01-01 10:05,false,\"['Vote', 'vote']\"\n\
               3,u2,c,2020-01-02 10:05,false,\"['Other']\"\n";
    let input = write(dir.path(), "io.csv", csv);
    let list = write(dir.path(), "suspects.csv", "account_id\nu1\nu2\n");
    let out = dir.path().join("out");
    let o = coordnet(&[
        "score",
        "--accounts",
        list.to_str().unwrap(),
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, clusters) = csv_rows(&out.join("clusters.csv"));
    assert_eq!(clusters[0]["tweets"], "3");
    assert!(
        clusters[0]["top_hashtags"].starts_with("#vote:2 "),
        "{}",
        clusters[0]["top_hashtags"]
    );
}

/// With `--all-edges`, edges.csv holds retweet edges to accounts that never posted (IRA
/// October's sources outside the set): each edge's ends join to a row of accounts.csv.
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn every_edge_names_accounts_that_accounts_csv_lists() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let input = shared("ira-2016-10/tweets.csv.gz");
    let o = coordnet(&[
        "detect",
        input.to_str().unwrap(),
        "--all-edges",
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, accounts) = csv_rows(&out.join("accounts.csv"));
    let listed: std::collections::HashSet<&str> =
        accounts.iter().map(|r| r["account_id"].as_str()).collect();
    let (_, edges) = csv_rows(&out.join("edges.csv"));
    let mut never_posted = 0;
    for e in &edges {
        for end in [&e["source"], &e["target"]] {
            assert!(
                listed.contains(end.as_str()),
                "{end} is in no row of accounts.csv"
            );
        }
    }
    for r in &accounts {
        never_posted += (r["tweets"] == "0") as usize;
    }
    assert!(
        never_posted > 0,
        "no account that never posted is an edge's end"
    );
}

/// One event between quiet accounts is a significant edge, so a member held by it alone must
/// show a signature of its own; a tie repeated is evidence as it is. IRA October read as a
/// collection: BrianTheLifter retweeted one member six times, hours after the posts, and stays
/// in its flagged cluster; those taken out have one event with theirs: a retweet to or from a
/// member, or one action on an item near a member's.
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn a_tie_repeated_keeps_its_member_where_one_retweet_would_not() {
    let dir = tempfile::tempdir().unwrap();
    let input = crate::shared("ira-2016-10/tweets.csv.gz");
    let run = |kind: &str, out: &Path| {
        let o = coordnet(&[
            "detect",
            "--input-kind",
            kind,
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "-q",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let (_, rows) = csv_rows(&out.join("accounts.csv"));
        rows.into_iter()
            .map(|r| (r["account_id"].clone(), r))
            .collect::<HashMap<String, HashMap<String, String>>>()
    };
    let accounts = run("collection", &dir.path().join("c"));
    let brian = &accounts["BrianTheLifter"];
    assert_eq!(brian["flagged"], "true", "{brian:?}");
    assert_eq!(brian["retweets_to_cluster"], "6", "{brian:?}");
    let lone: Vec<&String> = (accounts.iter())
        .filter(|(_, r)| r["left_out"].starts_with("tied to a flagged cluster by one event"))
        .map(|(a, _)| a)
        .collect();
    assert!(!lone.is_empty());
    // Read as the archive it is, every account is a suspect: no one is taken out so.
    let archive = run("archive", &dir.path().join("a"));
    for a in &lone {
        assert!(!archive[*a]["left_out"].starts_with("tied to a flagged cluster"));
    }
}

/// An analyst's list placed in the data from a program, as `score` places it: the sample's
/// truth read as named groups, each group's accounts that posted given to it, and each
/// scored cluster named by the group it came from.
#[test]
fn a_list_of_suspects_is_placed_in_the_data_and_its_groups_scored_by_name() {
    use coordnet::eval::{read_suspects, SuspectGroups};
    let (data, _) = read(&[sample_tweets()]);
    let list = sample().join("truth.csv");
    let suspects = read_suspects(&list, "account_id", Some("network")).unwrap();
    let placed = SuspectGroups::place(&data, &suspects, &list, "account_id").unwrap();
    // Every listed account is in the sample's tweets; the truth lists each once.
    assert!(placed.missing.is_empty(), "{:?}", placed.missing);
    assert_eq!(placed.suspected(), suspects.len());
    let networks: HashSet<&str> = suspects.iter().map(|s| s.2.as_str()).collect();
    let named: HashSet<&str> = placed.names.iter().map(String::as_str).collect();
    let left: HashSet<&str> = placed.left_out().into_iter().collect();
    assert_eq!(&named | &left, networks);
    let posted = |u: usize| data.account.contains(&(u as u32));
    for (line, account, network) in &suspects {
        let u = data.accounts.finder().find(account).unwrap() as usize;
        match placed.cluster_of[u] {
            NO_CLUSTER => assert!(placed.posted_nothing.contains(&account.as_str()), "{line}"),
            g => {
                assert!(posted(u));
                assert_eq!(&placed.names[g as usize], network, "line {line}");
            }
        }
    }
    // Renumbered by score, each cluster still holds one group's accounts, named by it.
    let fused = coordnet::pipeline::build_graphs(
        &data,
        &DetectConfig::default(),
        &coordnet::progress::Silent,
    )
    .unwrap();
    let groups = placed.names.len();
    let config = DetectConfig::default();
    let background = coordnet::scoring::Background::of(None, false);
    let d = coordnet::assess(
        &data,
        fused,
        placed.cluster_of.clone(),
        groups,
        &config,
        background,
    )
    .unwrap();
    let names = placed.names_of(&d);
    assert_eq!(names.len(), d.clusters.len());
    for (c, name) in d.clusters.iter().zip(&names) {
        let first = d.members(c.id).next().unwrap().0 as usize;
        let g = placed.cluster_of[first] as usize;
        assert_eq!(&placed.names[g], name);
        let given = placed.cluster_of.iter().filter(|&&x| x == g as u32).count();
        assert_eq!(c.size, given);
        assert!(c.size <= placed.listed_in(name));
    }
}
