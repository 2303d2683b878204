//! The generator: deterministic, consistent with its own truth, readable by ingest.

use super::*;
use coordnet::dataset::TimeResolution;
use coordnet::synth::{generate, SynthConfig};
use std::collections::{HashMap, HashSet};

fn truth(dir: &Path) -> HashMap<String, (String, String)> {
    let mut r = csv::Reader::from_path(dir.join("truth.csv")).unwrap();
    r.records()
        .map(|x| x.unwrap())
        .map(|x| (x[0].to_string(), (x[1].to_string(), x[2].to_string())))
        .collect()
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let config = SynthConfig::new(10_000);
    generate(&config, a.path()).unwrap();
    generate(&config, b.path()).unwrap();
    generate(&SynthConfig { seed: 43, ..config }, c.path()).unwrap();
    let bytes = |d: &Path| std::fs::read(d.join("tweets.csv")).unwrap();
    assert_eq!(bytes(a.path()), bytes(b.path()));
    assert_ne!(bytes(a.path()), bytes(c.path()));
}

#[test]
fn generated_data_matches_its_truth() {
    let dir = tempfile::tempdir().unwrap();
    let config = SynthConfig {
        compression: coordnet::synth::Compression::Gzip,
        ..SynthConfig::new(50_000)
    };
    let summary = generate(&config, dir.path()).unwrap();
    let (d, r) = read(&[dir.path().join("tweets.csv.gz")]);
    assert_balanced(&r);
    assert_eq!(r.rows_rejected, 0);
    assert_eq!(
        r.snowflake_mismatches, 0,
        "snowflake ids must agree with tweet_time"
    );
    assert_eq!(d.len() as u64, summary.tweets);
    assert!(
        (40_000..65_000).contains(&d.len()),
        "{} tweets for a target of 50,000",
        d.len()
    );
    assert!((0..d.len()).all(|i| d.resolution(i) == TimeResolution::Millisecond));

    let truth = truth(dir.path());
    assert_eq!(truth.len() as u64, summary.accounts);
    for &a in &d.account {
        assert!(
            truth.contains_key(d.accounts.key(a)),
            "account missing from truth"
        );
    }
    // The truth lists only accounts that tweeted: one without tweets is in no input.
    let tweeted: HashSet<&str> = d.account.iter().map(|&a| d.accounts.key(a)).collect();
    let silent = truth
        .keys()
        .filter(|k| !tweeted.contains(k.as_str()))
        .count();
    assert_eq!(silent, 0, "truth accounts without a tweet");
    // Every planted network is there with its core:amplifier ratio, less the few sparse
    // amplifiers whose participation draws never came up.
    for spec in &config.networks {
        let members: Vec<&(String, String)> =
            truth.values().filter(|(n, _)| n == &spec.name).collect();
        let cores = members.iter().filter(|(_, r)| r == "core").count() as f64;
        let amps = members.iter().filter(|(_, r)| r == "amplifier").count() as f64;
        assert_eq!(cores as u32, spec.cores, "{}", spec.name);
        let planted = (spec.cores as f64 * spec.amplifiers_per_core).round();
        assert!(
            amps <= planted && amps >= 0.95 * planted,
            "{}: {amps} amplifiers tweeted of {planted} planted",
            spec.name
        );
    }
    // Amplifiers retweet their own cores, fast.
    let core_of: HashSet<&str> = truth
        .iter()
        .filter(|(_, (n, r))| n == "ca-1:5" && r == "core")
        .map(|(k, _)| k.as_str())
        .collect();
    let amp_of: HashSet<&str> = truth
        .iter()
        .filter(|(_, (n, r))| n == "ca-1:5" && r == "amplifier")
        .map(|(k, _)| k.as_str())
        .collect();
    let time_of: HashMap<u64, i64> = (0..d.len())
        .map(|i| (d.tweet_id[i], d.time_ms[i]))
        .collect();
    let mut delays = Vec::new();
    for i in 0..d.len() {
        if amp_of.contains(d.accounts.key(d.account[i]))
            && d.target_account[i] != u32::MAX
            && core_of.contains(d.accounts.key(d.target_account[i]))
        {
            delays.push(d.time_ms[i] - time_of[&d.target_tweet[i]]);
        }
    }
    delays.sort_unstable();
    assert!(
        delays.len() > 100,
        "{} amplifier retweets of cores",
        delays.len()
    );
    let median = delays[delays.len() / 2];
    assert!(
        (30_000..300_000).contains(&median),
        "median amplifier delay {median} ms"
    );

    // Trap participants are ordinary accounts.
    let mut traps = csv::Reader::from_path(dir.path().join("traps.csv")).unwrap();
    let mut kinds = HashSet::new();
    for rec in traps.records() {
        let rec = rec.unwrap();
        kinds.insert(rec[1].to_string());
        assert_eq!(truth[&rec[3]].0, "organic");
    }
    assert_eq!(
        kinds,
        HashSet::from(["viral-cascade".to_string(), "trending-burst".to_string()])
    );
}

