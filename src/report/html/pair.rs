//! `coordnet explain A B --html FILE`: one pair's evidence as a page of the report's kind: the
//! shared items of a co-action edge, or the retweets between them.

use super::charts;
use super::page::{esc, Cell, Page};
use crate::dataset::time::format_iso;
use crate::dataset::Dataset;
use crate::graphs::evidence::{Evidence, RetweetsBetween};
use crate::graphs::{format_duration, CoEdge, Projection};
use crate::scoring::rhythm::hour_of_week;
use std::fmt::Write;

/// The page for accounts `a` and `b` in projection `p`.
pub fn pair_page(
    data: &Dataset,
    p: &Projection,
    a: u32,
    b: u32,
    edge: Option<&CoEdge>,
    items: &[Evidence],
) -> String {
    let window = p
        .window_ms
        .map_or("the whole period".into(), format_duration);
    let lead = format!("{} within {}.", p.kind.name(), window);
    let (mut page, na, nb) = titled(data, a, b, &lead);
    match edge {
        Some(e) => {
            let _ = write!(
                page.html,
                "<p>{} co-action pairs on {} shared items (closest {:.1} s apart, mean {:.1} s); \
                 {:.3} pairs expected if accounts were shuffled over the same action slots: \
                 z = {:.1}, p {}. TF-IDF cosine of their items {:.3}.</p>",
                e.pairs,
                e.items,
                e.min_delay_ms as f64 / 1e3,
                e.mean_delay_ms / 1e3,
                e.expected_pairs,
                e.z,
                crate::graphs::significance::p_shown(e.p_value),
                e.cosine
            );
        }
        None => page.push("<p>No edge between them with these settings.</p>"),
    }
    weeks(&mut page, data, [(a, &na), (b, &nb)]);
    let _ = write!(
        page.html,
        "<h2>Shared {}s{}</h2>",
        esc(p.kind.item_noun()),
        esc(p.kind.whose_items())
    );
    let rows: Vec<Vec<Cell>> = items
        .iter()
        .map(|e| {
            vec![
                Cell::text(&e.item),
                Cell::text(&format_iso(e.time_a_ms)),
                Cell::text(&format_iso(e.time_b_ms)),
                Cell::num(
                    e.delay_ms as f64 / 1e3,
                    format!("{:.1} s", e.delay_ms as f64 / 1e3),
                ),
                Cell::text(if e.within_window { "yes" } else { "no" }),
            ]
        })
        .collect();
    let time_a = format!("time of {na}");
    let time_b = format!("time of {nb}");
    page.table(
        "items",
        &["item", &time_a, &time_b, "delay", "within the window"],
        &rows,
    );
    page.finish()
}

/// The page for the retweets between accounts `a` and `b`, each direction tested at `alpha`.
pub fn retweets_page(
    data: &Dataset,
    a: u32,
    b: u32,
    between: &RetweetsBetween,
    alpha: f64,
) -> String {
    let (mut page, na, nb) = titled(data, a, b, "retweets either made of the other's posts.");
    let _ = write!(
        page.html,
        "<p>{}.</p><p>{}.</p>",
        esc(&between.said(0, &na, &nb, alpha)),
        esc(&between.said(1, &nb, &na, alpha))
    );
    weeks(&mut page, data, [(a, &na), (b, &nb)]);
    page.push("<h2>Retweets</h2>");
    let rows: Vec<Vec<Cell>> = (between.retweets.iter())
        .map(|rt| {
            let delay = match rt.delay_ms {
                Some(d) => Cell::num(d as f64 / 1e3, format!("{:.1} s", d as f64 / 1e3)),
                None => Cell::text("-"),
            };
            vec![
                Cell::text(&rt.retweeter),
                Cell::text(&rt.time),
                Cell::text(rt.original_time.as_deref().unwrap_or("-")),
                delay,
                Cell::text(rt.source_from.said()),
                Cell::text(rt.original_id.as_deref().unwrap_or("-")),
            ]
        })
        .collect();
    page.table(
        "retweets",
        &[
            "retweeter",
            "time of the retweet",
            "time of the original",
            "delay",
            "source from",
            "original",
        ],
        &rows,
    );
    page.finish()
}

/// A page titled by the two accounts' names, with its lead line; the names.
fn titled(data: &Dataset, a: u32, b: u32, lead: &str) -> (Page, String, String) {
    let name = |u: u32| {
        data.accounts
            .screen_name(u)
            .unwrap_or(data.accounts.key(u))
            .to_string()
    };
    let (na, nb) = (name(a), name(b));
    let mut page = Page::new(&format!("{na} and {nb}"));
    let _ = write!(
        page.html,
        "<h1>{} and {}</h1><p class=\"lead\">{}</p>",
        esc(&na),
        esc(&nb),
        esc(lead)
    );
    (page, na, nb)
}

/// Each account's tweets by hour of the week, side by side.
fn weeks(page: &mut Page, data: &Dataset, accounts: [(u32, &str); 2]) {
    page.push("<div class=\"grid\">");
    for (u, n) in accounts {
        let mut week = [[0u64; 24]; 7];
        for r in (0..data.len()).filter(|&r| data.account[r] == u) {
            let h = hour_of_week(data.time_ms[r]);
            week[h / 24][h % 24] += 1;
        }
        let _ = write!(
            page.html,
            "<div><h3>{}</h3>{}</div>",
            esc(n),
            charts::week(&week)
        );
    }
    page.push("</div>");
}
