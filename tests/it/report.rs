//! The analyst's page, opened in a real browser (headless Chromium): it renders, its own
//! script sorts, filters and opens what it should, and hostile text stays text.

use super::*;
use crate::detect::csv_rows;
use std::collections::HashSet;
use std::io::Read;

/// Headless Chromium with `args`, as the machine's probe runs it (no network, no sandbox as
/// root, a fresh profile).
fn chromium(args: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let bin = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok()
        })
        .expect("build.rs found Chromium on the PATH");
    let o = std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn sample_report(dir: &Path) -> PathBuf {
    let sample = sample_tweets();
    let out = dir.join("out");
    let o = coordnet(&[
        "detect",
        sample.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out.join("report.html")
}

#[test]
fn the_report_is_one_self_contained_page_of_bounded_size() {
    let dir = tempfile::tempdir().unwrap();
    let html = std::fs::read_to_string(sample_report(dir.path())).unwrap();
    // Nothing is fetched: no external scripts, styles, images or fonts.
    for outside in ["src=\"http", "href=\"http", "@import", "url(", "<link"] {
        assert!(
            !html.contains(outside),
            "the page reaches outside: {outside}"
        );
    }
    assert_eq!(html.matches("<script").count(), 1);
    // Every cluster is in the table, the flagged ones drawn and open.
    assert_eq!(html.matches("<details id=\"cluster-").count(), 12);
    assert_eq!(
        html.matches("<details id=\"cluster-").count() - html.matches("\" open>").count(),
        7
    );
    assert!(html.len() < 4_000_000, "{} bytes", html.len());
    assert!(html.contains("posting apps") && html.contains("IFTTT 100%"));
    // The sample's accounts have screen names of their own: the member tables show them.
    assert!(html.contains(">screen name<"));
}

/// What the page says agrees with the files beside it: each cluster's score is what
/// clusters.csv begins with (both cut, never rounded up), the flagged clusters' share of the
/// tweets is summary.json's, and a measure at or below its null is said to be no evidence.
#[test]
fn the_reports_figures_are_the_files_figures() {
    let dir = tempfile::tempdir().unwrap();
    let report = sample_report(dir.path());
    let html = std::fs::read_to_string(&report).unwrap();
    let out = report.parent().unwrap();
    let (_, clusters) = csv_rows(&out.join("clusters.csv"));
    for c in &clusters {
        let head = format!("<summary>Cluster {}: ", c["cluster"]);
        let at = html
            .find(&head)
            .unwrap_or_else(|| panic!("no section {head}"));
        let summary = &html[at..at + html[at..].find("</summary>").unwrap()];
        let shown = summary
            .split("score ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        assert_eq!(shown.len(), 4, "{summary}");
        assert!(
            c["score"].starts_with(shown),
            "{summary} against {}",
            c["score"]
        );
    }
    let summary = summary_json(out);
    let counts = &summary["counts"];
    let share =
        100.0 * counts["flagged_tweets"].as_f64().unwrap() / counts["tweets"].as_f64().unwrap();
    assert!(
        html.contains(&format!(
            "({} accounts, {share:.0}% of the tweets)",
            counts["flagged_accounts"]
        )),
        "no flagged share of {share:.0}% in the lead"
    );
    assert!(html.contains("What to look at next"));
    // The sample's organic clusters share hashtags no more than chance would have them.
    assert!(html.contains(": not above it, no evidence)"));
}

#[test]
#[cfg_attr(
    chromium_absent,
    ignore = "needs Chromium (apt-get install -y chromium)"
)]
fn the_report_renders_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let report = sample_report(dir.path());
    let png = dir.path().join("shot.png");
    chromium(&[
        "--window-size=1280,1600",
        &format!("--screenshot={}", png.display()),
        &format!("file://{}", report.display()),
    ]);
    let decoder = png::Decoder::new(std::fs::File::open(&png).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let channels = info.color_type.samples();
    let inked = pixels[..info.buffer_size()]
        .chunks(channels)
        .filter(|p| p[..3].iter().any(|&c| c < 200))
        .count();
    let share = inked as f64 / (info.width * info.height) as f64;
    assert!(
        share > 0.03,
        "the page looks blank: {share:.4} of pixels drawn"
    );
}

#[test]
#[cfg_attr(
    chromium_absent,
    ignore = "needs Chromium (apt-get install -y chromium)"
)]
fn the_pages_own_script_sorts_filters_and_opens() {
    let dir = tempfile::tempdir().unwrap();
    let report = sample_report(dir.path());
    let dom = chromium(&[
        "--dump-dom",
        &format!("file://{}#selftest", report.display()),
    ]);
    let start = dom
        .find("<pre id=\"selftest-result\">")
        .expect("the self-test ran")
        + 26;
    let end = start + dom[start..].find("</pre>").unwrap();
    let result: serde_json::Value =
        serde_json::from_str(&dom[start..end].replace("&quot;", "\"")).unwrap();
    assert_eq!(result["sorted"], true, "{result}");
    assert_eq!(result["rows"], 12, "{result}");
    assert!(result["filtered"].as_u64().unwrap() >= 1, "{result}");
    assert_eq!(result["opened"], true, "{result}");
    assert_eq!(result["scripts"], 1, "{result}");
}

