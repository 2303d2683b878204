//! `coordnet explain A B --html FILE`: one pair's evidence as a page of the report's kind.

use super::charts;
use super::page::{esc, Cell, Page};
use crate::dataset::time::format_iso;
use crate::dataset::Dataset;
use crate::graphs::evidence::Evidence;
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
    let name = |u: u32| {
        data.accounts
            .screen_name(u)
            .unwrap_or(data.accounts.key(u))
            .to_string()
    };
    let (na, nb) = (name(a), name(b));
    let mut page = Page::new(&format!("{na} and {nb}"));
    let window = p
        .window_ms
        .map_or("the whole period".into(), format_duration);
    let _ = write!(
        page.html,
        "<h1>{} and {}</h1><p class=\"lead\">{} within {}.</p>",
        esc(&na),
        esc(&nb),
        esc(p.kind.name()),
        esc(&window)
    );
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
    page.push("<div class=\"grid\">");
    for (u, n) in [(a, &na), (b, &nb)] {
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
    let _ = write!(page.html, "<h2>Shared {}s</h2>", esc(p.kind.item_noun()));
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