/// `synth --archive-only` said it wrote the organic and trap tweets of the collection the
/// archive is cut from, which it does not write.
#[test]
fn synth_archive_only_counts_the_tweets_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("archive");
    let o = coordnet(&[
        "synth",
        "--archive-only",
        "--tweets",
        "10000",
        "-o",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let (d, r) = read(&[out.join("tweets.csv")]);
    assert_eq!(r.rows_rejected, 0);
    let accounts = truth(&out).len();
    assert!(
        err.contains(&format!("wrote {} tweets by {accounts} accounts", d.len())),
        "{err}"
    );
    assert!(!err.contains("organic") && !err.contains("traps"), "{err}");

    // The library's counts are of what was written, in both shapes, parts adding up.
    for config in [SynthConfig::archive(10_000), SynthConfig::new(10_000)] {
        let dir = tempfile::tempdir().unwrap();
        let s = generate(&config, dir.path()).unwrap();
        let (d, _) = read(&[dir.path().join("tweets.csv")]);
        assert_eq!(s.tweets, d.len() as u64);
        assert_eq!(
            s.organic_tweets + s.network_tweets + s.trap_tweets,
            s.tweets,
            "{s:?}"
        );
        if config.archive_only {
            assert_eq!((s.organic_tweets, s.trap_tweets), (0, 0), "{s:?}");
        } else {
            assert!(s.organic_tweets > 0 && s.trap_tweets > 0, "{s:?}");
        }
    }
}

#[test]
fn archive_only_writes_the_networks_accounts_and_several_operations_of_each_kind() {
    let dir = tempfile::tempdir().unwrap();
    let config = SynthConfig::archive(50_000);
    let summary = generate(&config, dir.path()).unwrap();
    let (d, r) = read(&[dir.path().join("tweets.csv")]);
    assert_eq!(r.rows_rejected, 0);
    let truth = truth(dir.path());
    assert_eq!(truth.len() as u64, summary.accounts);
    assert!(truth.values().all(|(network, _)| network != "organic"));
    // Every tweet is by an archive account; what they retweet may be outside it.
    let mut authors = HashSet::new();
    for &a in &d.account {
        let key = d.accounts.key(a);
        assert!(
            truth.contains_key(key),
            "{key} tweets but is not in the archive"
        );
        authors.insert(key);
    }
    // A few sparse amplifiers may never get to act in a short period.
    assert!(
        authors.len() * 100 >= truth.len() * 97,
        "{} of {}",
        authors.len(),
        truth.len()
    );
    let outside = (0..d.len())
        .filter(|&i| d.target_account[i] != u32::MAX)
        .filter(|&i| !truth.contains_key(d.accounts.key(d.target_account[i])))
        .count();
    assert!(
        outside > 100,
        "camouflage retweets reach outside the archive: {outside}"
    );
    // Several operations of each kind.
    let kinds: HashMap<String, usize> = config.networks.iter().fold(HashMap::new(), |mut m, n| {
        *m.entry(format!("{:?}", n.kind)).or_default() += 1;
        m
    });
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    assert!(kinds.values().all(|&n| n >= 2), "{kinds:?}");
    let written: HashSet<&str> = truth.values().map(|(n, _)| n.as_str()).collect();
    assert_eq!(written.len(), config.networks.len());
    // A campaign is one new tag pushed by many members over many hours, not minutes.
    let members: HashSet<&str> = truth
        .iter()
        .filter(|(_, (n, _))| n == "campaign-a")
        .map(|(k, _)| k.as_str())
        .collect();
    let mut by_tag: HashMap<String, (HashSet<u32>, i64, i64)> = HashMap::new();
    for i in 0..d.len() {
        if !members.contains(d.accounts.key(d.account[i])) {
            continue;
        }
        for tag in hashtags_of(&d, i) {
            let e = by_tag
                .entry(tag)
                .or_insert((HashSet::new(), i64::MAX, i64::MIN));
            e.0.insert(d.account[i]);
            e.1 = e.1.min(d.time_ms[i]);
            e.2 = e.2.max(d.time_ms[i]);
        }
    }
    let campaigns = by_tag
        .values()
        .filter(|(who, first, last)| who.len() * 2 > members.len() && last - first > 6 * 3_600_000)
        .count();
    assert!(campaigns >= 2, "campaign tags: {campaigns}");
}

#[test]
fn parts_split_the_period_and_hold_the_same_tweets() {
    let (one, four) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config = SynthConfig::new(20_000);
    generate(&config, one.path()).unwrap();
    let parts = SynthConfig {
        parts: 4,
        compression: coordnet::synth::Compression::Zstd,
        ..config.clone()
    };
    generate(&parts, four.path()).unwrap();
    let files: Vec<PathBuf> = (1..=4)
        .map(|k| four.path().join(format!("tweets_{k}.csv.zst")))
        .collect();
    let (whole, _) = read(&[one.path().join("tweets.csv")]);
    let (split, stats) = read(&files);
    assert_eq!(stats.rows_rejected, 0);
    assert_eq!(split.len(), whole.len());
    let ids = |d: &Dataset| -> HashSet<u64> { d.tweet_id.iter().copied().collect() };
    assert_eq!(ids(&split), ids(&whole));
    // Each part holds its quarter of the period, in order.
    let quarter = config.days as i64 * 24 * 3_600_000 / 4;
    for (k, f) in files.iter().enumerate() {
        let (d, s) = read(std::slice::from_ref(f));
        assert!(s.rows_read > 1000, "{}: {} rows", f.display(), s.rows_read);
        let start = config.start_ms + k as i64 * quarter;
        for &t in &d.time_ms {
            assert!(t >= start && t < start + quarter, "{}: {t}", f.display());
        }
    }
}

#[test]
fn fewer_tweets_than_the_planted_networks_hold_are_refused_not_exceeded() {
    // --tweets 100 wrote 2,767 tweets, and said nothing.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let o = coordnet(&["synth", "-o", out.to_str().unwrap(), "--tweets", "100"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("synth is asked for at least 10000 tweets, not 100"),
        "{err}"
    );
    assert!(!out.join("tweets.csv").exists());
    let o = coordnet(&[
        "synth",
        "-o",
        out.to_str().unwrap(),
        "--tweets",
        "200000000",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("synth is asked for at most 100000000 tweets"),
        "{err}"
    );
    assert!(!err.contains("shrink"), "{err}");
    // Each setting that cannot work is named on its own.
    let o = coordnet(&["synth", "-o", out.to_str().unwrap(), "--days", "0"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--days 0 leaves no time to tweet in"), "{err}");
    let o = coordnet(&[
        "synth",
        "-o",
        out.to_str().unwrap(),
        "--organic-accounts",
        "3",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--organic-accounts 3 is too few"), "{err}");
    let help = coordnet(&["synth", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("10000 to 100000000"), "{help}");
}

/// The networks post as much over a long period as over a short one: --days 56 wrote 159,000
/// tweets for --tweets 100000, two thirds of them the networks'.
#[test]
fn the_period_spreads_the_tweets_asked_for_rather_than_adding_to_them() {
    let write = |days: u32| {
        let dir = tempfile::tempdir().unwrap();
        let config = SynthConfig {
            days,
            ..SynthConfig::new(50_000)
        };
        (generate(&config, dir.path()).unwrap(), dir)
    };
    let (fortnight, _) = write(14);
    for days in [3, 56] {
        let (s, dir) = write(days);
        let networks = s.network_tweets as f64 / fortnight.network_tweets as f64;
        assert!(
            (40_000..65_000).contains(&s.tweets) && (0.85..1.15).contains(&networks),
            "{days} days: {s:?}; 14 days: {fortnight:?}"
        );
        let (d, _) = read(&[dir.path().join("tweets.csv")]);
        let span_days = (d.time_ms.iter().max().unwrap() - d.time_ms.iter().min().unwrap()) as f64
            / 86_400_000.0;
        assert!(span_days > days as f64 * 0.9, "{days} days: {span_days}");
    }
}

#[test]
fn an_output_place_that_is_a_file_is_named_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "taken", "x");
    let o = coordnet(&["synth", "-o", file.to_str().unwrap(), "--tweets", "10000"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("cannot write the output {}", file.display()))
            && err.contains("choose another place for it"),
        "{err}"
    );
}

/// A second run into the folder of a first with more parts, or another compression, left the
/// first's extra files beside its own: read as a folder, two data sets. Refused, naming them.
#[test]
fn synth_refuses_a_folder_holding_tweet_files_it_would_not_replace() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let out = out.to_str().unwrap();
    let synth = |more: &[&str]| {
        let mut args = vec!["synth", "-o", out, "--tweets", "10000", "--seed", "1"];
        args.extend(more);
        coordnet(&args)
    };
    assert!(synth(&["--parts", "3"]).status.success());
    let o = synth(&["--parts", "2"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("already holds tweets_3.csv of an earlier run"),
        "{err}"
    );
    let o = synth(&["--parts", "3", "--gzip"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("tweets_1.csv, tweets_2.csv, tweets_3.csv"),
        "{err}"
    );
    // The same files again are replaced.
    assert!(synth(&["--parts", "3"]).status.success());
}