const HOSTILE_NAME: &str = "\"><img src=x onerror=document.title='pwned'>";
const HOSTILE_TEXT: &str = "<script>document.title='pwned'</script> ]]> \u{202E}dlrow";

/// The sample with the first flagged cluster's accounts renamed, retexted and retagged with
/// hostile strings.
fn hostile_sample(dir: &Path) -> PathBuf {
    let out = dir.join("plain");
    let sample = sample_tweets();
    assert!(coordnet(&[
        "detect",
        sample.to_str().unwrap(),
        "-o",
        out.to_str().unwrap()
    ])
    .status
    .success());
    let members: HashSet<String> = csv::Reader::from_path(out.join("accounts.csv"))
        .unwrap()
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(|r| r.unwrap())
        .filter(|r| r["cluster"] == "0")
        .map(|r| r["account_id"].clone())
        .collect();
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&sample).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (user, screen, display, tweet, tags) = (
        col("userid"),
        col("user_screen_name"),
        col("user_display_name"),
        col("tweet_text"),
        col("hashtags"),
    );
    let path = dir.join("hostile.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&header).unwrap();
    for rec in r.records() {
        let mut rec: Vec<String> = rec.unwrap().iter().map(String::from).collect();
        if members.contains(&rec[user]) {
            rec[screen] = format!("{HOSTILE_NAME}{}", &rec[user][..6]);
            rec[display] = rec[screen].clone();
            rec[tweet] = format!("{HOSTILE_TEXT} {}", rec[tweet]);
            rec[tags] = rec[tags].replacen('[', "['x<script>alert(1)</script>', ", 1);
        }
        w.write_record(&rec).unwrap();
    }
    w.flush().unwrap();
    path
}

#[test]
fn hostile_text_is_text_on_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let input = hostile_sample(dir.path());
    let out = dir.path().join("out");
    let o = coordnet(&[
        "detect",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // It is on the page, escaped: names, tweets and hashtags all reached it.
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=document.title=&#39;pwned&#39;&gt;"));
    assert!(html.contains(
        "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt; ]]&gt; &#x202E;dlrow"
    ));
    assert!(html.contains("#x&lt;script&gt;alert(1)&lt;/script&gt;"));
    // And nothing of it is markup.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(!html.contains("<img"));
    assert!(!html.contains('\u{202E}'));
}

#[test]
#[cfg_attr(
    chromium_absent,
    ignore = "needs Chromium (apt-get install -y chromium)"
)]
fn hostile_text_runs_nothing_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let input = hostile_sample(dir.path());
    let out = dir.path().join("out");
    assert!(coordnet(&[
        "detect",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap()
    ])
    .status
    .success());
    let dom = chromium(&[
        "--dump-dom",
        &format!("file://{}", out.join("report.html").display()),
    ]);
    assert!(
        dom.contains("<title>coordnet report</title>"),
        "the title was changed"
    );
    assert!(!dom.contains("<img"), "an image element was created");
    assert!(
        dom.contains("onerror=document.title"),
        "the hostile name is shown as text"
    );
}

