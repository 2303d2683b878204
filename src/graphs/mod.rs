//! Graphs: the account networks coordination shows up in.
//!
//! - the **retweet graph** (directed, amplifier -> source, with retweet delays), recovering
//!   sources from `RT @name:` and, where the layout lost them, from exact text matches;
//! - **co-action graphs** (undirected): two accounts acted on the same item (retweeted tweet,
//!   hashtag, URL, mentioned account, replied-to tweet, normalized text, or near-duplicate text)
//!   within a time window.
//!
//! Every co-action edge carries its evidence counts and three weights that correct for
//! activity in different ways: the IDF-weighted count, the TF-IDF cosine, and a z-score and
//! p-value against a shuffled (configuration-model) null. All graphs go into one CSR store.
//!
//! ```
//! use coordnet::graphs::{coaction_graph, CoactionKind, GraphOptions, Window};
//! use coordnet::{ingest, IngestOptions};
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("shares.csv");
//! std::fs::write(&path, "object_id,account_id,content_id,timestamp_share\n\
//!     o1,alice,c1,100\no1,bob,c2,104\no2,alice,c3,500\no2,bob,c4,530\n").unwrap();
//! let (data, _) = ingest(&[path], &IngestOptions::default()).unwrap();
//! let opts = GraphOptions { window: Window::Fixed(10_000), ..Default::default() };
//! let p = coaction_graph(&data, CoactionKind::CoRetweet, &opts).unwrap();
//! assert_eq!(p.edges.len(), 1);
//! assert_eq!(p.edges[0].pairs, 1); // o2's shares are 30 s apart: outside the window
//! ```

pub mod actions;
pub mod coaction;
pub mod counting;
pub mod edge_list;
pub mod evidence;
pub mod fusion;
pub mod held;
pub mod originals;
pub mod profiles;
pub mod retweet;
pub mod significance;
pub mod similarity;
pub mod store;
pub mod text_norm;
pub mod window;

pub use actions::{ActionFilter, Actions};
pub use coaction::{CoEdge, PairUnit, Projection, ProjectionStats};
pub use counting::{PairCount, PairCounter, PairJob};
pub use fusion::{fuse, Fused, FusedEdge, FusedEdges, FusionOptions, KindStats};
pub use retweet::{retweet_graph, RetweetEdge, RetweetGraph};
pub use store::Graph;
pub use window::{estimate_window, Window, WindowEstimate};

use crate::dataset::Dataset;
use crate::error::{Error, Result, Setting};

/// The co-action graph kinds.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum CoactionKind {
    /// Retweeted the same tweet.
    CoRetweet,
    /// Replied to the same tweet.
    CoReply,
    CoHashtag,
    /// Shared the same normalized URL.
    CoUrl,
    /// Mentioned the same account.
    CoMention,
    /// Posted the same normalized text.
    CoTweet,
    /// Posted near-duplicate texts (MinHash over word shingles).
    CoSimilar,
}

impl CoactionKind {
    pub const ALL: [CoactionKind; 7] = [
        CoactionKind::CoRetweet,
        CoactionKind::CoReply,
        CoactionKind::CoHashtag,
        CoactionKind::CoUrl,
        CoactionKind::CoMention,
        CoactionKind::CoTweet,
        CoactionKind::CoSimilar,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CoactionKind::CoRetweet => "co-retweet",
            CoactionKind::CoReply => "co-reply",
            CoactionKind::CoHashtag => "co-hashtag",
            CoactionKind::CoUrl => "co-url",
            CoactionKind::CoMention => "co-mention",
            CoactionKind::CoTweet => "co-tweet",
            CoactionKind::CoSimilar => "co-similar",
        }
    }

    /// What the shared item is, in words.
    pub fn item_noun(self) -> &'static str {
        match self {
            CoactionKind::CoRetweet => "retweeted tweet",
            CoactionKind::CoReply => "replied-to tweet",
            CoactionKind::CoHashtag => "hashtag",
            CoactionKind::CoUrl => "URL",
            CoactionKind::CoMention => "mentioned account",
            CoactionKind::CoTweet => "text",
            CoactionKind::CoSimilar => "near-duplicate text",
        }
    }

    /// Whose posts this kind's items come from, as said after "shared hashtags": a retweet's
    /// hashtags, links, mentions and text are the retweeted post's, so only co-retweet counts
    /// retweets, and two accounts retweeting the same tags share none of them here.
    pub fn whose_items(self) -> &'static str {
        match self {
            CoactionKind::CoRetweet | CoactionKind::CoReply => "",
            _ => " in their own posts (their retweets count only for co-retweet)",
        }
    }
}

impl std::str::FromStr for CoactionKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<CoactionKind, String> {
        crate::shown::by_name(&CoactionKind::ALL, CoactionKind::name, s, "co-action kind")
    }
}

