//! What the input is: a takedown archive (only the removed accounts, every one a suspect) or
//! a mixed collection (a keyword or hashtag collection, mostly ordinary accounts).
//!
//! The two need different questions answered. In a collection, coordinated clusters stand
//! out against the data's own ordinary accounts; in an archive there are no ordinary
//! accounts, and the job is to split the suspects into operations. The data tells which it
//! is: a collection has a background, most of its activity coming from accounts that do not
//! act in concert, while in an archive most of the activity comes from accounts in clusters
//! that score as coordinated even against the data's own nulls. So the collection pipeline
//! runs first, and the input is taken for an archive when at least
//! `DetectConfig::archive_tweet_share` (one half) of its tweets come from accounts in
//! clusters flagged at the default threshold (whatever the analyst's), in the collection's
//! answer as given: members held by one event out (`one_tie`). Measured: 0.58-0.95 on real
//! and generated archives, 0.00-0.34 on real and generated collections
//! (`docs/performance.md`). The analyst can say instead.

use super::groups::Groups;
use super::{DetectConfig, Detection};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::graphs::retweet::Source;
use crate::scoring::{Background, NO_CLUSTER};

/// What the input is, or `Auto` to work it out from the data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    #[default]
    Auto,
    /// A takedown archive: only suspects, to be split into operations.
    Archive,
    /// A mixed collection: coordinated clusters among ordinary accounts.
    Collection,
}

impl InputKind {
    pub const ALL: [InputKind; 3] = [InputKind::Auto, InputKind::Archive, InputKind::Collection];

    pub const fn name(self) -> &'static str {
        match self {
            InputKind::Auto => "auto",
            InputKind::Archive => "archive",
            InputKind::Collection => "collection",
        }
    }
}

impl std::str::FromStr for InputKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<InputKind, String> {
        crate::shown::by_name(&InputKind::ALL, InputKind::name, s, "input kind")
    }
}

/// What the input was taken for, and why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct InputDecision {
    pub kind: InputKind,
    /// `data` (worked out) or `setting` (the analyst said).
    pub decided_by: &'static str,
    /// Share of tweets from accounts in clusters flagged by the collection pipeline, which
    /// decides the kind (an archive's operations, split after, flag others: `counts`).
    pub coordinated_tweet_share: Option<f64>,
    pub reason: String,
    /// Where the parts found their ordinary accounts.
    pub background: &'static str,
    /// What the analyst should know about that comparison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<String>,
}

impl InputDecision {
    /// A placeholder until the pipeline decides.
    pub fn unset(background: crate::scoring::Background) -> InputDecision {
        InputDecision {
            kind: InputKind::Auto,
            decided_by: "",
            coordinated_tweet_share: None,
            reason: String::new(),
            background: background.name(),
            caution: None,
        }
    }

    /// `share` is measured by the collection pipeline's scores, against `measured_against`;
    /// the parts are then scored against `background`.
    pub fn new(
        kind: InputKind,
        config: &DetectConfig,
        share: Option<f64>,
        measured_against: &'static str,
        background: &'static str,
    ) -> InputDecision {
        let default = DetectConfig::default().threshold;
        let at = match config.threshold == default {
            true => String::new(),
            false => format!(" (at the default threshold, {default})"),
        };
        let whose = format!(
            "accounts in clusters flagged as coordinated{at} against {measured_against}, \
             scored as a collection"
        );
        InputDecision::decided(kind, config, share, &whose, background)
    }

    /// [`InputDecision::new`], with `share` the share of the tweets from `whose` accounts.
    fn decided(
        kind: InputKind,
        config: &DetectConfig,
        share: Option<f64>,
        whose: &str,
        background: &'static str,
    ) -> InputDecision {
        let pct = |s: f64| format!("{:.0}%", 100.0 * s);
        let what = match kind {
            InputKind::Archive => "a takedown archive",
            _ => "a mixed collection",
        };
        let (decided_by, reason) = match (config.input_kind, share) {
            (InputKind::Auto, Some(s)) => {
                let side = if kind == InputKind::Archive {
                    "at least"
                } else {
                    "below"
                };
                // The shares said later are of the clusters scored again, so they differ.
                let again = match kind {
                    InputKind::Archive => {
                        ", whose clusters are then scored again against figures from outside \
                         it (built in, or a control collection's)"
                    }
                    _ => "",
                };
                let reason = format!(
                    "{} of the tweets come from {whose}, {side} the {} that marks an archive: \
                     {what}{again}",
                    pct(s),
                    pct(config.archive_tweet_share),
                );
                ("data", reason)
            }
            _ => ("setting", format!("taken for {what}, as set")),
        };
        InputDecision {
            kind,
            decided_by,
            coordinated_tweet_share: share,
            reason,
            background,
            caution: None,
        }
    }
}

