//! Scoring in parts: what a part of the data tells about every cluster, as a tally that adds
//! up with the other parts' to the whole's.
//!
//! Every measure behind a cluster's evidence ([`parts`](super::parts)) reads the data a row,
//! or an item, at a time. So a block of rows, or of an action set's items, is tallied on its
//! own; tallies add up (whole numbers, and lists put in order only when the evidence is
//! finished), and the evidence is finished once, from their sum. However the data is split,
//! the evidence is the same to the last bit. On one process the parts are blocks tallied on
//! every core; the same tallies let processes that each hold some of a run's rows score
//! together.

use super::features::{Activity, Amplification, AmplificationTally};
use super::parts::{NULL_SHIFT_MS, SYNC_WINDOW_MS};
use super::profile::ProfileTally;
use super::rhythm::{self, Plan, SHIFT_DRAWS};
use super::timeline::{Timeline, TimelineAsk};
use super::NO_CLUSTER;
use crate::dataset::{Dataset, ItemKind, TweetKind, NO_TEXT};
use crate::error::Result;
use crate::graphs::actions::Actions;
use crate::graphs::profiles::{self, FamilyPairs, ProfileOptions};
use crate::graphs::retweet::{Source, Sources};
use crate::graphs::CoactionKind;
use crate::hash::splitmix;
use hashbrown::HashMap;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Arc;

/// What every part is asked about: the clusters, and what the nulls need.
pub struct Ask<'a> {
    /// Each account's cluster in `0..clusters`, or `NO_CLUSTER`.
    pub cluster_of: &'a [u32],
    pub clusters: usize,
    /// Who needs an hour-of-week profile, and the data's span (see [`Plan`]).
    pub plan: &'a Plan,
    /// Seeds the time-shifted null of synchrony.
    pub seed: u64,
    /// Distinct hashtags in the data (their uses are counted by id).
    pub hashtags: usize,
    /// Where not empty, count only the [`Ties`] of the accounts marked (members of the
    /// clusters asked about; the other members are only their partners), nothing else.
    pub ties_of: &'a [bool],
    /// Each co-action kind's window (ms; `i64::MAX` for the whole period), for the ties.
    pub windows: &'a [(CoactionKind, i64)],
}

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

    fn add(&mut self, other: &Ties) {
        for &r in other.rows.iter().filter(|&&r| r != u32::MAX) {
            self.row(r);
        }
    }

    /// Events behind the ties, up to 2: a second one is all the rule needs to know of.
    pub fn events(&self) -> u32 {
        self.rows.iter().filter(|&&r| r != u32::MAX).count() as u32
    }
}

/// Rows to tally: ranges, rising.
pub type Rows<'a> = &'a [Range<usize>];

/// Each row of `rows`, in order.
pub fn each(rows: Rows<'_>) -> impl Iterator<Item = usize> + Clone + '_ {
    rows.iter().flat_map(Range::clone)
}

/// Retweets made by one cluster's members, with a known source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Retweets {
    pub known: u64,
    /// Of members; of those, with a known delay; and within the synchrony window.
    pub inner: u64,
    pub inner_timed: u64,
    pub inner_fast: u64,
}

