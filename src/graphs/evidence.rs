//! Evidence: why two accounts are linked. The edge keeps its counts and one exemplar item;
//! `evidence` goes back to the actions and lists every shared item with both times.

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

/// Every item both `a` and `b` acted on, with the closest pair of their actions on it.
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
        let (mut best, mut best_d) = ((ta[0], tb[0]), i64::MAX);
        for &x in &ta {
            for &y in &tb {
                if (y - x).abs() < best_d {
                    best_d = (y - x).abs();
                    best = (x, y);
                }
            }
        }
        out.push(Evidence {
            item: act.item_label(data, g),
            time_a_ms: best.0,
            time_b_ms: best.1,
            delay_ms: best_d,
            within_window: best_d <= window,
        });
    }
    out.sort_by_key(|e| e.time_a_ms.min(e.time_b_ms));
    out
}