/// Any graph `coordnet graph` can build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GraphKind {
    Retweet,
    Coaction(CoactionKind),
}

impl GraphKind {
    pub fn name(self) -> &'static str {
        match self {
            GraphKind::Retweet => "retweet",
            GraphKind::Coaction(k) => k.name(),
        }
    }

    pub const ALL: [GraphKind; 8] = [
        GraphKind::Retweet,
        GraphKind::Coaction(CoactionKind::CoRetweet),
        GraphKind::Coaction(CoactionKind::CoReply),
        GraphKind::Coaction(CoactionKind::CoHashtag),
        GraphKind::Coaction(CoactionKind::CoUrl),
        GraphKind::Coaction(CoactionKind::CoMention),
        GraphKind::Coaction(CoactionKind::CoTweet),
        GraphKind::Coaction(CoactionKind::CoSimilar),
    ];
}

impl GraphKind {
    /// Whether building it reads the tweets' texts: the retweet graphs (sources from
    /// `RT @name:`, retweets without their post's id keyed by text) and the text graphs. A
    /// run that builds no such graph need not keep them.
    pub fn reads_texts(self) -> bool {
        matches!(
            self,
            GraphKind::Retweet
                | GraphKind::Coaction(
                    CoactionKind::CoRetweet | CoactionKind::CoTweet | CoactionKind::CoSimilar
                )
        )
    }
}

impl std::str::FromStr for GraphKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<GraphKind, String> {
        crate::shown::by_name(&GraphKind::ALL, GraphKind::name, s, "graph kind")
    }
}

/// Settings for building one co-action graph.
#[derive(Clone, Debug)]
pub struct GraphOptions {
    /// How far apart two actions on one item may be and still pair.
    pub window: Window,
    /// An estimated window is at most this long (a window of days pairs everything).
    pub max_auto_window_ms: i64,
    /// Accounts with fewer actions of this kind take no part (CooRTweet's `min_participation`).
    pub min_participation: u32,
    /// Edges with fewer co-action pairs are dropped.
    pub min_pairs: u32,
    /// Each action pairs with at most this many later actions of its item inside the window.
    pub max_neighbors: u32,
    /// Also apply CooRTweet's second participation filter: keep an edge only if one of its
    /// accounts has at least `min_participation` actions that were paired.
    pub coortweet_participation: bool,
    /// Which rows' items count (texts too short to compare, for example).
    pub filter: ActionFilter,
    /// Jaccard similarity above which two texts are near-duplicates (co-similar).
    pub similarity: f64,
    /// Where detect's pairs (co-action pairs in the window, retweets by amplifier and source)
    /// are counted and tested: here by default, or across the processes of a run.
    pub counter: counting::Counter,
    /// Where the rows are held, whose holders do the graphs' work on them: all here by
    /// default, or apart across the processes of a run.
    pub holders: held::Holders,
    /// Pairing stops, saying so, once the process holds more than this (the run's memory
    /// budget; `None`: no check). Set by the caller from its own budget.
    pub memory_limit: Option<u64>,
    /// Kinds pairing at once, which share what the budget has left.
    pub lanes: u32,
}

impl GraphOptions {
    /// Refuse settings that no data can make work, before any is read.
    pub fn validate(&self) -> Result<()> {
        if let Window::Fixed(ms @ ..=0) = self.window {
            let given = match ms {
                0 => "0s".to_string(),
                _ => format!("{ms} ms"),
            };
            return Err(Error::config(format!(
                "a window of {given} pairs no two actions; use one at least as long as the \
                 data's time resolution (1s for timestamps to the second, 1m for those to the \
                 minute; 10s, 5m), or none for the whole period"
            ))
            .with_setting(Setting::Window { at_least_ms: 1000 }));
        }
        similarity::check_similarity(self.similarity)
    }
}

impl Default for GraphOptions {
    fn default() -> GraphOptions {
        GraphOptions {
            window: Window::Fixed(60_000),
            max_auto_window_ms: 3_600_000,
            min_participation: 2,
            min_pairs: 1,
            max_neighbors: 1000,
            coortweet_participation: false,
            filter: ActionFilter::default(),
            similarity: 0.7,
            counter: counting::Counter::default(),
            holders: held::Holders::default(),
            memory_limit: None,
            lanes: 1,
        }
    }
}

/// `kind`'s actions in `data`: near-duplicate text clusters for co-similar, else the rows'
/// own items.
pub fn coaction_actions(
    data: &Dataset,
    kind: CoactionKind,
    opts: &GraphOptions,
) -> Result<Actions> {
    match kind {
        CoactionKind::CoSimilar => similarity::near_duplicate_actions(data, opts),
        _ => Ok(actions::collect(data, kind, &opts.filter)),
    }
}

