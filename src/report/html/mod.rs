//! `report.html`: one self-contained page per run, with the pictures takedown analyses use.
//!
//! The overview gives the inputs, what they were taken for, the settings, and every cluster
//! in a sortable table with a chart of size against score. Then one section per cluster,
//! flagged ones open and the rest folded: the explanation; the score's parts against their
//! nulls; tweets per day by type and by role; the hour-of-week schedule; retweet delays
//! against the null; creation dates and followers; languages and posting apps; top hashtags,
//! domains and the accounts it amplifies; who amplifies whom; the members; and the cores'
//! most retweeted posts. Styles, scripts and pictures are inline (no network), every piece of
//! data text is escaped, and the page stays a few MB at most: sections, member rows and
//! drawn nodes are capped, and the page says what it left out and where it is.

mod charts;
mod network;
mod page;
mod pair;
mod views;

pub use page::esc;
pub use pair::{pair_page, retweets_page};

use crate::dataset::time::format_iso;
use crate::dataset::{Dataset, TimeResolution};
use crate::error::Result;
use crate::pipeline::{Detection, InputKind};
use crate::scoring::timeline::Timeline;
use crate::scoring::{roles_said, Cluster, Part};
use crate::shown::{counted, cut, pct};
use page::{Cell, Page};
use std::fmt::Write;
use std::path::Path;
use views::ClusterView;

/// Cluster sections drawn at most (flagged ones first); the rest are in clusters.csv.
pub const MAX_SECTIONS: usize = 25;
/// Member rows listed per flagged cluster at most; the rest are in accounts.csv.
pub const MAX_MEMBER_ROWS: usize = 250;
/// Member rows listed per folded (unflagged) cluster at most.
pub const MAX_FOLDED_MEMBER_ROWS: usize = 40;

/// Write `report.html` into `dir`.
pub fn write_report(
    dir: &Path,
    data: &Dataset,
    d: &Detection,
    summary: &serde_json::Value,
) -> Result<()> {
    let page = render(data, d, summary)?;
    super::safe::write_file(&dir.join("report.html"), |out| {
        out.write_all(page.as_bytes())
    })
}

/// The page, as a string.
pub fn render(data: &Dataset, d: &Detection, summary: &serde_json::Value) -> Result<String> {
    let mut p = Page::new("coordnet report");
    let ask = views::ask(d, MAX_SECTIONS);
    let timeline = (d.rows).timeline(data, &d.fused.sources, &ask)?;
    overview(&mut p, d, summary, &timeline);
    let views = views::gather(data, d, &ask, timeline)?;
    for (c, view) in d.clusters.iter().take(MAX_SECTIONS).zip(&views) {
        section(&mut p, data, d, c, view);
    }
    if d.clusters.len() > MAX_SECTIONS {
        let _ = write!(
            p.html,
            "<p class=\"note\">{} more clusters are not drawn here; every cluster is in \
             clusters.csv and every account in accounts.csv.</p>",
            d.clusters.len() - MAX_SECTIONS
        );
    }
    Ok(p.finish())
}

/// A JSON value as a short line of text.
fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// A setting of summary.json as `name = value` lines, escaped: a list as its items, a group
/// of settings (Leiden's, the archive's) as one line each, and the parts' weights by part.
fn setting_lines(key: &str, v: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::Object(group) => {
            for (k, v) in group {
                setting_lines(&format!("{key}.{k}"), v, out);
            }
        }
        Value::Array(items) if key == "part_weights" && items.len() == Part::ALL.len() => {
            for (part, w) in Part::ALL.iter().zip(items) {
                out.push(format!("weight of {} = {}", part.name(), esc(&plain(w))));
            }
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(plain).collect();
            out.push(format!("{} = {}", esc(key), esc(&items.join(", "))));
        }
        v => out.push(format!("{} = {}", esc(key), esc(&plain(v)))),
    }
}