/// The share of the tweets at which an analyst's groups hold all of the data.
const WHOLE_DATA: f64 = 0.99;

/// What an analyst's own groups of accounts (`cluster_of`, `NO_CLUSTER` for the rest) are
/// scored against, and why. A control collection, when given, is the background. Else the
/// data's other accounts are, unless the input is an archive: when the groups post at least
/// `archive_tweet_share` of the tweets (or the analyst says so), what is left of the data is
/// other suspects or too little to stand for ordinary accounts, and the parts compare with
/// the reference figures instead, as `detect` does for an archive.
pub fn background_for_groups<'a>(
    data: &Dataset,
    cluster_of: &[u32],
    config: &DetectConfig,
    control: Option<(&'a Dataset, &'a [Option<Source>])>,
) -> Result<(InputDecision, Background<'a>)> {
    super::check_groups(data, cluster_of, None)?;
    let grouped = (data.account.iter())
        .filter(|&&u| cluster_of[u as usize] != NO_CLUSTER)
        .count();
    let share = grouped as f64 / data.tweets().max(1) as f64;
    let kind = match config.input_kind {
        InputKind::Auto if share >= config.archive_tweet_share => InputKind::Archive,
        InputKind::Auto => InputKind::Collection,
        set => set,
    };
    let background = Background::of(control, kind == InputKind::Archive);
    let mut decision = InputDecision::decided(
        kind,
        config,
        Some(share),
        "the listed accounts",
        background.name(),
    );
    // Groups that split the whole data (a labelled file with its ordinary accounts as a
    // group) leave nothing ordinary to compare with: against platform-wide figures, a group
    // of ordinary accounts whose retweets and hashtags stay inside the data looks closed.
    let groups = cluster_of.iter().filter(|&&c| c != NO_CLUSTER).max();
    let whole = control.is_none() && share >= WHOLE_DATA && groups.is_some_and(|&g| g > 0);
    if whole && kind == InputKind::Collection {
        // Set so by the analyst: "the data's own accounts" are then the other groups.
        decision.caution = Some(
            "the groups hold all of the data: taken for a collection, as set, each group is \
             compared with the other groups' accounts, not with ordinary ones; a control \
             collection of ordinary accounts' tweets gives it a fair comparison"
                .into(),
        );
    } else if whole && decision.decided_by == "data" {
        decision.caution = Some(
            "the groups hold all of the data: a group of ordinary accounts among them is \
             compared with platform-wide figures too, and looks closed, its retweets and \
             hashtags all inside the data; a control collection of ordinary accounts' tweets \
             gives it a fair comparison"
                .into(),
        );
    }
    Ok((decision, background))
}

/// Share of the data's tweets from accounts in clusters of `d` that score at least the
/// default threshold, or of `trimmed` (`d`'s clusters with members held by one event taken
/// out) where any were: what decides the input.
pub(super) fn coordinated_tweet_share(d: &Detection, trimmed: Option<&Groups>) -> f64 {
    // What the input is does not move with `--threshold`: lowered, it would flag ordinary
    // clusters and turn a collection into an archive, changing the whole method.
    let threshold = DetectConfig::default().threshold;
    let (cluster_of, scores): (&[u32], Vec<f64>) =
        match trimmed.and_then(|g| Some((g, g.measured.as_ref()?))) {
            Some((g, measured)) => (
                &g.cluster_of,
                measured.iter().map(|(p, _)| p.score()).collect(),
            ),
            None => (&d.cluster_of, d.clusters.iter().map(|c| c.score).collect()),
        };
    let (mut all, mut flagged) = (0u64, 0u64);
    for (&t, &c) in d.activity.tweets.iter().zip(cluster_of) {
        all += t as u64;
        if c != NO_CLUSTER && scores[c as usize] >= threshold {
            flagged += t as u64;
        }
    }
    flagged as f64 / all.max(1) as f64
}
