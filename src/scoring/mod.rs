//! Scoring: a group of accounts measured for coordination, and each account given a role.
//!
//! Per cluster, the parts of the coordination score ([`parts`]: each measured against what
//! chance would give the same accounts), a network profile ([`profile`]) and a plain-language
//! explanation ([`explain`]); per account, behavioural features ([`features`]) and a role
//! ([`roles`]: core or amplifier). The score is the weighted mean of the parts a cluster has
//! evidence for ([`Part::weight`]); the pipeline flags clusters scoring at least its threshold.

pub mod background;
pub mod features;
pub mod parts;
pub mod profile;
pub mod rhythm;
pub mod roles;
pub mod score;
pub mod tally;
pub mod timeline;

pub use background::{Background, NullFrom, Reference};
pub use features::{AccountFeatures, Activity, Amplification};
pub use parts::Evidence;
pub use profile::Profile;
pub use roles::Role;
pub use score::{Counting, Part, Parts};

pub use crate::dataset::NO_CLUSTER;
use crate::graphs::format_duration;
use crate::shown::{counted, pct};

/// The default generated collection of about 100,000 tweets and its fused graph (default
/// settings), which the scoring tests measure; the directory holds the data's files.
#[cfg(test)]
fn generated_fused() -> (tempfile::TempDir, crate::Dataset, crate::graphs::Fused) {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::synth::generated_dataset(100_000, dir.path());
    let fusion = crate::pipeline::DetectConfig::default().fusion;
    let fused = crate::graphs::fuse(&data, &fusion, &crate::progress::Silent).unwrap();
    (dir, data, fused)
}

/// One scored cluster: a row of `clusters.csv`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Cluster {
    /// Its number: clusters are numbered by score, 0 the highest; `Detection::cluster_of`
    /// gives each account's.
    pub id: u32,
    /// Member accounts, and of them cores, amplifiers and others ([`Role`]).
    pub size: usize,
    pub n_core: usize,
    pub n_amplifier: usize,
    pub n_other: usize,
    /// The coordination score, 0 to 1: the parts combined (docs/method.md).
    pub score: f64,
    /// Whether the score reaches the threshold (`DetectConfig::threshold`).
    pub flagged: bool,
    /// The score's parts, each 0 to 1 where measured.
    pub parts: Parts,
    /// The measurements behind the parts, with what chance would give.
    pub evidence: Evidence,
    /// What the members post: top hashtags, domains, clients, the accounts they amplify.
    pub profile: Profile,
    /// The evidence in words, [`explain_lines`] joined by "; ".
    pub explanation: String,
    /// The analyst's name for the group, where the accounts were given in named groups
    /// (`coordnet score --group-column`) rather than found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl Cluster {
    /// Why its score says nothing, where it does not: a group of one account has nobody to
    /// act together with, and one with too few actions to measure any part has no evidence.
    /// Such a score (0, or a part's alone) would read as a finding.
    pub fn unscored(&self) -> Option<&'static str> {
        if self.size < 2 {
            Some("one account: nobody to act together with")
        } else if self.parts.iter().all(|(_, v)| v.is_none()) {
            Some("too few actions to measure any part")
        } else {
            None
        }
    }

    /// Its score for people: two decimals, cut ([`crate::shown::score_shown`]), or `n/a` with
    /// why where the score says nothing ([`Cluster::unscored`]).
    pub fn score_said(&self) -> String {
        match self.unscored() {
            Some(why) => format!("n/a ({why})"),
            None => crate::shown::score_shown(self.score),
        }
    }
}

/// The members by role, every member counted: "3 cores, 30 amplifiers, 2 others".
pub fn roles_said(c: &Cluster) -> String {
    let mut said = format!(
        "{}, {}",
        counted(c.n_core, "core"),
        counted(c.n_amplifier, "amplifier")
    );
    if c.n_other > 0 {
        said += &format!(", {}", counted(c.n_other, "other"));
    }
    said
}