/// One part's counts. Vectors indexed by cluster are `clusters` long.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    pub rows: u64,
    /// Every retweet with a known source other than its own account; of those, with a known
    /// delay, and within the synchrony window.
    pub retweets_known: u64,
    pub retweets_timed: u64,
    pub retweets_fast: u64,
    /// Per cluster: retweets (known source) its members received; made; and the delays of
    /// those made of members (in any order).
    pub received: Vec<u64>,
    pub retweets: Vec<Retweets>,
    pub inner_delays_ms: Vec<Vec<i64>>,
    /// Per cluster: member rows; member texts that are not retweets; and member co-tweets
    /// whose text another member posted too.
    pub tweets: Vec<u64>,
    pub own_texts: Vec<u64>,
    pub duplicated_texts: Vec<u64>,
    /// Uses of each hashtag (by id), and of each (cluster, hashtag) by members.
    pub hashtag_uses: Vec<u64>,
    pub cluster_hashtags: HashMap<(u32, u32), u64>,
    /// Tweets per (profile row, hour of the week), packed (see [`rhythm::tally_profiles`]),
    /// sorted.
    pub profile_hours: Vec<u64>,
    /// Members' distinct active hours: (cluster, hour since the first day, account).
    pub active_hours: Vec<(u32, u32, u32)>,
    /// Per cluster: member actions on items another member acted on, and those with the
    /// nearest such action within the window; the same with times shifted (the null), summed
    /// over `SHIFT_DRAWS` draws.
    pub synced: Vec<(u64, u64)>,
    pub synced_null: Vec<(u64, u64)>,
    /// With [`Ask::ties_of`], the [`Ties`] of each account marked (those without any left out).
    pub ties: HashMap<u32, Ties>,
}

impl Tally {
    fn new(clusters: usize) -> Tally {
        Tally {
            received: vec![0; clusters],
            retweets: vec![Retweets::default(); clusters],
            inner_delays_ms: vec![Vec::new(); clusters],
            tweets: vec![0; clusters],
            own_texts: vec![0; clusters],
            duplicated_texts: vec![0; clusters],
            synced: vec![(0, 0); clusters],
            synced_null: vec![(0, 0); clusters],
            ..Tally::default()
        }
    }

    /// Rows `rows` of `data`, whose retweets' sources are `sources` (indexed by row); `global`
    /// numbers them as the whole dataset does, where `data` is a process's shard of it.
    pub fn of_rows<S: Sources + ?Sized>(
        data: &Dataset,
        rows: Rows,
        sources: &S,
        ask: &Ask,
        global: Option<&[u32]>,
    ) -> Tally {
        let mut t = Tally::new(ask.clusters);
        t.rows = rows.iter().map(|r| r.len() as u64).sum();
        if !ask.ties_of.is_empty() {
            t.retweet_ties_of(data, rows, sources, ask, global);
            return t;
        }
        t.retweets_of(data, rows, sources, ask.cluster_of);
        t.texts_and_hashtags_of(data, rows, ask);
        t.profile_hours = rhythm::tally_profiles(data, rows, ask.plan);
        t.active_hours = rhythm::tally_active_hours(data, rows, ask.cluster_of, ask.plan);
        t
    }

    /// Items `items` of `actions` (an action set whose actions count toward synchrony, or
    /// with `co_tweets`, the co-tweet set, whose items are texts); `time_ms` is the data's,
    /// read where the actions kept no times of their own ([`Actions::time_of`]).
    pub fn of_items(
        actions: &Actions,
        items: Range<usize>,
        co_tweets: bool,
        time_ms: &[i64],
        ask: &Ask,
    ) -> Tally {
        let mut t = Tally::new(ask.clusters);
        if !ask.ties_of.is_empty() {
            let window = (ask.windows.iter()).find(|w| Some(w.0) == actions.kind);
            if let Some(&(_, window)) = window {
                let mut buf = Vec::new();
                for g in items {
                    t.coaction_ties_of((actions, g, time_ms), ask, window, &mut buf);
                }
            }
            return t;
        }
        match co_tweets {
            true => t.duplicates_of(actions, items, ask.cluster_of),
            false => {
                let mut buf = Vec::new();
                for g in items {
                    let on = (actions, g, time_ms, ask.cluster_of);
                    synchrony_of(on, None, &mut buf, &mut t.synced);
                    for d in 0..SHIFT_DRAWS {
                        let seed = ask.seed ^ d.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                        synchrony_of(on, Some(seed), &mut buf, &mut t.synced_null);
                    }
                }
            }
        }
        t
    }

