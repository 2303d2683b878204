//! What ties a member to the rest of its cluster: the first two events, tallied where the
//! rows and items are, for the check of members held by one event (`pipeline::one_tie`).

use super::*;

/// What ties a member to the rest of its cluster, as far as a member held by one event needs
/// telling apart: the first two rows (by dataset row, which every process numbers alike;
/// `u32::MAX`: none) of its retweets of members, of members' retweets of it, and of its
/// actions on an item within the kind's window of another member's action. A row counts once:
/// a reply is a co-reply and a co-mention action, a retweet of a member's post a retweet tie
/// and often a co-retweet one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ties {
    pub rows: [u32; 2],
}

impl Default for Ties {
    fn default() -> Ties {
        Ties {
            rows: [u32::MAX; 2],
        }
    }
}

impl Ties {
    /// Row `r` among the first two rows.
    fn row(&mut self, r: u32) {
        let [a, b] = &mut self.rows;
        if r == *a || r == *b {
            return;
        }
        if r < *a {
            (*a, *b) = (r, *a);
        } else if r < *b {
            *b = r;
        }
    }

    pub(super) fn add(&mut self, other: &Ties) {
        for &r in other.rows.iter().filter(|&&r| r != u32::MAX) {
            self.row(r);
        }
    }

    /// Events behind the ties, up to 2: a second one is all the rule needs to know of.
    pub fn events(&self) -> u32 {
        self.rows.iter().filter(|&&r| r != u32::MAX).count() as u32
    }
}

impl Tally {
    /// Retweets between two members of one cluster, as ties of both.
    pub(super) fn retweet_ties_of<S: Sources + ?Sized>(
        &mut self,
        data: &Dataset,
        rows: Rows,
        sources: &S,
        ask: &Ask,
        global: Option<&[u32]>,
    ) {
        let (cluster_of, asked) = (ask.cluster_of, ask.ties_of);
        for r in each(rows) {
            let u = data.account[r];
            let c = cluster_of[u as usize];
            if c == NO_CLUSTER {
                continue;
            }
            let Some(v) = sources.source_account(data, r) else {
                continue;
            };
            if v != u && cluster_of[v as usize] == c {
                let row = global.map_or(r as u32, |g| g[r]);
                for w in [u, v].into_iter().filter(|&w| asked[w as usize]) {
                    self.ties.entry(w).or_default().row(row);
                }
            }
        }
    }

    /// Item `g`'s actions by accounts asked about within `window` of another member's, as ties
    /// of their rows. Most items have none of those accounts (in a network, most members have
    /// a signature and are only partners), and are passed over unsorted.
    pub(super) fn coaction_ties_of(
        &mut self,
        (a, g, time_ms): (&Actions, usize, &[i64]),
        ask: &Ask,
        window: i64,
        buf: &mut Vec<(u32, i64, u32, u32)>,
    ) {
        let (cluster_of, asked) = (ask.cluster_of, ask.ties_of);
        if !a.account[a.item(g)].iter().any(|&u| asked[u as usize]) {
            return;
        }
        buf.clear();
        for i in a.item(g) {
            let u = a.account[i];
            let c = cluster_of[u as usize];
            if c != NO_CLUSTER {
                buf.push((c, a.time_of(i, time_ms), u, a.row[i]));
            }
        }
        if buf.len() < 2 {
            return;
        }
        buf.sort_unstable();
        for run in buf.chunk_by(|x, y| x.0 == y.0) {
            for (i, &(_, t, u, row)) in run.iter().enumerate() {
                if !asked[u as usize] {
                    continue;
                }
                let near = |x: &&(u32, i64, u32, u32)| x.2 != u;
                let left = run[..i].iter().rev().find(near).map(|x| t - x.1);
                let right = run[i + 1..].iter().find(near).map(|x| x.1 - t);
                if left.into_iter().chain(right).any(|gap| gap <= window) {
                    self.ties.entry(u).or_default().row(row);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::by_id;

    /// A member's ties keep the first two distinct rows, in whatever order they come: one
    /// row seen by two kinds (a reply is a co-reply and a co-mention action) is one event.
    #[test]
    fn ties_keep_two_distinct_rows_whatever_their_order() {
        let mut t = super::Ties::default();
        assert_eq!(t.events(), 0);
        t.row(40);
        t.row(40);
        assert_eq!(t.events(), 1);
        t.row(7);
        t.row(90);
        assert_eq!((t.rows, t.events()), ([7, 40], 2));
        let mut other = super::Ties::default();
        other.row(3);
        other.row(7);
        t.add(&other);
        assert_eq!(t.rows, [3, 7]);
    }

    /// Members' ties are tallied where the rows and items are: cut anywhere, the ties add up
    /// to the whole's, so processes that each hold some rows find the same events as one.
    #[test]
    fn members_ties_add_up_over_any_cut() {
        let (_dir, data, fused) = crate::scoring::generated_fused();
        let cluster_of = by_id(data.accounts.len());
        let windows = fused.windows();
        let sets: Vec<&super::Actions> = fused.projections.iter().map(|p| &p.actions).collect();
        let plan = super::Plan::default();
        // Every other account asked about; the rest of each cluster are partners only.
        let asked: Vec<bool> = (0..data.accounts.len()).map(|u| u % 2 == 0).collect();
        let ask = super::Ask {
            cluster_of: &cluster_of,
            clusters: 40,
            plan: &plan,
            seed: 0,
            hashtags: 0,
            ties_of: &asked,
            windows: &windows,
        };
        let n = data.len();
        let tally = |blocks: &[super::Block]| {
            super::tally(&data, None, &fused.sources, &sets, None, blocks, &ask).ties
        };
        let whole = tally(&super::blocks(std::slice::from_ref(&(0..n)), &sets, 1));
        let events = |k: u32| whole.values().filter(|t| t.events() == k).count();
        assert!(
            events(1) > 0 && events(2) > 100,
            "{} {}",
            events(1),
            events(2)
        );
        for parts in [3, 17] {
            let ranges: Vec<_> = (0..parts)
                .map(|p| p * n / parts..(p + 1) * n / parts)
                .collect();
            assert_eq!(
                tally(&super::blocks(&ranges, &sets, parts)),
                whole,
                "{parts} parts"
            );
        }
        // Only the accounts asked about have ties, and each with its own cluster.
        let of_asked = |&u: &u32| asked[u as usize] && cluster_of[u as usize] != super::NO_CLUSTER;
        assert!(whole.keys().all(of_asked));
    }
}
