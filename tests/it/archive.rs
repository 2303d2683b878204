//! Takedown archives: recognised from the data, split into operations with every account in
//! one, roles from each account's own behaviour, and nulls that never come from the suspects.

use super::*;
use coordnet::dataset::{time::snowflake_ms, TweetKind, NO_TWEET};
use coordnet::eval::{evaluate, read_predicted, read_truth};
use coordnet::graphs::retweet::sources;
use coordnet::pipeline::InputKind;
use coordnet::scoring::{Reference, NO_CLUSTER};
use coordnet::synth::{generate, SynthConfig};
use coordnet::{detect, detect_with_progress, DetectConfig};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A generated archive of `tweets`' collection, written to `dir`.
fn archive(dir: &Path, tweets: u64, seed: u64) -> Dataset {
    let config = SynthConfig {
        seed,
        ..SynthConfig::archive(tweets)
    };
    generate(&config, dir).unwrap();
    read(&[dir.join("tweets.csv")]).0
}

#[test]
fn a_generated_archive_is_recognised_and_split_into_its_operations() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("archive");
    archive(&data_dir, 60_000, 3);
    let out = dir.path().join("out");
    let o = coordnet(&[
        "detect",
        data_dir.join("tweets.csv").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{log}");
    assert!(log.contains("input: archive ("), "{log}");
    let summary = summary_json(&out);
    assert_eq!(summary["input"]["kind"], "archive");
    assert_eq!(summary["input"]["decided_by"], "data");
    assert_eq!(
        summary["input"]["background"],
        "built-in platform-wide reference figures"
    );
    // The share that made it an archive was measured against the data's own accounts; only
    // the operations are scored against the platform-wide figures.
    let reason = summary["input"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("against the data's own accounts, scored as a collection"),
        "{reason}"
    );
    // The operations' own share is counted apart: the tweets of the flagged ones, as
    // clusters.csv gives them.
    let (_, clusters) = super::detect::csv_rows(&out.join("clusters.csv"));
    let flagged_tweets: u64 = (clusters.iter())
        .filter(|c| c["flagged"] == "true")
        .map(|c| c["tweets"].parse::<u64>().unwrap())
        .sum();
    assert!(flagged_tweets > 0);
    assert_eq!(summary["counts"]["flagged_tweets"], flagged_tweets);
    // The posting accounts in no operation are counted where the results are printed.
    let (_, accounts) = super::detect::csv_rows(&out.join("accounts.csv"));
    let outside = accounts
        .iter()
        .filter(|a| !a["left_out"].is_empty())
        .count();
    let said = format!(
        "posting account{} in no operation",
        if outside == 1 { "" } else { "s" }
    );
    let printed = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        printed.contains(&format!(
            "  {outside} {said}: why, for each, is in the left_out column"
        )),
        outside > 0,
        "{outside} left out: {printed}"
    );
    let e = evaluate(
        &read_predicted(&out.join("accounts.csv")).unwrap(),
        &read_truth(&data_dir.join("truth.csv")).unwrap(),
        &Default::default(),
    );
    assert!(e.archive);
    let clustered = e.clustered_network_accounts as f64 / e.listed_network_accounts as f64;
    assert!(e.cluster_ari >= 0.9, "{}", e.summary());
    assert!(clustered >= 0.95, "{}", e.summary());
    assert!(e.cluster_role_accuracy.unwrap() >= 0.9, "{}", e.summary());
    for (network, &(total, flagged)) in &e.per_network {
        assert!(flagged * 10 >= total * 9, "{network}: {}", e.summary());
    }
}