    /// Retweets with a known source: every one, and members'.
    fn retweets_of<S: Sources + ?Sized>(
        &mut self,
        data: &Dataset,
        rows: Rows,
        sources: &S,
        cluster_of: &[u32],
    ) {
        for r in each(rows) {
            let Some(s) = sources.other_source(data, r) else {
                continue;
            };
            let u = data.account[r];
            let delay = s.delay_ms;
            if let Some(d) = delay {
                self.retweets_timed += 1;
                self.retweets_fast += (d <= SYNC_WINDOW_MS) as u64;
            }
            self.retweets_known += 1;
            let source_cluster = cluster_of[s.account as usize];
            if source_cluster != NO_CLUSTER {
                self.received[source_cluster as usize] += 1;
            }
            let c = cluster_of[u as usize];
            if c == NO_CLUSTER {
                continue;
            }
            let counts = &mut self.retweets[c as usize];
            counts.known += 1;
            if source_cluster == c {
                counts.inner += 1;
                if let Some(d) = delay {
                    counts.inner_timed += 1;
                    counts.inner_fast += (d <= SYNC_WINDOW_MS) as u64;
                    self.inner_delays_ms[c as usize].push(d);
                }
            }
        }
    }

    /// Retweets between two members of one cluster, as ties of both.
    fn retweet_ties_of<S: Sources + ?Sized>(
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
    fn coaction_ties_of(
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

    /// Members' rows and own texts; every hashtag use, and members'.
    fn texts_and_hashtags_of(&mut self, data: &Dataset, rows: Rows, ask: &Ask) {
        let cluster_of = ask.cluster_of;
        self.hashtag_uses = vec![0; ask.hashtags];
        for r in each(rows) {
            let c = cluster_of[data.account[r] as usize];
            if c != NO_CLUSTER {
                self.tweets[c as usize] += 1;
                if data.kind(r) != TweetKind::Retweet && data.text[r] != NO_TEXT {
                    self.own_texts[c as usize] += 1;
                }
            }
            let tags = data
                .items(r)
                .iter()
                .filter(|i| i.kind() == ItemKind::Hashtag);
            for item in tags {
                self.hashtag_uses[item.id() as usize] += 1;
                if c != NO_CLUSTER {
                    *self.cluster_hashtags.entry((c, item.id())).or_default() += 1;
                }
            }
        }
    }

    /// Per co-tweeted text, the members who posted it where another member of their cluster
    /// did too.
    fn duplicates_of(&mut self, a: &Actions, items: Range<usize>, cluster_of: &[u32]) {
        let mut buf: Vec<(u32, u32)> = Vec::new();
        for g in items {
            buf.clear();
            buf.extend(
                a.item(g)
                    .map(|i| (cluster_of[a.account[i] as usize], a.account[i]))
                    .filter(|x| x.0 != NO_CLUSTER),
            );
            buf.sort_unstable();
            for run in buf.chunk_by(|x, y| x.0 == y.0) {
                if run.iter().any(|x| x.1 != run[0].1) {
                    self.duplicated_texts[run[0].0 as usize] += run.len() as u64;
                }
            }
        }
    }
}

/// This tally and `other`, as one.
impl std::ops::Add for Tally {
    type Output = Tally;

    fn add(mut self, other: Tally) -> Tally {
        let add = |a: &mut Vec<u64>, b: Vec<u64>| add_counts(a, &b);
        let add_pairs = |a: &mut Vec<(u64, u64)>, b: Vec<(u64, u64)>| {
            a.iter_mut().zip(b).for_each(|(x, y)| {
                x.0 += y.0;
                x.1 += y.1;
            });
        };
        self.rows += other.rows;
        self.retweets_known += other.retweets_known;
        self.retweets_timed += other.retweets_timed;
        self.retweets_fast += other.retweets_fast;
        add(&mut self.received, other.received);
        for (x, y) in self.retweets.iter_mut().zip(other.retweets) {
            x.known += y.known;
            x.inner += y.inner;
            x.inner_timed += y.inner_timed;
            x.inner_fast += y.inner_fast;
        }
        for (x, y) in self.inner_delays_ms.iter_mut().zip(other.inner_delays_ms) {
            x.extend(y);
        }
        add(&mut self.tweets, other.tweets);
        add(&mut self.own_texts, other.own_texts);
        add(&mut self.duplicated_texts, other.duplicated_texts);
        add(&mut self.hashtag_uses, other.hashtag_uses);
        for (k, n) in other.cluster_hashtags {
            *self.cluster_hashtags.entry(k).or_default() += n;
        }
        self.profile_hours = merge(std::mem::take(&mut self.profile_hours), other.profile_hours);
        // Put end to end (sorted when finished) into the larger, grown by exactly the other:
        // doubling held up to three times the stamps while the parts were added.
        let (to, from) = (std::mem::take(&mut self.active_hours), other.active_hours);
        let (mut to, from) = if to.capacity() >= from.capacity() {
            (to, from)
        } else {
            (from, to)
        };
        to.reserve_exact(from.len());
        to.extend_from_slice(&from);
        drop(from);
        self.active_hours = to;
        add_pairs(&mut self.synced, other.synced);
        add_pairs(&mut self.synced_null, other.synced_null);
        let (to, from) = (std::mem::take(&mut self.ties), other.ties);
        let (mut to, from) = if to.len() >= from.len() {
            (to, from)
        } else {
            (from, to)
        };
        for (u, t) in from {
            to.entry(u).or_default().add(&t);
        }
        self.ties = to;
        self
    }
}

/// `b` added to `a` entry by entry, `a` grown to `b`'s length: how counts by cluster, account
/// or hashtag add up over parts.
pub(super) fn add_counts<T: Copy + Default + std::ops::AddAssign>(a: &mut Vec<T>, b: &[T]) {
    if a.len() < b.len() {
        a.resize(b.len(), T::default());
    }
    a.iter_mut().zip(b).for_each(|(x, &y)| *x += y);
}

/// Two sorted lists as one.
fn merge<T: Ord + Copy>(a: Vec<T>, b: Vec<T>) -> Vec<T> {
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() { b } else { a };
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// (cluster, time, account) of one member action.
type Stamp = (u32, i64, u32);

/// Item `g`'s member actions on items another member also acted on, and how many have the
/// nearest such action within `SYNC_WINDOW_MS`, into `counts` (by cluster). With `shift_seed`,
/// each account's times are first shifted by its own random offset (the null).
fn synchrony_of(
    (a, g, time_ms, cluster_of): (&Actions, usize, &[i64], &[u32]),
    shift_seed: Option<u64>,
    buf: &mut Vec<Stamp>,
    counts: &mut [(u64, u64)],
) {
    let shift = |u: u32| match shift_seed {
        None => 0,
        Some(s) => {
            (splitmix(s ^ (u as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93))
                % (2 * NULL_SHIFT_MS as u64)) as i64
                - NULL_SHIFT_MS
        }
    };
    buf.clear();
    for i in a.item(g) {
        let u = a.account[i];
        let c = cluster_of[u as usize];
        if c != NO_CLUSTER {
            buf.push((c, a.time_of(i, time_ms) + shift(u), u));
        }
    }
    if buf.len() < 2 {
        return;
    }
    buf.sort_unstable();
    for run in buf.chunk_by(|x, y| x.0 == y.0) {
        for (i, &(c, t, u)) in run.iter().enumerate() {
            let left = run[..i].iter().rev().find(|x| x.2 != u).map(|x| t - x.1);
            let right = run[i + 1..].iter().find(|x| x.2 != u).map(|x| x.1 - t);
            let gap = match (left, right) {
                (Some(l), Some(r)) => l.min(r),
                (l, r) => match l.or(r) {
                    Some(g) => g,
                    None => continue,
                },
            };
            counts[c as usize].0 += 1;
            counts[c as usize].1 += (gap <= SYNC_WINDOW_MS) as u64;
        }
    }
}

/// Rows of a run held by other processes (see [`crate::dataset::shard`]), tallied where they
/// are: process 0 tallies the rows it parsed, and adds the others' tallies.
pub trait RowsElsewhere: Send + Sync {
    /// The rows of the dataset this process tallies itself (none where it holds its own
    /// apart from the dataset, and adds their tally to the others').
    fn here(&self) -> &[Range<usize>];
    /// `here` (this process's tally, taken meanwhile) and the other processes' tallies of
    /// their rows for `ask`, added: and of the action sets' items they own, where a kind's
    /// actions are paired where their items are owned.
    fn tally(&self, ask: &Ask, here: &(dyn Fn() -> Tally + Sync)) -> Result<Tally>;
    /// `here` and the other processes' activity of their rows, of `accounts` accounts, added.
    fn activity(&self, accounts: usize, here: &(dyn Fn() -> Activity + Sync)) -> Result<Activity>;
    /// `here` and the other processes' [`ReportTally`] of their rows, added.
    fn report(
        &self,
        cluster_of: &[u32],
        clusters: usize,
        here: &(dyn Fn() -> ReportTally + Sync),
    ) -> Result<ReportTally>;
    /// `here` and the other processes' [`Timeline`] of their rows for `ask`, added.
    fn timeline(&self, ask: &TimelineAsk, here: &(dyn Fn() -> Timeline + Sync))
        -> Result<Timeline>;
    /// `here` and the other processes' [`FamilyPairs`] of their rows for `opts`, of
    /// `accounts` accounts, joined.
    fn profile_pairs(
        &self,
        opts: &ProfileOptions,
        accounts: usize,
        here: &(dyn Fn() -> FamilyPairs + Sync),
    ) -> Result<FamilyPairs>;
    /// Of the dataset rows `rows`, those the other processes hold: each one's account, and its
    /// text if `texts` (and it has one).
    fn rows(&self, rows: &[u32], texts: bool) -> Result<HashMap<u32, RowSeen>>;
}

/// A row's account, and its text if asked for and known.
pub type RowSeen = (u32, Option<String>);

/// Where a run's rows are: all here (`None`), or some with other processes.
#[derive(Clone, Default)]
pub struct Elsewhere(pub Option<Arc<dyn RowsElsewhere>>);

impl std::fmt::Debug for Elsewhere {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            None => "Elsewhere(none)",
            Some(_) => "Elsewhere(other processes)",
        })
    }
}

