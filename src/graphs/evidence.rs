//! Evidence: why two accounts are linked. The edge keeps its counts and one exemplar item;
//! `evidence` goes back to the actions and lists every pair the edge counts, with both times.

use super::Projection;
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
