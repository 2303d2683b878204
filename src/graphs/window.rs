//! Choosing a time window from the data, as CooRnet does for links, for any co-action.
//!
//! For every item acted on at least `min_actions` times, take the time from its first action
//! to the action at which half of its actions have happened. Coordinated sharing reaches that
//! point fast; organic spread takes hours. The window is the `quantile` (10% by default) of
//! these times over items: the speed of the fastest tenth of items, which is where
//! coordination, if any, lives. It is never shorter than the data's time resolution.

use super::actions::Actions;
use super::format_duration;

/// A window chosen from the data, and why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct WindowEstimate {
    pub window_ms: i64,
    pub items_used: usize,
    pub quantile: f64,
    pub explanation: String,
}

pub fn estimate_window(actions: &Actions, quantile: f64, min_actions: usize) -> WindowEstimate {
    let floor = actions.coarsest.millis().max(1000);
    let mut half_times: Vec<i64> = (0..actions.groups())
        .filter_map(|g| {
            let t = &actions.time_ms[actions.group(g)];
            (t.len() >= min_actions.max(2)).then(|| t[(t.len() - 1) / 2] - t[0])
        })
        .collect();
    if half_times.is_empty() {
        return WindowEstimate {
            window_ms: 60_000,
            items_used: 0,
            quantile,
            explanation: format!(
                "no item has {} or more actions; using the default window of 1m",
                min_actions.max(2)
            ),
        };
    }
    half_times.sort_unstable();
    let q = quantile.clamp(0.0, 1.0);
    let at = half_times[((half_times.len() - 1) as f64 * q).round() as usize];
    let window_ms = at.max(floor);
    let median = half_times[(half_times.len() - 1) / 2];
    let explanation = format!(
        "{:.0}% of the {} items with {}+ actions reach half of their actions within {} of the \
         first (median item: {}); window = {}{}",
        q * 100.0,
        half_times.len(),
        min_actions.max(2),
        format_duration(at),
        format_duration(median),
        format_duration(window_ms),
        if at < floor {
            format!(
                " (raised to the data's time resolution of {})",
                format_duration(floor)
            )
        } else {
            String::new()
        }
    );
    WindowEstimate {
        window_ms,
        items_used: half_times.len(),
        quantile: q,
        explanation,
    }
}