impl Elsewhere {
    /// The rows of `data` tallied here.
    pub fn here(&self, data: &Dataset) -> Vec<Range<usize>> {
        match &self.0 {
            None => std::iter::once(0..data.len()).collect(),
            Some(e) => e.here().to_vec(),
        }
    }

    /// Every account's activity, from the rows here and elsewhere.
    pub fn activity(&self, data: &Dataset) -> Result<Activity> {
        let here = self.here(data);
        let accounts = data.accounts.len();
        let tally = || activity(data, &here, accounts);
        match &self.0 {
            None => Ok(tally()),
            Some(e) => e.activity(accounts, &tally),
        }
    }

    /// Each profile family's actions of the rows here and elsewhere (the archive's split
    /// reads them), `sources` the retweets' sources of the rows here; `may_gather` is asked
    /// before the words of the rows here are gathered (see [`profiles::family_pairs`]).
    pub fn profile_pairs(
        &self,
        data: &Dataset,
        sources: &[Option<Source>],
        opts: &ProfileOptions,
        may_gather: &(dyn Fn(usize) -> Result<()> + Sync),
    ) -> Result<FamilyPairs> {
        let here = self.here(data);
        let original_of = |r: usize| sources[r].and_then(|s| s.original_row());
        let pairs = || profiles::family_pairs(data, &original_of, opts, &here, None, may_gather);
        let Some(e) = &self.0 else {
            return pairs();
        };
        // Taken while the others gather theirs; a refusal here is said once they answered.
        let refused = std::sync::Mutex::new(None);
        let here = || {
            pairs().unwrap_or_else(|e| {
                *refused.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                vec![Vec::new(); opts.families.len()]
            })
        };
        let all = e.profile_pairs(opts, data.accounts.len(), &here)?;
        match refused.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => Err(e),
            None => Ok(all),
        }
    }

    /// What the report reads of the rows here and elsewhere, for final clusters.
    pub fn report<S: Sources + ?Sized>(
        &self,
        data: &Dataset,
        sources: &S,
        cluster_of: &[u32],
        clusters: usize,
    ) -> Result<ReportTally> {
        let here = self.here(data);
        let tally = || ReportTally::of(data, &here, sources, cluster_of, clusters);
        match &self.0 {
            None => Ok(tally()),
            Some(e) => e.report(cluster_of, clusters, &tally),
        }
    }

    /// Dataset rows `rows`, wherever they are held: each one's account, and its text if
    /// `texts` (and it has one).
    pub fn rows(&self, data: &Dataset, rows: &[u32], texts: bool) -> Result<Vec<RowSeen>> {
        let held = match &self.0 {
            None => HashMap::new(),
            Some(e) => e.rows(rows, texts)?,
        };
        let seen = |r: u32| match held.get(&r) {
            Some(seen) => seen.clone(),
            None => {
                let text = texts.then(|| data.text(r as usize)).flatten();
                (data.account[r as usize], text.map(|t| t.into_owned()))
            }
        };
        Ok(rows.iter().map(|&r| seen(r)).collect())
    }

    /// What the drawn clusters' pictures show, from the rows here and elsewhere.
    pub fn timeline<S: Sources + ?Sized>(
        &self,
        data: &Dataset,
        sources: &S,
        ask: &TimelineAsk,
    ) -> Result<Timeline> {
        let here = self.here(data);
        let tally = || timeline(data, &here, sources, ask);
        match &self.0 {
            None => Ok(tally()),
            Some(e) => e.timeline(ask, &tally),
        }
    }
}