/// A flagged cluster of these roles' counts, with `evidence`, for the explanation's tests.
#[cfg(test)]
fn flagged_with([n_core, n_amplifier, n_other]: [usize; 3], evidence: Evidence) -> Cluster {
    Cluster {
        id: 0,
        size: n_core + n_amplifier + n_other,
        n_core,
        n_amplifier,
        n_other,
        score: 0.5,
        flagged: true,
        parts: Parts::default(),
        evidence,
        profile: Profile::default(),
        explanation: String::new(),
        group: None,
    }
}

#[cfg(test)]
#[test]
fn the_explanation_counts_every_member_by_role() {
    let mut c = flagged_with([17, 31, 3], Evidence::default());
    // No retweet names its source (CooRTweet's data): nothing is said of retweets among them.
    let said = explain(&c);
    assert!(
        said.starts_with(
            "51 accounts (17 cores, 31 amplifiers, 3 others: roles by whether most of each \
             one's tweets are its own) with no retweet whose source"
        ),
        "{said}"
    );
    c.evidence.retweets_known = 12;
    let said = explain(&c);
    assert!(
        said.contains("3 others: roles by whether most of each one's tweets are its own) with no retweets of each other"),
        "{said}"
    );
    c.evidence.inner_retweets = 40;
    (c.n_amplifier, c.n_other) = (34, 0);
    assert!(explain(&c).starts_with("51 members (17 cores, 34 amplifiers) made 40 retweets"));
}

#[cfg(test)]
#[test]
fn a_few_retweets_among_members_are_said_as_counts_not_as_a_distribution() {
    let one_retweet = Evidence {
        inner_retweets: 1,
        retweets_known: 2500,
        inner_retweets_timed: 1,
        inner_retweets_fast: 0,
        inner_median_delay_ms: Some(70_866_000),
        inner_delay_quartiles_ms: Some((70_866_000, 70_866_000)),
        fast_null: Some(0.32),
        ..Evidence::default()
    };
    let mut c = flagged_with([19, 1, 0], one_retweet);
    let said = explain(&c);
    assert!(
        said.contains(
            "made 1 retweet of each other (0.04% of all the retweets they made whose source is \
             known), delay 19h41m6s, 0 of 1 within 5 min (too few to weigh)"
        ),
        "{said}"
    );
    assert!(
        !said.contains("middle half") && !said.contains("null expectation"),
        "{said}"
    );
    let e = &mut c.evidence;
    (
        e.inner_retweets,
        e.inner_retweets_timed,
        e.inner_retweets_fast,
    ) = (40, 40, 36);
    (e.inner_median_delay_ms, e.inner_delay_quartiles_ms) = (Some(91_000), Some((47_000, 178_000)));
    let said = explain(&c);
    assert!(
        said.contains(
            "median delay 91s (middle half 47s-178s), 90% within 5 min (null expectation 32%, \
             the data's retweets)"
        ),
        "{said}"
    );
}

/// A plain-language account of the score: its [lines](explain_lines) joined by "; ".
pub fn explain(c: &Cluster) -> String {
    explain_lines(c).join("; ")
}