/// A large operation's own items pass `--max-item-accounts` first (at 3.8M tweets, the four
/// hashtags of a 36,000-account network; at 37.5M, every item of every network): not paired
/// on in full, they must still hold it together. With a limit of 10 accounts on a small
/// archive, 512 items are too common, and the split must be as good as with none (cluster ARI
/// 0.98): it fell to 0.05 when they were dropped, and to 0.60 when they counted in the merge
/// and the placement but paired no account.
#[test]
fn items_too_common_to_pair_on_still_hold_operations_together() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("archive");
    archive(&data_dir, 60_000, 3);
    let out = dir.path().join("out");
    let tweets = data_dir.join("tweets.csv");
    let args = [
        "detect",
        tweets.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    let o = coordnet(&[&args[..], &["--max-item-accounts", "10"]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = summary_json(&out);
    assert!(summary["counts"]["items_too_common"].as_u64().unwrap() >= 100);
    let e = evaluate(
        &read_predicted(&out.join("accounts.csv")).unwrap(),
        &read_truth(&data_dir.join("truth.csv")).unwrap(),
        &Default::default(),
    );
    assert!(e.cluster_ari >= 0.95, "{}", e.summary());
    for (network, &(total, flagged)) in &e.per_network {
        assert!(flagged * 10 >= total * 9, "{network}: {}", e.summary());
    }
}

#[test]
fn the_sample_is_a_mixed_collection() {
    let (data, _) = read(&[sample_tweets()]);
    let d = detect(&data, &DetectConfig::default()).unwrap();
    assert_eq!(d.input.kind, InputKind::Collection);
    assert_eq!(d.input.background, "the data's own accounts");
    let share = d.input.coordinated_tweet_share.unwrap();
    assert!(share < 0.3, "{share}");
    // The share that decided is that of the answer given: the flagged clusters once members
    // held by one event are out (some are, on the sample), not of a first scoring before it.
    let lone =
        |why: &Option<&str>| why.is_some_and(|w| w.starts_with("tied to a flagged cluster by one"));
    assert!(d.left_out.iter().any(lone));
    let tweets = &d.activity.tweets;
    let flagged: u64 = (d.cluster_of.iter().zip(tweets))
        .filter(|&(&c, _)| c != NO_CLUSTER && d.clusters[c as usize].flagged)
        .map(|(_, &t)| t as u64)
        .sum();
    let all: u64 = tweets.iter().map(|&t| t as u64).sum();
    assert_eq!(share, flagged as f64 / all as f64);
    // Said the other way, the same data is split into operations instead.
    let config = DetectConfig {
        input_kind: InputKind::Archive,
        ..DetectConfig::default()
    };
    let a = detect(&data, &config).unwrap();
    assert_eq!(a.input.kind, InputKind::Archive);
    assert_eq!(a.input.decided_by, "setting");
}

#[test]
fn accounts_outside_the_archive_are_amplified_not_members() {
    let dir = tempfile::tempdir().unwrap();
    let data = archive(dir.path(), 40_000, 5);
    let d = detect(&data, &DetectConfig::default()).unwrap();
    assert_eq!(d.input.kind, InputKind::Archive);
    let posted: HashSet<u32> = data.account.iter().copied().collect();
    for (u, &c) in d.cluster_of.iter().enumerate() {
        if c != NO_CLUSTER {
            assert!(
                posted.contains(&(u as u32)),
                "{} is a member but never posted",
                data.accounts.key(u as u32)
            );
        }
    }
    // The ordinary accounts the networks' camouflage retweets are listed as amplified.
    let truth: HashSet<String> = csv::Reader::from_path(dir.path().join("truth.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let outside = d
        .clusters
        .iter()
        .flat_map(|c| &c.profile.amplified_accounts)
        .filter(|(name, _)| {
            let u = data.accounts.lookup(name).or_else(|| {
                (0..data.accounts.len() as u32)
                    .find(|&u| data.accounts.screen_name(u) == Some(name))
            });
            u.is_some_and(|u| !truth.contains(data.accounts.key(u)))
        })
        .count();
    assert!(outside > 0, "no outside account listed as amplified");
    // Every posting account is in an operation, or listed with the reason it is not.
    for u in posted {
        let u = u as usize;
        assert!(
            d.cluster_of[u] != NO_CLUSTER || d.left_out[u].is_some(),
            "{} is in no cluster and has no reason",
            data.accounts.key(u as u32)
        );
    }
}

/// The organic accounts' rows of a generated collection: ordinary accounts' tweets.
fn control(dir: &Path) -> Dataset {
    generate(
        &SynthConfig {
            seed: 11,
            ..SynthConfig::new(30_000)
        },
        dir,
    )
    .unwrap();
    let organic: HashSet<String> = csv::Reader::from_path(dir.join("truth.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[1] == "organic")
        .map(|r| r[0].to_string())
        .collect();
    let mut r = csv::Reader::from_path(dir.join("tweets.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    let user = header.iter().position(|h| h == "userid").unwrap();
    let path = dir.join("control.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&header).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        if organic.contains(&rec[user]) {
            w.write_record(&rec).unwrap();
        }
    }
    w.flush().unwrap();
    read(&[path]).0
}

/// The control's fast-retweet null counted self-retweets, which the data's null skips: one
/// rule for both (a self-retweet is no one reacting to anyone).
#[test]
fn the_controls_fast_retweets_leave_out_self_retweets_as_the_datas_do() {
    use coordnet::scoring::background::control_fast_retweets;
    let dir = tempfile::tempdir().unwrap();
    // An original by aaaa; a retweet by bbbb after 60 s, aaaa's own after 30 s, cccc's
    // after 2 h (an information-operations layout, which names the retweeted account).
    let header = "tweetid,userid,tweet_text,tweet_time,is_retweet,retweet_userid,retweet_tweetid";
    let original = "1100000000000000001";
    let row = |id: u64, user: &str, time: &str, retweet: bool| {
        let (rt_user, rt_id) = if retweet {
            ("aaaa", original)
        } else {
            ("", "")
        };
        let rt = if retweet { "True" } else { "False" };
        format!("110000000000000000{id},{user},hello,2019-03-01 {time},{rt},{rt_user},{rt_id}\n")
    };
    let rows = [
        row(1, "aaaa", "12:00", false),
        row(2, "bbbb", "12:01", true),
        row(3, "aaaa", "12:00:30", true),
        row(4, "cccc", "14:00", true),
    ];
    let p = write(
        dir.path(),
        "control.csv",
        &format!("{header}\n{}", rows.concat()),
    );
    let (control, _) = read(&[p]);
    let found = sources(&control);
    assert_eq!(
        found.iter().flatten().count(),
        3,
        "every retweet's source is found"
    );
    // (timed, within 5 minutes): u2's and u3's retweets, not u1's.
    assert_eq!(control_fast_retweets(&control, &found, 300_000), (2, 1));
}

#[test]
fn a_control_collection_gives_the_archive_its_nulls() {
    let dir = tempfile::tempdir().unwrap();
    let data = archive(&dir.path().join("archive"), 40_000, 2);
    let control = control(&dir.path().join("control"));
    let config = DetectConfig::default();
    let with =
        detect_with_progress(&data, Some(&control), &config, &coordnet::progress::Silent).unwrap();
    let without = detect(&data, &config).unwrap();
    assert_eq!(with.input.kind, InputKind::Archive);
    assert_eq!(with.input.background, "the control collection");
    // Retweets within 5 minutes among ordinary accounts, counted here from the control's
    // own rows (the retweeted tweet's snowflake time), self-retweets aside.
    let (mut timed, mut fast) = (0u64, 0u64);
    for r in 0..control.len() {
        let of_another = control.target_account[r] != control.account[r];
        if control.kind(r) == TweetKind::Retweet
            && control.target_tweet[r] != NO_TWEET
            && of_another
        {
            if let Some(t0) = snowflake_ms(control.target_tweet[r]) {
                timed += 1;
                fast += (control.time_ms[r] - t0 <= 300_000) as u64;
            }
        }
    }
    let control_fast = fast as f64 / timed as f64;
    // The control's creation dates: the share created in each cluster's densest month.
    let mut created: Vec<i64> = control
        .account
        .iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .map(|&u| control.accounts.created_ms[u as usize])
        .filter(|&t| t != i64::MIN)
        .collect();
    created.sort_unstable();
    let month = 30 * 86_400_000;
    for c in &with.clusters {
        let e = &c.evidence;
        assert!(
            (e.fast_null.unwrap() - control_fast).abs() < 1e-9,
            "{:?} against {control_fast}",
            e.fast_null
        );
        let start = e.burst_start_ms.unwrap();
        let inside = created
            .iter()
            .filter(|&&t| t >= start && t <= start + month)
            .count();
        let want = inside as f64 / created.len() as f64;
        assert!(
            (e.burst_null - want).abs() < 1e-9,
            "{} against {want}",
            e.burst_null
        );
    }
    // Without a control: the documented reference figures.
    assert_eq!(
        without.input.background,
        "built-in platform-wide reference figures"
    );
    for c in &without.clusters {
        let e = &c.evidence;
        assert_eq!(e.fast_null, Some(Reference::RETWEETS_WITHIN_5MIN));
        let start = e.burst_start_ms.unwrap();
        assert_eq!(
            e.burst_null,
            Reference::created_within(month, start + month)
        );
        // No schedule null without ordinary accounts to draw from.
        assert!(e.rhythm.profile_null.is_none());
    }
    assert_ne!(control_fast, Reference::RETWEETS_WITHIN_5MIN);
    // A control with neither (posts only, no creation dates) gives no figure: the summary
    // names the reference figures, not the control, as the background.
    let mut posts =
        String::from("message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n");
    for i in 0..50 {
        posts.push_str(&format!(
            "{i},u{},u,,,hi,{},\n",
            i % 7,
            1_600_000_000 + i * 60
        ));
    }
    let bare = read(&[write(dir.path(), "bare.csv", &posts)]).0;
    let with_bare =
        detect_with_progress(&data, Some(&bare), &config, &coordnet::progress::Silent).unwrap();
    assert_eq!(with_bare.input.kind, InputKind::Archive);
    assert_eq!(
        with_bare.input.background,
        coordnet::scoring::Background::CONTROL_GAVE_NONE
    );
    let fast: Vec<_> = with_bare
        .clusters
        .iter()
        .map(|c| c.evidence.fast_null)
        .collect();
    assert!(
        fast.iter()
            .all(|&f| f == Some(Reference::RETWEETS_WITHIN_5MIN)),
        "{fast:?}"
    );
}

/// An archive's operations are found by modularity at resolution 1 whatever --quality says:
/// with CPM (at the 0.05 its help suggests, or at 1) every operation was lost, no account in
/// any cluster.
#[test]
fn an_archive_splits_into_the_same_operations_under_cpm() {
    let dir = tempfile::tempdir().unwrap();
    let data = archive(dir.path(), 30_000, 5);
    let plain = detect(&data, &DetectConfig::default()).unwrap();
    assert_eq!(
        plain.input.kind,
        InputKind::Archive,
        "{}",
        plain.input.reason
    );
    assert!(plain.clusters.len() > 1);
    for resolution in [0.05, 1.0] {
        let mut config = DetectConfig::default();
        config.leiden.quality = coordnet::communities::Quality::Cpm;
        config.leiden.resolution = resolution;
        config.input_kind = InputKind::Archive;
        let cpm = detect(&data, &config).unwrap();
        assert_eq!(cpm.input.kind, InputKind::Archive);
        assert_eq!(cpm.cluster_of, plain.cluster_of, "CPM at {resolution}");
    }
}

/// NMI (2I/(H1+H2)) of clusters with the researchers' categories over every account of an IRA
/// slice, accounts in no cluster sharing one label; and the roles the categories imply.
fn ira_targets(slice: &str) {
    let tweets = shared(&format!("{slice}/tweets.csv.gz"));
    let authors = shared(&format!("{slice}/authors.csv"));
    let (data, _) = read(&[tweets]);
    let d = detect(&data, &DetectConfig::default()).unwrap();
    assert_eq!(d.input.kind, InputKind::Archive, "{}", d.input.reason);
    let category: HashMap<String, String> = csv::Reader::from_path(&authors)
        .unwrap()
        .deserialize::<HashMap<String, String>>()
        .map(|r| r.unwrap())
        .map(|r| (r["author_id"].clone(), r["account_category"].clone()))
        .collect();
    let mut posted: BTreeMap<u32, (u32, u32)> = BTreeMap::new();
    for r in 0..data.len() {
        let e = posted.entry(data.account[r]).or_default();
        e.0 += 1;
        e.1 += (data.kind(r) == TweetKind::Retweet) as u32;
    }
    let mut labels: HashMap<String, u32> = HashMap::new();
    let mut id = |s: String| {
        let n = labels.len() as u32;
        *labels.entry(s).or_insert(n)
    };
    let (mut truth, mut found) = (Vec::new(), Vec::new());
    let (mut newsfeed, mut newsfeed_core, mut echoers, mut amplifiers) = (0, 0, 0, 0);
    for (&u, &(tweets, retweets)) in &posted {
        let cat = category
            .get(data.accounts.key(u))
            .cloned()
            .unwrap_or_default();
        let c = d.cluster_of[u as usize];
        truth.push(id(format!("t:{cat}")));
        found.push(id(if c == NO_CLUSTER {
            "none".into()
        } else {
            format!("c:{c}")
        }));
        let role = d.roles[u as usize].0.name();
        if cat == "NewsFeed" {
            newsfeed += 1;
            newsfeed_core += (c != NO_CLUSTER && role == "core") as u32;
        }
        if ["LeftTroll", "RightTroll", "HashtagGamer"].contains(&cat.as_str())
            && retweets * 2 > tweets
        {
            echoers += 1;
            amplifiers += (c != NO_CLUSTER && role == "amplifier") as u32;
        }
    }
    let nmi = coordnet::communities::nmi(&truth, &found);
    let none = labels.get("none").copied();
    let clustered = found.iter().filter(|&&f| Some(f) != none).count() as f64 / found.len() as f64;
    assert!(nmi >= 0.65, "{slice}: NMI {nmi:.3}");
    assert!(clustered >= 0.9, "{slice}: {clustered:.3} clustered");
    assert!(
        newsfeed_core * 10 >= newsfeed * 9,
        "{slice}: {newsfeed_core} of {newsfeed} NewsFeed core"
    );
    assert!(
        amplifiers * 10 >= echoers * 8,
        "{slice}: {amplifiers} of {echoers} amplifiers"
    );
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn ira_october_2016_splits_into_its_personas() {
    ira_targets("ira-2016-10");
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn ira_second_half_of_2016_splits_into_its_personas() {
    ira_targets("ira-2016h2");
}

#[test]
fn the_command_line_takes_the_input_kind_and_a_control_collection() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("archive");
    archive(&data_dir, 20_000, 7);
    let sample = sample_tweets();
    let out = dir.path().join("out");
    let o = coordnet(&[
        "detect",
        data_dir.join("tweets.csv").to_str().unwrap(),
        "--input-kind",
        "archive",
        "--control",
        sample.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{log}");
    assert!(
        log.contains("control collection: read 20338 records"),
        "{log}"
    );
    assert!(
        log.contains("input: archive (taken for a takedown archive, as set)"),
        "{log}"
    );
    let summary = summary_json(&out);
    assert_eq!(summary["input"]["decided_by"], "setting");
    assert_eq!(summary["input"]["background"], "the control collection");
    // The control is recorded as the input is: the scores' nulls depend on it.
    let control = &summary["control"];
    assert_eq!(control["rows_accepted"], 20338, "{summary}");
    assert_eq!(control["files"][0]["path"], sample.to_str().unwrap());
    assert_eq!(
        control["files"][0]["sha256"].as_str().map(str::len),
        Some(64)
    );
    // The report's charts drew the platform reference the score did not use.
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!report.contains("platform reference"));
    assert!(report.contains("<table class=\"sortable\" id=\"control\">"));
    let o = coordnet(&[
        "detect",
        sample.to_str().unwrap(),
        "--input-kind",
        "dossier",
        "-o",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("possible values: auto, archive, collection")
    );
}

/// An archive's operations come out the same whether its texts stay in memory or go to a
/// temporary file (profiles read their texts' normal forms and words from them); a folder
/// that cannot take it is an error naming it.
#[test]
fn an_archive_splits_the_same_with_its_texts_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("archive");
    archive(&data_dir, 20_000, 5);
    let temp = dir.path().join("temp");
    std::fs::create_dir_all(&temp).unwrap();
    let config = DetectConfig::default();
    let run = |max_text_memory: u64| {
        let opts = IngestOptions {
            max_text_memory,
            temp_dir: Some(temp.clone()),
            ..IngestOptions::default()
        };
        let (data, _) = ingest(&[data_dir.join("tweets.csv")], &opts).unwrap();
        assert_eq!(data.texts.on_disk(), max_text_memory == 0);
        let d = detect(&data, &config).unwrap();
        assert_eq!(d.input.kind, InputKind::Archive);
        (
            d.cluster_of,
            d.roles,
            d.clusters.iter().map(|c| c.score).collect::<Vec<_>>(),
        )
    };
    let (in_memory, on_disk) = (run(u64::MAX), run(0));
    assert!(in_memory.2.len() > 1);
    assert!(
        in_memory == on_disk,
        "the text store changed the operations"
    );

    let opts = IngestOptions {
        max_text_memory: 0,
        temp_dir: Some(dir.path().join("no such folder")),
        ..IngestOptions::default()
    };
    let e = ingest(&[data_dir.join("tweets.csv")], &opts).unwrap_err();
    assert!(e.to_string().contains("no such folder"), "{e}");
    assert_eq!(e.setting(), Some(coordnet::error::Setting::TempDir));
}

/// The archive's similarity of every two accounts sharing an item grows with the square of the
/// accounts an item reaches: past the memory limit it stops, naming the stage, rather than
/// leave the system to kill the run (a 3.8M-tweet generated archive reached 24 GB).
#[test]
fn the_archive_similarity_stops_at_the_memory_limit() {
    use coordnet::graphs::profiles::{ProfileOptions, Profiles};
    let Some(now) = coordnet::memory::resident() else {
        crate::skipped("no /proc to read memory from, so no limit to hit");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = archive(dir.path(), 20_000, 9);
    let profiles = Profiles::build(&data, &sources(&data), &ProfileOptions::default());
    let stage = "splitting the archive into operations";
    let Ok(all) = profiles.similarity(0, stage, None) else {
        panic!("no limit, yet the similarity stopped");
    };
    assert!(!all.edges.is_empty());
    let Err(e) = profiles.similarity(0, stage, Some(now / 2)) else {
        panic!("a limit below what the process holds did not stop the similarity");
    };
    assert!(e.to_string().contains(stage), "{e}");
    // What to change besides the limit: the setting that sizes this graph.
    assert!(
        e.to_string().contains("a lower --archive-neighbours"),
        "{e}"
    );
    assert_eq!(e.setting(), Some(coordnet::error::Setting::MemoryLimit));
    let Ok(roomy) = profiles.similarity(0, stage, Some(u64::MAX / 4)) else {
        panic!("a roomy limit stopped the similarity");
    };
    assert_eq!(roomy.edges, all.edges);
}

/// With `--archive-neighbours K`, each account keeps its K most similar accounts: at most K
/// pairs an account, each account's strongest pair kept, and with K above every account's
/// count the very pairs (and similarities) of the full graph.
#[test]
fn archive_neighbours_keep_each_accounts_most_similar() {
    use coordnet::graphs::profiles::{ProfileOptions, Profiles};
    let dir = tempfile::tempdir().unwrap();
    let data = archive(dir.path(), 20_000, 9);
    let profiles = Profiles::build(&data, &sources(&data), &ProfileOptions::default());
    let run = |k| match profiles.similarity(k, "operations", None) {
        Ok(s) => s.edges,
        Err(e) => panic!("{e}"),
    };
    let all = run(0);
    let mut degree: HashMap<u32, usize> = HashMap::new();
    let mut best: HashMap<u32, f32> = HashMap::new();
    for &(a, b, s) in &all {
        for u in [a, b] {
            *degree.entry(u).or_default() += 1;
            let m = best.entry(u).or_insert(0.0);
            *m = m.max(s);
        }
    }
    let max_degree = *degree.values().max().unwrap();
    assert_eq!(run(max_degree), all, "nothing cut, nothing changed");
    let k = 5;
    assert!(
        max_degree > 4 * k,
        "the test needs accounts with many neighbours"
    );
    let sparse = run(k);
    assert!(sparse.len() <= k * degree.len() && sparse.len() < all.len());
    assert!(sparse
        .windows(2)
        .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)));
    for (&u, &s) in &best {
        assert!(
            sparse
                .iter()
                .any(|&(a, b, x)| (a == u || b == u) && (x - s).abs() <= s * 1e-5),
            "account {u} lost its most similar account"
        );
    }
}

/// An account's mean similarity to each group, made from the groups' summed profiles, is the
/// mean of its similarities to the group's members (itself left out) summed pair by pair.
#[test]
fn mean_similarity_to_a_group_comes_from_its_summed_profile() {
    use coordnet::graphs::profiles::{ProfileOptions, Profiles};
    let dir = tempfile::tempdir().unwrap();
    let data = archive(dir.path(), 20_000, 9);
    let profiles = Profiles::build(&data, &sources(&data), &ProfileOptions::default());
    let Ok(all) = profiles.similarity(0, "operations", None) else {
        panic!("no limit, yet the similarity stopped");
    };
    let n = data.accounts.len() as u32;
    // Five groups, a group of one, and accounts in none.
    let group: Vec<u32> = (0..n)
        .map(|a| match a {
            0 => 5,
            a if a % 7 == 3 => NO_CLUSTER,
            a => a.wrapping_mul(2654435761) % 5,
        })
        .collect();
    let mut size = [0usize; 6];
    group
        .iter()
        .filter(|&&g| g != NO_CLUSTER)
        .for_each(|&g| size[g as usize] += 1);
    let mut sum: HashMap<(u32, u32), f64> = HashMap::new();
    for &(a, b, s) in &all.edges {
        for (u, v) in [(a, b), (b, a)] {
            if group[v as usize] != NO_CLUSTER {
                *sum.entry((u, group[v as usize])).or_default() += s as f64;
            }
        }
    }
    let Ok(sums) = profiles.group_sums(&group, "operations", None) else {
        panic!("no limit, yet the sums stopped");
    };
    let (mut acc, mut out) = (vec![0f64; 6], Vec::new());
    let mut checked = 0;
    for a in 0..n {
        profiles.mean_similarities(a, group[a as usize], &sums, &mut acc, &mut out);
        let mut seen = HashSet::new();
        for &(g, mean) in &out {
            assert!(seen.insert(g), "account {a}: group {g} twice");
            let others = size[g as usize] - usize::from(group[a as usize] == g);
            let want = match others {
                0 => 0.0,
                o => sum.get(&(a, g)).copied().unwrap_or(0.0) / o as f64,
            };
            assert!(
                (mean - want).abs() <= 1e-4 * want.max(1e-3),
                "{a} to {g}: {mean} against {want}"
            );
            checked += 1;
        }
    }
    assert!(checked > n as usize, "{checked} means for {n} accounts");
}

/// Pieces of a graph that keeps each account's nearest are merged on the graph of every pair
/// aggregated onto them, made from the profiles alone: it must equal summing the pairs, those
/// through items too common to pair on in full included (of those, each account meets 4).
#[test]
fn the_pairs_aggregated_onto_groups_come_from_the_profiles_alone() {
    use coordnet::graphs::profiles::{ProfileOptions, Profiles};
    let dir = tempfile::tempdir().unwrap();
    let data = archive(dir.path(), 20_000, 9);
    let profiles = Profiles::build(&data, &sources(&data), &ProfileOptions::default());
    let Ok(all) = profiles.similarity(0, "operations", None) else {
        panic!("no limit, yet the similarity stopped");
    };
    assert_eq!(profiles.common_items, 0, "the test needs every pair");
    let cut = Profiles::build(
        &data,
        &sources(&data),
        &ProfileOptions {
            max_item_accounts: 20,
            neighbours: 4,
            ..ProfileOptions::default()
        },
    );
    let Ok(fewer) = cut.similarity(0, "operations", None) else {
        panic!("no limit, yet the similarity stopped");
    };
    assert!(cut.common_items > 0 && fewer.edges.len() < all.edges.len());
    // A pair met through a too common item is a pair of the full graph, its similarity the
    // part of the full one that comes from the items it met through.
    let full: HashMap<(u32, u32), f32> = all.edges.iter().map(|&(a, b, s)| ((a, b), s)).collect();
    for &(a, b, s) in &fewer.edges {
        let f = full[&(a, b)];
        assert!(s <= f * (1.0 + 1e-5), "({a}, {b}): {s} above {f}");
    }
    let n = data.accounts.len();
    let groups = 7;
    // Every account, and a subset (as when one cluster is split again).
    for accounts in [
        (0..n as u32).collect::<Vec<_>>(),
        (0..n as u32).filter(|a| a % 3 != 0).collect(),
    ] {
        let group: Vec<u32> = accounts
            .iter()
            .map(|&a| a.wrapping_mul(2654435761) % groups)
            .collect();
        let mut local = vec![u32::MAX; n];
        for (i, &a) in accounts.iter().enumerate() {
            local[a as usize] = i as u32;
        }
        let mut want: BTreeMap<(u32, u32), f64> = BTreeMap::new();
        for &(a, b, s) in &all.edges {
            let (la, lb) = (local[a as usize], local[b as usize]);
            if la == u32::MAX || lb == u32::MAX {
                continue;
            }
            let (g, h) = (group[la as usize], group[lb as usize]);
            *want.entry((g.min(h), g.max(h))).or_default() += s as f64;
        }
        for p in [&profiles, &cut] {
            let Ok(got) = p.between_groups(&accounts, &group, groups as usize, "ops", None) else {
                panic!("no limit, yet the aggregate stopped");
            };
            assert_eq!(got.len(), want.len());
            for (g, h, w) in got {
                let x = want[&(g, h)];
                assert!(
                    ((w as f64) - x).abs() <= 1e-4 * x.max(1.0),
                    "({g}, {h}): {w} against {x}"
                );
            }
        }
    }
}