/// The [`Timeline`] of rows `rows` of `data` for `ask`, on every core.
pub fn timeline<S: Sources + ?Sized>(
    data: &Dataset,
    rows: Rows,
    sources: &S,
    ask: &TimelineAsk,
) -> Timeline {
    let of = |rows: Rows| Timeline::of_rows(data, rows, sources, ask);
    over_rows(rows, of, |a, b| a + b).unwrap_or_else(|| of(&[]))
}

/// `of` each block of about a core's share of `rows`, on every core, the results added by
/// `add` (`None` for no rows).
fn over_rows<T: Send>(
    rows: Rows,
    of: impl Fn(Rows) -> T + Sync,
    add: impl Fn(T, T) -> T + Sync + Send,
) -> Option<T> {
    let blocks = blocks(rows, &[], 2 * rayon::current_num_threads());
    (blocks.par_iter())
        .filter_map(|b| match b {
            Block::Rows(rows) => Some(of(rows)),
            Block::Items(..) => None, // none: no action sets given
        })
        .reduce_with(add)
}

/// The activity of each of `accounts` accounts that rows `rows` of `data` tell, on every core.
pub fn activity(data: &Dataset, rows: Rows, accounts: usize) -> Activity {
    let of = |rows: Rows| Activity::of_rows(data, rows, accounts);
    over_rows(rows, of, |a, b| a + &b).unwrap_or_else(|| of(&[]))
}