/// The account of the score line by line, one for each kind of evidence (retweets among
/// members, co-actions, shared hours, weekly profiles, creation dates, copied texts, hashtags);
/// no line holds "; ", so the joined account splits back into them.
pub fn explain_lines(c: &Cluster) -> Vec<String> {
    let e = &c.evidence;
    let mut s = Vec::new();
    if e.inner_retweets > 0 {
        let mut line = format!(
            "{} ({}) made {} of each other ({} of all the retweets they made whose source is \
             known)",
            counted(c.size, "member"),
            roles_said(c),
            counted(e.inner_retweets as usize, "retweet"),
            pct(e.inner_retweets as f64 / e.retweets_known.max(1) as f64)
        );
        if let (Some(d), Some((q1, q3))) = (e.inner_median_delay_ms, e.inner_delay_quartiles_ms) {
            let (timed, fast) = (e.inner_retweets_timed, e.inner_retweets_fast);
            // A median and a middle half of one to three delays would dress up so few as a
            // distribution: those are said as they are.
            line.push_str(&match timed {
                1 => format!(", delay {}", format_duration(d)),
                2 | 3 => format!(", median delay {}", format_duration(d)),
                _ => format!(
                    ", median delay {} (middle half {}-{})",
                    format_duration(d),
                    format_duration(q1),
                    format_duration(q3)
                ),
            });
            // Fewer than the synchrony part needs are not weighed: no share, no null.
            if timed < parts::MIN_SUPPORT {
                line.push_str(&format!(
                    ", {fast} of {timed} within 5 min (too few to weigh)"
                ));
            } else {
                let share = fast as f64 / timed as f64;
                line.push_str(&format!(", {} within 5 min", pct(share)));
                if let Some(null) = e.fast_null {
                    let whose = e.fast_null_from.retweets();
                    line.push_str(&format!(" (null expectation {}, {whose})", pct(null)));
                    // Read beside the other figures, a share under its null passes for evidence.
                    if share <= null {
                        line.push_str(", so no faster than chance");
                    }
                }
            }
        }
        s.push(line);
    } else {
        // Retweets whose source the data does not name (or none at all) cannot show it. With
        // no amplification among them to go by, the roles rest on each account's own posts.
        let none = match e.retweets_known > 0 {
            true => "with no retweets of each other",
            false => "with no retweet whose source the data names",
        };
        s.push(format!(
            "{} ({}: roles by whether most of each one's tweets are its own) {none}",
            counted(c.size, "account"),
            roles_said(c)
        ));
    }
    if e.co_actions > 0 {
        s.push(format!(
            "{} of {} co-actions on shared items within 5 min of another member (time-shifted \
             null {})",
            pct(e.synced as f64 / e.co_actions as f64),
            e.co_actions,
            pct(e.synced_null / e.co_actions as f64)
        ));
    }
    let r = &e.rhythm;
    if let (Some(null), true) = (r.shared_null, r.shared_hours > 0) {
        let shared = r.shared_hours as f64 / r.active_hours as f64;
        s.push(format!(
            "{} of members' active hours shared with {}+ other members (day-shifted null {}{})",
            pct(shared),
            r.burst_members,
            pct(null),
            if shared <= null {
                ", so no more than chance"
            } else {
                ""
            }
        ));
    }
    // A shared weekly schedule is worth a mention only where it stands out.
    if let (Some(sim), Some(null)) = (r.profile_similarity, r.profile_null) {
        if sim > null + 0.05 {
            s.push(format!(
                "hour-of-week profiles of {} members at mean cosine {sim:.2} (matched random \
                 accounts {null:.2})",
                r.profiled
            ));
        }
    }
    if let Some(b) = c.parts.get(Part::CreationBurst).filter(|&b| b > 0.2) {
        s.push(format!(
            "{} of accounts created within one 30-day span ({}: {}, creation_burst {:.2})",
            pct(e.created_in_burst as f64 / e.created_known.max(1) as f64),
            e.burst_null_from.accounts(),
            pct(e.burst_null),
            b
        ));
    }
    if e.duplicated_texts > 0 {
        s.push(format!(
            "{} of own texts also posted by another member",
            pct(e.duplicated_texts as f64 / e.own_texts.max(1) as f64)
        ));
    }
    if let Some((tag, n)) = c.profile.top_hashtags.first() {
        s.push(format!("top hashtag #{tag} ({n} tweets)"));
        s.push(format!(
            "{} of hashtag use on tags the cluster owns",
            pct(e.owned_hashtag_uses / e.hashtag_uses.max(1) as f64)
        ));
    }
    s
}
