//! Who amplifies whom inside a cluster, drawn radially in plain SVG: cores on an inner ring,
//! amplifiers around them next to the core they retweet most, line width by retweets. Big
//! clusters are drawn as aggregates: the most retweeted cores and the busiest amplifiers, the
//! rest as one node each side.

use super::page::esc;
use crate::shown::counted;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Cores and amplifiers drawn one by one at most; the rest are aggregated.
const MAX_CORES: usize = 24;
const MAX_AMPLIFIERS: usize = 120;
/// Lines drawn per amplifier at most: to the cores it retweets most (the rest of its
/// retweets still count in the aggregates' and the cores' totals).
const LINES_PER_AMPLIFIER: usize = 3;

/// One member: its label (escaped on output) and whether it is a core.
pub struct Member {
    pub label: String,
    pub core: bool,
}

/// The drawing; `retweets` are (amplifier, core, retweets) by member index.
pub fn draw(members: &[Member], retweets: &[(usize, usize, u64)]) -> String {
    let mut received = vec![0u64; members.len()];
    let mut made = vec![0u64; members.len()];
    for &(a, c, n) in retweets {
        made[a] += n;
        received[c] += n;
    }
    let pick = |core: bool, max: usize, weight: &[u64]| -> (Vec<usize>, Vec<usize>) {
        let mut ids: Vec<usize> = (0..members.len())
            .filter(|&i| members[i].core == core)
            .collect();
        ids.sort_by(|&a, &b| weight[b].cmp(&weight[a]).then(a.cmp(&b)));
        let rest = ids.split_off(ids.len().min(max));
        (ids, rest)
    };
    let (cores, other_cores) = pick(true, MAX_CORES, &received);
    let (amps, other_amps) = pick(false, MAX_AMPLIFIERS, &made);
    // Node positions: a slot per drawn node, plus one aggregate each side if needed.
    const SIZE: f64 = 520.0;
    let centre = SIZE / 2.0;
    let ring = |i: usize, n: usize, r: f64| {
        let a = std::f64::consts::TAU * i as f64 / n.max(1) as f64 - std::f64::consts::FRAC_PI_2;
        (centre + r * a.cos(), centre + r * a.sin())
    };
    let n_inner = cores.len() + !other_cores.is_empty() as usize;
    let mut pos: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
    let inner_r = if n_inner <= 1 { 0.0 } else { 70.0 };
    for (k, &c) in cores.iter().enumerate() {
        pos.insert(c, ring(k, n_inner, inner_r));
    }
    let core_agg = ring(cores.len(), n_inner, inner_r);
    // Amplifiers ordered by the angle of the core they retweet most, so lines stay short.
    // Each amplifier's most retweeted core (most retweets, then the lower index), in one pass.
    let mut best: Vec<Option<(u64, std::cmp::Reverse<usize>)>> = vec![None; members.len()];
    for &(a, c, n) in retweets {
        best[a] = best[a].max(Some((n, std::cmp::Reverse(c))));
    }
    let main_core = |a: usize| -> usize {
        best[a]
            .and_then(|(_, c)| cores.iter().position(|&x| x == c.0))
            .unwrap_or(usize::MAX)
    };
    let mut order = amps.clone();
    order.sort_by_cached_key(|&a| (main_core(a), a));
    let n_outer = order.len() + !other_amps.is_empty() as usize;
    for (k, &a) in order.iter().enumerate() {
        pos.insert(a, ring(k, n_outer, 220.0));
    }
    let amp_agg = ring(order.len(), n_outer, 220.0);
    let place = |i: usize| -> (f64, f64) {
        match pos.get(&i) {
            Some(&p) => p,
            None if members[i].core => core_agg,
            None => amp_agg,
        }
    };
    // Lines, merged per drawn pair (aggregates collect their members' retweets), each
    // amplifier's to the cores it retweets most.
    let mut by_amplifier: BTreeMap<usize, Vec<(u64, usize)>> = BTreeMap::new();
    for &(a, c, n) in retweets {
        by_amplifier.entry(a).or_default().push((n, c));
    }
    let mut kept = Vec::new();
    for (a, mut targets) in by_amplifier {
        targets.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        kept.extend(
            targets
                .into_iter()
                .take(LINES_PER_AMPLIFIER)
                .map(|(n, c)| (a, c, n)),
        );
    }
    let mut lines: BTreeMap<(u64, u64, u64, u64), u64> = BTreeMap::new();
    for &(a, c, n) in &kept {
        let (pa, pc) = (place(a), place(c));
        let key = (
            pa.0.to_bits(),
            pa.1.to_bits(),
            pc.0.to_bits(),
            pc.1.to_bits(),
        );
        *lines.entry(key).or_default() += n;
    }
    let max = lines.values().copied().max().unwrap_or(1).max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg width=\"{SIZE}\" height=\"{SIZE}\" viewBox=\"0 0 {SIZE} {SIZE}\" \
         xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"who amplifies whom\">\
         <g stroke=\"#2e86c1\" stroke-opacity=\"0.35\">"
    );
    for (&(x1, y1, x2, y2), &n) in &lines {
        let width = 0.5 + 5.5 * (n as f64 / max).sqrt();
        let _ = write!(
            svg,
            "<line x1=\"{:.0}\" y1=\"{:.0}\" x2=\"{:.0}\" y2=\"{:.0}\" stroke-width=\"{width:.1}\"><title>{n}</title></line>",
            f64::from_bits(x1),
            f64::from_bits(y1),
            f64::from_bits(x2),
            f64::from_bits(y2)
        );
    }
    svg.push_str("</g>");
    let node = |svg: &mut String, (x, y): (f64, f64), r: f64, fill: &str, title: &str| {
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" fill=\"{fill}\"><title>{}</title></circle>",
            esc(title)
        );
    };
    for &a in &order {
        node(
            &mut svg,
            place(a),
            3.5,
            "#e67e22",
            &format!(
                "{} (amplifier, {} of cores)",
                members[a].label,
                counted(made[a] as usize, "retweet")
            ),
        );
    }
    if !other_amps.is_empty() {
        let n: u64 = other_amps.iter().map(|&a| made[a]).sum();
        node(
            &mut svg,
            amp_agg,
            7.0,
            "#f5b041",
            &format!(
                "{} more amplifiers ({})",
                other_amps.len(),
                counted(n as usize, "retweet")
            ),
        );
    }
    for &c in &cores {
        node(
            &mut svg,
            place(c),
            7.0,
            "#c0392b",
            &format!(
                "{} (core, retweeted {})",
                members[c].label,
                times(received[c])
            ),
        );
    }
    if !other_cores.is_empty() {
        let n: u64 = other_cores.iter().map(|&c| received[c]).sum();
        node(
            &mut svg,
            core_agg,
            9.0,
            "#e6b0aa",
            &format!("{} more cores (retweeted {})", other_cores.len(), times(n)),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// "once", "2 times".
fn times(n: u64) -> String {
    match n {
        1 => "once".to_string(),
        n => format!("{n} times"),
    }
}