/// What the report reads of the rows once the clusters are final: retweets inside clusters
/// (roles and account features) and each cluster's profile. Adds up over parts of the rows.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReportTally {
    pub amplification: AmplificationTally,
    pub profiles: ProfileTally,
}

impl ReportTally {
    /// Rows `rows` of `data`, on every core.
    pub fn of<S: Sources + ?Sized>(
        data: &Dataset,
        rows: Rows,
        sources: &S,
        cluster_of: &[u32],
        clusters: usize,
    ) -> ReportTally {
        let of = |rows: Rows| ReportTally {
            amplification: Amplification::of_rows(data, rows, sources, cluster_of),
            profiles: ProfileTally::of_rows(data, rows, sources, cluster_of, clusters),
        };
        over_rows(rows, of, |a, b| a + b).unwrap_or_else(|| of(&[]))
    }
}

impl std::ops::Add for ReportTally {
    type Output = ReportTally;

    fn add(self, other: ReportTally) -> ReportTally {
        ReportTally {
            amplification: self.amplification + other.amplification,
            profiles: self.profiles + other.profiles,
        }
    }
}

/// A part of the data to tally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Rows(Vec<Range<usize>>),
    /// Items of the action set numbered so in [`tally`]'s `sets`.
    Items(usize, Range<usize>),
}