/// Collect `kind`'s actions from `data` and project them onto account pairs. Where the rows
/// are held apart ([`coaction::items_apart`]), their holders take the actions to their items'
/// owners, which pair them into their parts of the edges.
pub fn coaction_graph(
    data: &Dataset,
    kind: CoactionKind,
    opts: &GraphOptions,
) -> Result<Projection> {
    if opts.holders.apart().is_some() && opts.coortweet_participation {
        return Err(Error::config(
            "CooRTweet's participation filter counts on one process, where every row is",
        ));
    }
    if let Some(apart) = coaction::items_apart(opts) {
        // Retweets that lost their target share the original their text is found in.
        let sources = match kind {
            CoactionKind::CoRetweet => opts.holders.sources(data)?.0.by_row,
            _ => Vec::new(),
        };
        let (owned, whole) = apart.take_items(data, kind, opts, &sources)?;
        return coaction::project_owned_edges(data, apart, owned, whole, opts);
    }
    let actions = coaction_actions(data, kind, opts)?;
    coaction::project(data, actions, opts)
}

/// The retweet graph of `data`; where its rows are held apart ([`GraphOptions::holders`]),
/// from what each holder's rows add to it, with the sources found across the processes.
pub fn retweet_graph_held(data: &Dataset, opts: &GraphOptions) -> Result<RetweetGraph> {
    match opts.holders.apart() {
        Some(apart) => {
            let (sources, _) = apart.sources(data)?;
            Ok(retweet::from_part(apart.retweet_part(data, &sources)?))
        }
        None => Ok(retweet_graph(data)),
    }
}

/// `90s`, `5m`, `2h`, `1d`, `1h30m`, `1500ms`, a bare number of seconds, or `none` (no
/// window).
pub fn parse_duration(s: &str) -> Result<Option<i64>> {
    let t = s.trim().to_ascii_lowercase();
    if matches!(t.as_str(), "none" | "inf" | "all") {
        return Ok(None);
    }
    let bad = || {
        Error::config(format!(
            "cannot read the duration '{s}'; write it like 10s, 90s, 5m, 1h30m, 1d or none"
        ))
    };
    let mut total = 0.0;
    let mut rest = t.as_str();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let split = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, tail) = rest.split_at(split);
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_len);
        let factor = match unit.trim() {
            "ms" => 1.0,
            "" | "s" | "sec" | "secs" => 1e3,
            "m" | "min" | "mins" => 60e3,
            "h" | "hour" | "hours" => 3600e3,
            "d" | "day" | "days" => 86_400e3,
            _ => return Err(bad()),
        };
        let x: f64 = num.parse().map_err(|_| bad())?;
        total += x * factor;
        rest = next;
    }
    // Beyond a century a window is no longer a window, and beyond i64 milliseconds it wraps.
    if total > LONGEST_DURATION_MS as f64 {
        return Err(Error::config(format!(
            "the duration '{s}' is longer than a century; for no window at all write none"
        )));
    }
    Ok(Some(total.round() as i64))
}

const LONGEST_DURATION_MS: i64 = 36_525 * 86_400_000;

/// A duration as the user would write it: `1m`, `90s`, `1h30m`, `1500ms`.
pub fn format_duration(ms: i64) -> String {
    if ms < 1000 || ms % 1000 != 0 {
        if ms >= 10_000 {
            return format_duration(ms.saturating_add(500) / 1000 * 1000);
        }
        return format!("{ms}ms");
    }
    let mut s = ms / 1000;
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if s >= size {
            out.push_str(&format!("{}{unit}", s / size));
            s %= size;
        }
    }
    // Keep short forms for the common cases: 90s reads better than 1m30s.
    if ms < 600_000 && ms % 60_000 != 0 {
        return format!("{}s", ms / 1000);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_and_print() {
        assert_eq!(parse_duration("60s").unwrap(), Some(60_000));
        assert_eq!(parse_duration("10").unwrap(), Some(10_000));
        assert_eq!(parse_duration("1.5m").unwrap(), Some(90_000));
        assert_eq!(parse_duration("none").unwrap(), None);
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert_eq!(format_duration(60_000), "1m");
        assert_eq!(format_duration(90_000), "90s");
        assert_eq!(format_duration(1500), "1500ms");
        assert_eq!(parse_duration("1h30m").unwrap(), Some(5_400_000));
        assert_eq!(format_duration(5_400_000), "1h30m");
        assert_eq!(format_duration(98_223_232), "1d3h17m3s");
        // Found by fuzzing: these overflowed i64 milliseconds.
        assert!(parse_duration("181881511818815122").is_err());
        assert!(parse_duration("1200100000005d10550").is_err());
        assert_eq!(parse_duration("36525d").unwrap(), Some(LONGEST_DURATION_MS));
        assert!(!format_duration(i64::MAX).is_empty());
        assert_eq!(
            parse_duration(&format_duration(98_223_000)).unwrap(),
            Some(98_223_000)
        );
    }
}
