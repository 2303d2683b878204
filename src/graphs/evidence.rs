//! Evidence: why two accounts are linked. The edge keeps its counts and one exemplar item;
//! `evidence` goes back to the actions and lists every pair the edge counts, with both times;
//! `retweets_between` lists the retweets between two accounts.

use super::retweet::{self, SourceFrom};
use super::Projection;
use crate::dataset::time::format_iso;
use crate::dataset::Dataset;

/// One co-action between two accounts: the item and when each acted on it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Evidence {
    pub item: String,
    pub time_a_ms: i64,
    pub time_b_ms: i64,
    /// |time_b - time_a|.
    pub delay_ms: i64,
    /// Whether the two actions fall within the projection's window.
    pub within_window: bool,
}

/// Every pair of `a`'s and `b`'s actions on an item within the window (the pairs the edge
/// counts), and for an item they share only further apart, its closest pair.
pub fn evidence(data: &Dataset, p: &Projection, a: u32, b: u32) -> Vec<Evidence> {
    let act = &p.actions;
    let window = p.window_ms.unwrap_or(i64::MAX);
    let mut out = Vec::new();
    for g in 0..act.items() {
        let range = act.item(g);
        let times = |who: u32| -> Vec<i64> {
            range
                .clone()
                .filter(|&i| act.account[i] == who)
                .map(|i| act.time_ms[i])
                .collect()
        };
        if !act.account[range.clone()].contains(&a) || !act.account[range.clone()].contains(&b) {
            continue;
        }
        let (ta, tb) = (times(a), times(b));
        let item = act.item_label(data, g);
        let pair = |x: i64, y: i64| Evidence {
            item: item.clone(),
            time_a_ms: x,
            time_b_ms: y,
            delay_ms: (y - x).abs(),
            within_window: (y - x).abs() <= window,
        };
        let all = || (ta.iter()).flat_map(|&x| tb.iter().map(move |&y| pair(x, y)));
        let before = out.len();
        out.extend(all().filter(|e| e.within_window));
        if out.len() == before {
            out.extend(all().min_by_key(|e| e.delay_ms));
        }
    }
    out.sort_by_key(|e| (e.time_a_ms.min(e.time_b_ms), e.time_a_ms, e.time_b_ms));
    out
}

/// One retweet by either account of the other's post.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RetweetEvidence {
    /// The retweeting account, as the input names it.
    pub retweeter: String,
    pub time: String,
    /// The original's time where its row is in the data.
    pub original_time: Option<String>,
    pub delay_ms: Option<i64>,
    /// Where the source was found: the record, `RT @name:` in the text, or matching text.
    pub source_from: SourceFrom,
    /// The retweeted tweet's id where the data gives one (a string, as the API's `id_str`:
    /// JSON readers lose digits of larger numbers).
    pub original_id: Option<String>,
}

/// The retweets between two accounts, each direction counted and tested.
#[derive(Clone, Debug)]
pub struct RetweetsBetween {
    /// How often `a` retweeted `b`, and `b` retweeted `a`.
    pub made: [u32; 2],
    /// Each direction's p-value against the retweet graph's null (none where it never happened).
    pub p_value: [Option<f64>; 2],
    /// In the data's order.
    pub retweets: Vec<RetweetEvidence>,
}

impl RetweetsBetween {
    /// Direction `d` (0: `a` retweeted `b`; 1: the other way) in a sentence, the accounts
    /// named `who` and `whom`.
    pub fn said(&self, d: usize, who: &str, whom: &str, alpha: f64) -> String {
        match self.p_value[d] {
            Some(p) => format!(
                "{who} retweeted {whom} {} (p {} against the retweet graph's null, {})",
                crate::shown::counted(self.made[d] as usize, "time"),
                super::significance::p_shown(p),
                match p <= alpha {
                    true => "an edge",
                    false => "not significant",
                }
            ),
            None => format!("{who} never retweeted {whom}"),
        }
    }
}

/// Every retweet `a` made of `b`'s posts and `b` of `a`'s, with the test the retweet graph
/// applies to each direction.
pub fn retweets_between(data: &Dataset, a: u32, b: u32, alpha: f64) -> RetweetsBetween {
    let found = retweet::sources(data);
    let keys = retweet::pair_keys(data, &found, std::slice::from_ref(&(0..data.len())));
    let test = retweet::RetweetTest::new(&keys, data.accounts.len(), alpha);
    let mut retweets = Vec::new();
    let mut made = [0u32; 2];
    for (r, source) in found.iter().enumerate() {
        let Some(source) = source else { continue };
        let (by, of) = (data.account[r], source.account());
        let direction = match (by, of) {
            _ if (by, of) == (a, b) => 0,
            _ if (by, of) == (b, a) => 1,
            _ => continue,
        };
        made[direction] += 1;
        let original = source.original_row().map(|o| o as usize);
        let original_id = original
            .map(|o| data.tweet_id[o])
            .or(Some(data.target_tweet[r]))
            .filter(|&id| id != 0)
            .map(|id| id.to_string());
        retweets.push(RetweetEvidence {
            retweeter: data.accounts.key(by).to_string(),
            time: format_iso(data.time_ms[r]),
            original_time: original.map(|o| format_iso(data.time_ms[o])),
            delay_ms: source.delay_ms(data, r),
            source_from: source.from(),
            original_id,
        });
    }
    let p_value = |(x, y): (u32, u32), n: u32| {
        retweet::pair_key(x, y)
            .filter(|_| n > 0)
            .map(|k| test.p_value(k, n))
    };
    RetweetsBetween {
        p_value: [p_value((a, b), made[0]), p_value((b, a), made[1])],
        made,
        retweets,
    }
}