/// The rows `here` cut into about `per_kind` blocks, and each action set into about as many
/// blocks of items (at item boundaries, by actions).
pub fn blocks(here: Rows, sets: &[&Actions], per_kind: usize) -> Vec<Block> {
    let per_kind = per_kind.max(1);
    let size = (here.iter().map(|r| r.len()).sum::<usize>())
        .div_ceil(per_kind)
        .max(1);
    let mut out = Vec::new();
    let mut block: Vec<Range<usize>> = Vec::new();
    let mut room = size;
    for r in here {
        let mut lo = r.start;
        while lo < r.end {
            let hi = r.end.min(lo + room);
            block.push(lo..hi);
            room -= hi - lo;
            lo = hi;
            if room == 0 {
                out.push(Block::Rows(std::mem::take(&mut block)));
                room = size;
            }
        }
    }
    if !block.is_empty() {
        out.push(Block::Rows(block));
    }
    for (k, a) in sets.iter().enumerate() {
        let size = a.len().div_ceil(per_kind).max(1);
        let mut lo = 0;
        while lo < a.items() {
            // The first item boundary at or past `size` more actions.
            let want = a.start[lo] as usize + size;
            let hi = a
                .start
                .partition_point(|&s| (s as usize) < want)
                .clamp(lo + 1, a.items());
            out.push(Block::Items(k, lo..hi));
            lo = hi;
        }
    }
    out
}

/// The sum of the tallies of `blocks`, taken on every core. `sets` are the action sets;
/// `co_tweets` names the one whose items are texts, if any; `global` numbers `data`'s rows as
/// the whole dataset does, where `data` is a process's shard.
pub fn tally<S: Sources + ?Sized>(
    data: &Dataset,
    global: Option<&[u32]>,
    sources: &S,
    sets: &[&Actions],
    co_tweets: Option<usize>,
    parts: &[Block],
    ask: &Ask,
) -> Tally {
    parts
        .par_iter()
        .map(|p| match p {
            Block::Rows(rows) => Tally::of_rows(data, rows, sources, ask, global),
            Block::Items(k, items) => {
                let cotweet = co_tweets == Some(*k);
                Tally::of_items(sets[*k], items.clone(), cotweet, &data.time_ms, ask)
            }
        })
        .reduce_with(|a, b| a + b)
        .unwrap_or_else(|| Tally::new(ask.clusters))
}

#[cfg(test)]
mod tests {
    use super::super::{profile::ProfileTally, Activity, Amplification};
    use crate::graphs::retweet::{SourceFound, Sources};
    use crate::scoring::timeline::{Timeline, TimelineAsk};
    use crate::scoring::Role;

    /// `accounts` accounts in 40 clusters by id, one in seven in none.
    fn by_id(accounts: usize) -> Vec<u32> {
        (0..accounts as u32)
            .map(|u| match u % 7 == 3 {
                true => super::NO_CLUSTER,
                false => u % 40,
            })
            .collect()
    }