fn overview(p: &mut Page, d: &Detection, summary: &serde_json::Value, timeline: &Timeline) {
    let flagged: Vec<&Cluster> = d.flagged().collect();
    // The share of the flagged clusters as they end, as the terminal says it; the Input
    // section's share is the one the input's kind was decided on.
    let counts = &summary["counts"];
    let tweets_share = match (counts["flagged_tweets"].as_u64(), counts["tweets"].as_u64()) {
        (Some(f), Some(t)) if t > 0 => {
            format!(", {:.0}% of the tweets", 100.0 * f as f64 / t as f64)
        }
        _ => String::new(),
    };
    let _ = write!(
        p.html,
        "<h1>Coordinated clusters</h1><p class=\"lead\">{} clusters ({} accounts); <b>{} flagged \
         as coordinated</b> ({} accounts{tweets_share}). {} tweets by {} accounts.</p>",
        d.clusters.len(),
        d.clusters.iter().map(|c| c.size).sum::<usize>(),
        flagged.len(),
        flagged.iter().map(|c| c.size).sum::<usize>(),
        timeline.resolutions.iter().sum::<u64>(),
        d.activity.tweets.iter().filter(|&&t| t > 0).count()
    );
    if !flagged.is_empty() {
        p.push(
            "<p>What to look at next: the flagged clusters below, highest score first, each with \
             the evidence for and against it and its members, cores first. The items behind the \
             tie of two members, with both times, are what <code>coordnet explain A B \
             INPUT...</code> shows (A and B as accounts.csv names them, INPUT the files listed \
             below); edges.csv holds every tie inside the flagged clusters.</p>",
        );
    }
    p.push("<h2>Input</h2>");
    let _ = write!(
        p.html,
        "<p><b>What the input was taken for</b>: {}. Ordinary accounts for the score's nulls: {}.</p>",
        esc(&d.input.reason),
        esc(d.input.background)
    );
    if let Some((first, last)) = timeline.span {
        let res: Vec<String> = (timeline.resolutions.iter().enumerate())
            .filter(|&(_, &k)| k > 0)
            .map(|(r, k)| {
                let r = TimeResolution::from_u8(r as u8).name();
                format!("to the {r} in {}", counted(*k as usize, "tweet"))
            })
            .collect();
        let _ = write!(
            p.html,
            "<p>Tweets from {} to {}; times {} (the finest the input or the tweet id \
             gives).</p>",
            esc(&format_iso(first)),
            esc(&format_iso(last)),
            esc(&res.join(", "))
        );
    }
    // The inputs, and the control collection the nulls came from, when one was given.
    for (name, read) in [("inputs", "ingest"), ("control", "control")] {
        let Some(files) = summary[read]["files"].as_array() else {
            continue;
        };
        if read == "control" {
            p.push("<p>The control collection, read for the score's ordinary accounts:</p>");
        }
        let rows: Vec<Vec<Cell>> = files
            .iter()
            .map(|f| {
                let n = |k: &str| f[k].as_f64().unwrap_or(0.0);
                vec![
                    Cell::text(&plain(&f["path"])),
                    Cell::text(&plain(&f["format"])),
                    Cell::num(n("rows_read"), format!("{}", n("rows_read"))),
                    Cell::num(n("rows_accepted"), format!("{}", n("rows_accepted"))),
                    Cell::num(n("rows_rejected"), format!("{}", n("rows_rejected"))),
                ]
            })
            .collect();
        p.table(
            name,
            &["file", "format", "rows read", "accepted", "rejected"],
            &rows,
        );
    }
    if let Some(rejected) = summary["ingest"]["rejected"]
        .as_object()
        .filter(|r| !r.is_empty())
    {
        p.push("<p class=\"note\">Rejected rows: ");
        let reasons: Vec<String> = rejected
            .iter()
            .map(|(k, v)| format!("{} ({})", esc(k), plain(&v["count"])))
            .collect();
        p.push(&reasons.join("; "));
        p.push("</p>");
    }
    // `score`'s list of suspects: what of it the input does not show
    // (`summary::GivenGroupsSummary`).
    if let Some(list) = summary["suspects"].as_str() {
        let n = |k: &str| summary[k].as_u64().unwrap_or(0);
        let _ = write!(
            p.html,
            "<p>Suspected accounts listed in {}: {} not in the input, {} there only as others' \
             retweets, replies or mentions; both are left out.",
            esc(list),
            n("suspects_missing"),
            n("suspects_posted_nothing")
        );
        if let Some(gone) = summary["groups_left_out"]
            .as_array()
            .filter(|g| !g.is_empty())
        {
            let gone: Vec<String> = gone.iter().map(|g| esc(&plain(g))).collect();
            let _ = write!(
                p.html,
                " Groups none of whose accounts posted, left out: {}.",
                gone.join(", ")
            );
        }
        p.push("</p>");
    }
    if let Some(settings) = summary["settings"].as_object() {
        p.push("<h3>Settings</h3><p class=\"note\">");
        // How an archive is split into operations does not apply to a collection.
        let applies = |k: &str| k != "archive" || d.input.kind == InputKind::Archive;
        let mut s: Vec<String> = Vec::new();
        for (k, v) in settings.iter().filter(|(k, _)| applies(k)) {
            setting_lines(k, v, &mut s);
        }
        p.push(&s.join("; "));
        p.push("</p>");
    }
    p.push("<h2>Clusters</h2>");
    let threshold = (summary["settings"]["threshold"].as_f64())
        .unwrap_or(crate::DetectConfig::default().threshold);
    let points: Vec<(usize, f64, bool)> = d
        .clusters
        .iter()
        .map(|c| (c.size, c.score, c.flagged))
        .collect();
    p.push(&charts::clusters(&points, threshold));
    let rows: Vec<Vec<Cell>> = d
        .clusters
        .iter()
        .map(|c| {
            let link = if (c.id as usize) < MAX_SECTIONS {
                format!("<a href=\"#cluster-{0}\">{0}</a>", c.id)
            } else {
                c.id.to_string()
            };
            vec![
                Cell {
                    key: Some(c.id as f64),
                    ..Cell::html(link)
                },
                Cell::num(c.score, c.score_said()),
                Cell::num(c.size as f64, c.size.to_string()),
                Cell::num(c.n_core as f64, c.n_core.to_string()),
                Cell::num(c.n_amplifier as f64, c.n_amplifier.to_string()),
                Cell::text(
                    &c.profile
                        .top_hashtags
                        .first()
                        .map_or(String::new(), |t| format!("#{}", t.0)),
                ),
                Cell::html(flag(c.flagged)),
            ]
        })
        .collect();
    if d.clusters.len() > MAX_SECTIONS {
        let _ = write!(
            p.html,
            "<p class=\"note\">The first {MAX_SECTIONS} clusters (highest score first) have a \
             section below, linked from their number; clusters.csv holds every cluster.</p>"
        );
    }
    p.table(
        "clusters",
        &[
            "cluster",
            "score",
            "accounts",
            "cores",
            "amplifiers",
            "top hashtag",
            "flagged",
        ],
        &rows,
    );
}