#[test]
#[cfg_attr(
    chromium_absent,
    ignore = "needs Chromium (apt-get install -y chromium)"
)]
fn explain_writes_the_pairs_evidence_as_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    let out = dir.path().join("out");
    assert!(coordnet(&[
        "detect",
        sample.to_str().unwrap(),
        "-o",
        out.to_str().unwrap()
    ])
    .status
    .success());
    let members: Vec<String> = csv::Reader::from_path(out.join("accounts.csv"))
        .unwrap()
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(|r| r.unwrap())
        .filter(|r| r["cluster"] == "0" && r["role"] == "amplifier")
        .map(|r| r["account_id"].clone())
        .take(2)
        .collect();
    let page = dir.path().join("pair.html");
    let o = coordnet(&[
        "explain",
        &members[0],
        &members[1],
        sample.to_str().unwrap(),
        "--kind",
        "co-retweet",
        "--window",
        "5m",
        "--html",
        page.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dom = chromium(&["--dump-dom", &format!("file://{}", page.display())]);
    assert!(
        dom.contains("co-action pairs on"),
        "{}",
        &dom[..dom.len().min(2000)]
    );
    assert!(dom.contains("Shared retweeted tweets") && dom.contains("<svg"));
}

/// IRA accounts carry no creation date: the creation chart drew an empty axis labelled from
/// year 0 (`-1-10` to `0-03`) where the other panels say the data lacks the figure.
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn a_cluster_without_creation_dates_is_said_to_have_none() {
    let dir = tempfile::tempdir().unwrap();
    let ira = crate::shared("ira-2016-10/tweets.csv.gz");
    let out = dir.path().join("out");
    let o = crate::coordnet(&["detect", ira.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    let said = "account creation</h3><p class=\"note\">not in the data</p>";
    assert!(page.matches(said).count() >= 5, "no creation panel says so");
    assert!(!page.contains("-1-10") && !page.contains(">0-03<"));
    // An archive's page lists how it was split into operations; a collection's does not.
    assert!(page.contains("archive.resolution = "));
    let sample = std::fs::read_to_string(sample_report(dir.path())).unwrap();
    assert!(sample.contains("<h3>Settings</h3>") && !sample.contains("archive."));
    // Settings read as settings, one to a name, not as JSON.
    let settings = sample.split("<h3>Settings</h3>").nth(1).unwrap();
    let settings = settings.split("</p>").next().unwrap();
    for said in [
        "kinds = co-retweet, co-hashtag",
        "leiden.resolution = ",
        "weight of synchrony = ",
    ] {
        assert!(settings.contains(said), "{said}: {settings}");
    }
    assert!(
        !settings.contains(['{', '[']) && !settings.contains("&quot;"),
        "{settings}"
    );
}

/// CooRTweet's shares carry no follower counts and no retweet sources: those panels drew
/// empty axes over a flat line, as if they measured zero.
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn panels_without_their_figures_say_why_instead_of_drawing_empty_axes() {
    let dir = tempfile::tempdir().unwrap();
    let shares = crate::shared("coortweet/russian_coord_tweets.csv.gz");
    let out = dir.path().join("out");
    let o = crate::coordnet(&[
        "detect",
        shares.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    let clusters = page.matches("<details").count();
    assert!(clusters > 0);
    let followers = "followers (log scale)</h3><p class=\"note\">not in the data</p>";
    assert_eq!(page.matches(followers).count(), clusters);
    let delays = "each other</h3><p class=\"note\">no retweet of one member by another with a \
                  known source</p>";
    assert_eq!(page.matches(delays).count(), clusters);
    assert!(!page.contains("delay (the line marks 5 min)"));
    // Nor a drawing of who amplifies whom, nor a column of screen names the data lacks.
    let no_drawing = "No drawing: no member retweets another with a source the data names";
    assert_eq!(page.matches(no_drawing).count(), clusters);
    assert!(!page.contains(">screen name<"));
}