    /// What the report reads of the rows (activity, amplification, cluster profiles) is
    /// tallied over rows too: cut anywhere, the parts add up to the whole's.
    #[test]
    fn the_reports_row_tallies_add_up_over_any_cut() {
        let (_dir, data, fused) = super::super::generated_fused();
        let sources = &fused.sources;
        let cluster_of = by_id(data.accounts.len());
        let n = data.len();
        let activity = Activity::of(&data);
        let amplification = format!("{:?}", Amplification::of(&data, sources, &cluster_of));
        let profiles = format!(
            "{:?}",
            super::super::profile::profiles(&data, &activity, sources, &cluster_of, 40)
        );
        assert!(profiles.contains("amplified_accounts: [(\""));
        // The first 30 clusters drawn, by days; roles in turn.
        let (first, last) = (data.time_ms[0], data.time_ms[n - 1]);
        let days = ((last - first) / 86_400_000 + 1) as usize;
        let roles: Vec<(Role, f64)> = (0..data.accounts.len())
            .map(|u| ([Role::Core, Role::Amplifier, Role::Other][u % 3], 1.0))
            .collect();
        let ask = TimelineAsk::new(&cluster_of, &roles, vec![(first, 86_400_000, days); 30]);
        let all = 0..n;
        let whole_timeline = Timeline::of_rows(&data, std::slice::from_ref(&all), sources, &ask);
        assert!(whole_timeline.posts.iter().any(|p| !p.is_empty()));
        assert!(whole_timeline
            .delays
            .iter()
            .any(|d| d.iter().sum::<u64>() > 0));
        for cuts in [
            vec![n / 2],
            vec![1, 997, n / 3, n - 1],
            (1..n).step_by(4099).collect(),
        ] {
            let ranges: Vec<_> = std::iter::once(0)
                .chain(cuts.iter().copied())
                .zip(cuts.iter().copied().chain(std::iter::once(n)))
                .map(|(lo, hi)| lo..hi)
                .collect();
            let act = (ranges.iter())
                .map(|r| Activity::of_rows(&data, std::slice::from_ref(r), data.accounts.len()))
                .reduce(|a, b| a + &b)
                .unwrap();
            assert_eq!(
                format!("{act:?}"),
                format!("{activity:?}"),
                "{} cuts",
                cuts.len()
            );
            let amp = (ranges.iter())
                .map(|r| {
                    Amplification::of_rows(&data, std::slice::from_ref(r), sources, &cluster_of)
                })
                .reduce(|a, b| a + b)
                .unwrap();
            assert_eq!(format!("{:?}", amp.finish()), amplification);
            let prof = (ranges.iter())
                .map(|r| {
                    ProfileTally::of_rows(&data, std::slice::from_ref(r), sources, &cluster_of, 40)
                })
                .reduce(|a, b| a + b)
                .unwrap();
            assert_eq!(
                format!("{:?}", prof.finish(&data, &activity, &cluster_of)),
                profiles
            );
            // The ranges dealt in turn to three processes, each tallying its own on every
            // core, the sources found elsewhere (account and delay) as a shard holds them.
            let found: Vec<Option<SourceFound>> =
                (0..n).map(|r| sources.source(&data, r)).collect();
            let held = |p: usize| -> Vec<_> { ranges.iter().skip(p).step_by(3).cloned().collect() };
            let (act, report) = (0..3)
                .map(|p| {
                    let rows = held(p);
                    let t = super::ReportTally::of(&data, &rows, &found[..], &cluster_of, 40);
                    (super::activity(&data, &rows, data.accounts.len()), t)
                })
                .reduce(|(a, t), (b, u)| (a + &b, t + u))
                .unwrap();
            assert_eq!(format!("{act:?}"), format!("{activity:?}"));
            assert_eq!(
                format!("{:?}", report.amplification.finish()),
                amplification
            );
            let prof = report.profiles.finish(&data, &activity, &cluster_of);
            assert_eq!(format!("{prof:?}"), profiles);
            let timeline = (0..3)
                .map(|p| super::timeline(&data, &held(p), &found[..], &ask))
                .reduce(|a, b| a + b)
                .unwrap();
            assert_eq!(timeline, whole_timeline, "{} cuts", cuts.len());
        }
    }

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
        let (_dir, data, fused) = super::super::generated_fused();
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