fn flag(flagged: bool) -> String {
    if flagged {
        "<span class=\"flag\">flagged</span>".into()
    } else {
        "<span class=\"calm\">not flagged</span>".into()
    }
}

/// A row of the evidence table: what is measured, the score part it feeds, observed, null,
/// and what it is measured on.
type PartRow = (&'static str, Part, Option<f64>, Option<f64>, String);

/// Each part against its null: (name, observed, null), the observed share as a bar and the
/// null as a red mark.
fn parts_table(c: &Cluster) -> String {
    let e = &c.evidence;
    let share = |n: u64, of: u64| (of > 0).then(|| n as f64 / of as f64);
    let r = &e.rhythm;
    let rows: Vec<PartRow> = vec![
        (
            "co-actions within 5 min of another member",
            Part::Synchrony,
            share(e.synced, e.co_actions),
            (e.co_actions > 0).then(|| e.synced_null / e.co_actions as f64),
            format!("{} co-actions", e.co_actions),
        ),
        (
            "members' retweets of each other within 5 min",
            Part::Synchrony,
            share(e.inner_retweets_fast, e.inner_retweets_timed),
            e.fast_null,
            format!("{} timed retweets", e.inner_retweets_timed),
        ),
        (
            "active hours shared with other members",
            Part::Synchrony,
            share(r.shared_hours, r.active_hours),
            r.shared_null,
            format!("{} active hours", r.active_hours),
        ),
        (
            "hour-of-week profiles alike (mean cosine)",
            Part::Synchrony,
            r.profile_similarity,
            r.profile_null,
            format!("{} profiled members", r.profiled),
        ),
        (
            "retweets going to members",
            Part::Structure,
            share(e.inner_retweets, e.retweets_known),
            Some(e.received_share),
            format!("{} retweets with a known source", e.retweets_known),
        ),
        (
            "created within one 30-day span",
            Part::CreationBurst,
            share(e.created_in_burst, e.created_known),
            Some(e.burst_null),
            format!("{} creation dates", e.created_known),
        ),
        (
            "own texts another member also posted",
            Part::ContentDuplication,
            share(e.duplicated_texts, e.own_texts),
            Some(0.0),
            format!("{} own texts", e.own_texts),
        ),
        (
            "hashtag use on tags the cluster owns",
            Part::HashtagConcentration,
            (e.hashtag_uses > 0).then(|| e.owned_hashtag_uses / e.hashtag_uses as f64),
            Some(e.tweet_share),
            format!("{} hashtag uses", e.hashtag_uses),
        ),
    ];
    let mut s = String::from("<table class=\"parts\"><tr><th>measure</th><th>observed (bar) against the null (red mark)</th><th></th><th>on</th><th>score part</th></tr>");
    for (name, part, obs, null, on) in rows {
        let Some(o) = obs else { continue };
        // A cosine is no share: written as the number it is.
        let cosine = name.contains("cosine");
        let shown = |x: f64| if cosine { format!("{x:.2}") } else { pct(x) };
        let mark = null.map_or(String::new(), |n| {
            format!("<i style=\"left:{:.1}%\"></i>", 100.0 * n.clamp(0.0, 1.0))
        });
        let _ = write!(
            s,
            "<tr><td>{}</td><td><span class=\"bar\"><span style=\"width:{:.1}%{}\"></span>{mark}</span></td><td>{}{}</td><td class=\"note\">{}</td><td class=\"note\">{}</td></tr>",
            esc(name),
            100.0 * o.clamp(0.0, 1.0),
            // At or below its null a measure is no evidence of coordination: grey, and said.
            if below(o, null) { ";background:#aab3bd" } else { "" },
            shown(o),
            null.map_or(String::new(), |n| match below(o, Some(n)) {
                true => format!(" (null {}: not above it, no evidence)", shown(n)),
                false => format!(" (null {})", shown(n)),
            }),
            esc(&on),
            // A narrow window breaks the name where its words meet.
            part.name().replace('_', "_<wbr>")
        );
    }
    s.push_str("</table><p class=\"note\">Score parts: ");
    let parts: Vec<String> = c
        .parts
        .iter()
        .map(|(p, v): (Part, Option<f64>)| {
            format!(
                "{} {}",
                p.name(),
                v.map_or("-".into(), |v| format!("{v:.2}"))
            )
        })
        .collect();
    s.push_str(&esc(&parts.join(", ")));
    s.push_str(
        " (- where the cluster has too little evidence to measure the part). Each part is its \
         rows' excess over their nulls, shrunk for small clusters; synchrony is the strongest \
         of its rows (a shared weekly schedule counting half); coaction, the share of the \
         members' graph evidence that stays inside the cluster, has no row. The score is the \
         parts' weighted mean (README, \"The method in brief\").</p>",
    );
    s
}

/// Whether an observed share is at or below its null, so no evidence of coordination.
fn below(observed: f64, null: Option<f64>) -> bool {
    null.is_some_and(|n| observed <= n)
}

/// A panel whose figure the data does not give.
fn not_in_the_data(title: &str) -> String {
    note(title, "not in the data")
}

/// A chart's place, holding `why` there is nothing to draw.
fn note(title: &str, why: &str) -> String {
    format!(
        "<div><h3>{}</h3><p class=\"note\">{}</p></div>",
        esc(title),
        esc(why)
    )
}

fn shares(title: &str, items: &[(String, f64)]) -> String {
    if items.is_empty() {
        return not_in_the_data(title);
    }
    let mut s = format!("<div><h3>{}</h3>", esc(title));
    for (name, share) in items {
        let _ = write!(
            s,
            "<div class=\"share\"><span class=\"bar\"><span style=\"width:{:.1}%\"></span></span><span>{} {}</span></div>",
            100.0 * share.clamp(0.0, 1.0),
            esc(name),
            pct(*share)
        );
    }
    s.push_str("</div>");
    s
}

fn counts(title: &str, items: &[(String, u64)], prefix: &str) -> String {
    let mut s = format!("<div><h3>{}</h3>", esc(title));
    if items.is_empty() {
        s.push_str("<p class=\"note\">none</p>");
    } else {
        s.push_str("<table>");
        for (name, n) in items {
            let _ = write!(
                s,
                "<tr><td>{}</td><td data-key=\"{n}\">{n}</td></tr>",
                esc(&format!("{prefix}{name}"))
            );
        }
        s.push_str("</table>");
    }
    s.push_str("</div>");
    s
}

fn section(p: &mut Page, data: &Dataset, d: &Detection, c: &Cluster, v: &ClusterView) {
    let _ = write!(
        p.html,
        "<details id=\"cluster-{id}\"{open}><summary>Cluster {id}: {size} ({roles}), \
         score {score} {flag}</summary>",
        id = c.id,
        open = if c.flagged { " open" } else { "" },
        size = counted(c.size, "account"),
        roles = roles_said(c),
        score = c.score_said(),
        flag = flag(c.flagged)
    );
    let _ = write!(p.html, "<p>{}</p>", esc(&c.explanation));
    p.push(&parts_table(c));
    p.push("<div class=\"grid\">");
    p.push(&charts::stacked_days(
        &format!("tweets per {} by type", v.bin_name),
        &v.bin_starts,
        &v.by_kind,
    ));
    p.push(&charts::stacked_days(
        &format!("tweets per {} by role", v.bin_name),
        &v.bin_starts,
        &v.by_role,
    ));
    p.push(&charts::week(&v.week));
    let null = v.delay_null.as_ref().map(|(n, s)| (n.as_str(), &s[..]));
    let title = "delay of members' retweets of each other";
    p.push(&match v.delays.iter().all(|&s| s == 0.0) {
        true => note(
            title,
            "no retweet of one member by another with a known source",
        ),
        false => charts::distributions(
            title,
            "delay (the line marks 5 min)",
            &v.delay_labels,
            &v.delays,
            null,
            Some(views::FIVE_MINUTES_BIN),
        ),
    });
    let null = v.created_null.as_ref().map(|(n, s)| (n.as_str(), &s[..]));
    p.push(&match v.created.is_empty() {
        true => not_in_the_data("members' account creation"),
        false => charts::distributions(
            "members' account creation",
            "created",
            &v.created_labels,
            &v.created,
            null,
            None,
        ),
    });
    let null = v.followers_null.as_ref().map(|(n, s)| (n.as_str(), &s[..]));
    let title = "followers (log scale)";
    p.push(&match v.followers.iter().all(|&s| s == 0.0) {
        true => not_in_the_data(title),
        false => charts::distributions(
            title,
            "followers",
            &v.followers_labels,
            &v.followers,
            null,
            None,
        ),
    });
    p.push("</div><div class=\"grid\">");
    p.push(&shares("languages", &c.profile.languages));
    p.push(&shares("posting apps", &c.profile.clients));
    p.push(&counts("top hashtags", &c.profile.top_hashtags, "#"));
    p.push(&counts("top domains", &c.profile.top_domains, ""));
    p.push(&counts(
        "outside accounts it amplifies (retweets)",
        &c.profile.amplified_accounts,
        "",
    ));
    p.push("</div>");
    p.push("<h3>Who amplifies whom</h3>");
    if c.evidence.inner_retweets == 0 || c.n_core == 0 {
        // A ring of amplifiers around no core would read as a finding.
        p.push(
            "<p class=\"note\">No drawing: no member retweets another with a source the data \
             names, so who amplifies whom cannot be seen here. Roles then come from each \
             account's own behaviour (an amplifier mostly retweets, whomever), with a confidence \
             below 0.7.</p>",
        );
    } else {
        p.push(
            "<p class=\"note\">Cores (red) in the middle, amplifiers (orange) around them next \
             to the core they retweet most; line width follows the retweets. Hover for names and \
             counts.</p>",
        );
        p.push(&v.drawing);
    }
    member_table(p, data, d, c);
    if !v.examples.is_empty() {
        p.push("<h3>The cores' posts the cluster retweeted most</h3>");
        for (who, text, n) in &v.examples {
            let _ = write!(
                p.html,
                "<div class=\"tweet\"><b>{}</b> ({} by members)<br>{}</div>",
                esc(who),
                counted(*n as usize, "retweet"),
                esc(text)
            );
        }
    }
    p.push("</details>\n");
}

fn member_table(p: &mut Page, data: &Dataset, d: &Detection, c: &Cluster) {
    let mut members: Vec<usize> = (0..d.cluster_of.len())
        .filter(|&u| d.cluster_of[u] == c.id)
        .collect();
    let cap = if c.flagged {
        MAX_MEMBER_ROWS
    } else {
        MAX_FOLDED_MEMBER_ROWS
    };
    let (all, shown) = (members.len(), members.len().min(cap));
    // Only the rows shown are put in order (a cluster can hold 10^5 members).
    let key = |&u: &usize| {
        (
            d.roles[u].0 as u8,
            std::cmp::Reverse(d.activity.tweets[u]),
            u,
        )
    };
    if shown < all {
        members.select_nth_unstable_by_key(shown, key);
        members.truncate(shown);
    }
    members.sort_unstable_by_key(key);
    let id = format!("members-{}", c.id);
    let _ = write!(
        p.html,
        "<h3>Members</h3><input class=\"filter\" data-table=\"{id}\" placeholder=\"filter members\">"
    );
    // A hashed archive writes the id again as the screen name: a column that says nothing new.
    let a = &data.accounts;
    let named = (members[..shown].iter()).any(|&u| {
        a.screen_name(u as u32)
            .is_some_and(|n| n != a.key(u as u32))
    });
    let rows: Vec<Vec<Cell>> = members[..shown]
        .iter()
        .map(|&u| {
            let created = a.created_ms[u];
            let followers = a.followers[u];
            let mut row = vec![
                Cell::text(a.key(u as u32)),
                Cell::text(a.screen_name(u as u32).unwrap_or("")),
                Cell::text(d.roles[u].0.name()),
                Cell::num(d.roles[u].1, cut(d.roles[u].1, 2)),
                Cell::num(
                    d.activity.tweets[u] as f64,
                    d.activity.tweets[u].to_string(),
                ),
                Cell::num(d.activity.own_share(u), pct(d.activity.own_share(u))),
                if followers == u32::MAX {
                    Cell::text("")
                } else {
                    Cell::num(followers as f64, followers.to_string())
                },
                if created == i64::MIN {
                    Cell::text("")
                } else {
                    Cell::text(&format_iso(created)[..10])
                },
            ];
            if !named {
                row.remove(1);
            }
            row
        })
        .collect();
    p.html.push_str("<div class=\"members-wrap\">");
    let start = p.html.len();
    let mut header = vec![
        "account",
        "screen name",
        "role",
        "confidence",
        "tweets",
        "own share",
        "followers",
        "created",
    ];
    if !named {
        header.remove(1);
    }
    p.table(&id, &header, &rows);
    // Mark member tables for the self-test.
    p.html.replace_range(
        start..start + "<table class=\"sortable\"".len(),
        "<table class=\"sortable members\"",
    );
    p.push("</div>");
    if all > shown {
        let _ = write!(
            p.html,
            "<p class=\"note\">{} more members are listed in accounts.csv (cluster {}).</p>",
            all - shown,
            c.id
        );
    }
}
