//! The dataset's rows held where they were parsed (see [`crate::dataset::shard`]).
//!
//! Once process 0 has every record, it tells each other process where the records it sent
//! went and which ids its numbers stand for; that process then holds those rows as the
//! dataset's own ([`keep_rows`]). After the graphs, process 0 gives each the sources of its
//! rows' retweets; scoring, and the report after it (activity, amplification, profiles), ask
//! every process for the tally of its rows ([`RowsAcross`], process 0's side; [`serve_rows`],
//! the others'), adding them to its own rows' tally.

use super::{Link, Mailbox, Piece};
use crate::dataset::shard::{Placement, Shard, NO_ROW};
use crate::dataset::{Dataset, DatasetBuilder};
use crate::error::{Error, Result};
use crate::graphs::retweet::{Source, SourceFound};
use crate::scoring::rhythm::Plan;
use crate::scoring::tally::{self, Ask, ReportTally, RowSeen, RowsElsewhere, Tally};
use crate::scoring::timeline::{Timeline, TimelineAsk};
use crate::scoring::Activity;
use hashbrown::HashMap;
use std::ops::Range;

/// What process 0 says to the others about their rows.
#[derive(serde::Serialize, serde::Deserialize)]
enum Said {
    /// Where the records a process sent went, and which id each of its numbers stands for.
    Placed(Placement),
    /// The sources of its rows' retweets, by row of its shard.
    Sources(Vec<(u32, SourceFound)>),
    /// Tally its rows.
    Tally(OwnedAsk),
    /// The activity of its rows' accounts, of so many accounts.
    Activity(usize),
    /// The report's tally of its rows, for the clusters (each account's, and how many).
    Report(Vec<u32>, usize),
    /// What its rows show of the drawn clusters.
    Timeline(TimelineAsk),
    /// These rows of its own (by their place in its shard): their accounts, and their texts
    /// if asked.
    Rows(Vec<u32>, bool),
    /// The run is done.
    End,
}

/// An [`Ask`] that travels.
#[derive(serde::Serialize, serde::Deserialize)]
struct OwnedAsk {
    cluster_of: Vec<u32>,
    clusters: usize,
    plan: Plan,
    seed: u64,
    hashtags: usize,
}

/// On process 0: send each other process its placement. Returns the rows each holds (by
/// process, rising; process 0's own empty).
pub fn place_rows<P: Piece>(link: &Link<P>, placements: Vec<Placement>) -> Result<Vec<Vec<u32>>> {
    let mut held = vec![Vec::new()];
    for (p, placement) in placements.into_iter().enumerate().skip(1) {
        let mut rows: Vec<u32> = (placement.rows.iter().copied())
            .filter(|&r| r != NO_ROW)
            .collect();
        rows.sort_unstable();
        link.post(p, &Said::Placed(placement))?;
        held.push(rows);
    }
    Ok(held)
}

/// On another process: the rows `builder` holds (those it sent process 0), as process 0
/// places them.
pub fn keep_rows<P: Piece>(link: &Link<P>, builder: DatasetBuilder) -> Result<Shard> {
    match link.mail::<Said>()? {
        (0, Said::Placed(placement)) => {
            let mut shard = builder.into_shard(&placement)?;
            shard.data.texts.seal()?;
            Ok(shard)
        }
        (from, _) => Err(unexpected(link, from, "the placement of its rows")),
    }
}

/// On another process: tally `shard`'s rows for process 0 each time it asks, until the run
/// is done.
pub fn serve_rows<P: Piece>(link: &Link<P>, shard: Shard) -> Result<()> {
    let mut sources: Vec<Option<SourceFound>> = vec![None; shard.len()];
    let all = 0..shard.len();
    let here = std::slice::from_ref(&all);
    loop {
        match link.mail::<Said>()? {
            (0, Said::Sources(found)) => {
                sources.iter_mut().for_each(|s| *s = None);
                for (row, s) in found {
                    match sources.get_mut(row as usize) {
                        Some(slot) => *slot = Some(s),
                        None => return Err(unexpected(link, 0, "sources of rows it holds")),
                    }
                }
            }
            (0, Said::Tally(a)) => {
                let ask = Ask {
                    cluster_of: &a.cluster_of,
                    clusters: a.clusters,
                    plan: &a.plan,
                    seed: a.seed,
                    hashtags: a.hashtags,
                };
                let blocks = tally::blocks(here, &[], 2 * rayon::current_num_threads());
                let t = tally::tally(&shard.data, &sources[..], &[], None, &blocks, &ask);
                link.post(0, &t)?;
            }
            (0, Said::Activity(accounts)) => {
                link.post(0, &tally::activity(&shard.data, here, accounts))?;
            }
            (0, Said::Report(cluster_of, clusters)) => {
                let t = ReportTally::of(&shard.data, here, &sources[..], &cluster_of, clusters);
                link.post(0, &t)?;
            }
            (0, Said::Timeline(ask)) => {
                link.post(0, &tally::timeline(&shard.data, here, &sources[..], &ask))?;
            }
            (0, Said::Rows(rows, texts)) => {
                let mut seen: Vec<RowSeen> = Vec::with_capacity(rows.len());
                for r in rows.into_iter().map(|r| r as usize) {
                    if r >= shard.len() {
                        return Err(unexpected(link, 0, "rows it holds"));
                    }
                    let text = texts.then(|| shard.data.text(r)).flatten();
                    seen.push((shard.data.account[r], text.map(|t| t.into_owned())));
                }
                link.post(0, &seen)?;
            }
            (0, Said::End) => return Ok(()),
            (from, _) => return Err(unexpected(link, from, "a question about its rows")),
        }
    }
}

fn unexpected<P: Piece>(link: &Link<P>, from: usize, wanted: &str) -> Error {
    Error::cluster(format!(
        "{} sent something other than {wanted}: every process must run the same build",
        link.cluster().name(from)
    ))
}

/// Process 0's side: the rows the others hold, tallied there.
pub struct RowsAcross<P: Piece> {
    link: Mailbox<P>,
    /// The rows each process holds (process 0's own empty).
    held: Vec<Vec<u32>>,
    /// The rows process 0 parsed itself, which it tallies.
    here: Vec<Range<usize>>,
    /// Rows each process tallied, the last time.
    tallied: std::sync::Mutex<Vec<u64>>,
}

impl<P: Piece> RowsAcross<P> {
    /// The others hold `held` (as [`place_rows`] returns it) of a dataset of `rows` rows.
    pub fn new(link: &Link<P>, held: Vec<Vec<u32>>, rows: usize) -> RowsAcross<P> {
        let mut elsewhere: Vec<u32> = held.iter().flatten().copied().collect();
        elsewhere.sort_unstable();
        let mut here = Vec::new();
        let mut lo = 0;
        for &r in &elsewhere {
            if lo < r as usize {
                here.push(lo..r as usize);
            }
            lo = r as usize + 1;
        }
        if lo < rows {
            here.push(lo..rows);
        }
        RowsAcross {
            link: link.mailbox(),
            held,
            here,
            tallied: Default::default(),
        }
    }

    /// Rows each process tallied for scoring (none before it).
    pub fn tallied(&self) -> Vec<u64> {
        self.tallied
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Tell the others the run is done.
    pub fn end(&self) -> Result<()> {
        for p in 1..self.held.len() {
            self.link.post(p, &Said::End)?;
        }
        Ok(())
    }
}

impl<P: Piece> RowsElsewhere for RowsAcross<P> {
    fn here(&self) -> &[Range<usize>] {
        &self.here
    }

    fn place_sources(&self, data: &Dataset, sources: &[Option<Source>]) -> Result<()> {
        for (p, rows) in self.held.iter().enumerate().skip(1) {
            let found: Vec<(u32, SourceFound)> = (rows.iter().enumerate())
                .filter_map(|(i, &r)| {
                    let s = sources[r as usize]?;
                    let found = SourceFound {
                        account: s.account(),
                        delay_ms: s.delay_ms(data, r as usize),
                        original_row: s.original_row(),
                    };
                    Some((i as u32, found))
                })
                .collect();
            self.link.post(p, &Said::Sources(found))?;
        }
        Ok(())
    }

    fn tally(&self, ask: &Ask, here: &(dyn Fn() -> Tally + Sync)) -> Result<Tally> {
        let owned = Said::Tally(OwnedAsk {
            cluster_of: ask.cluster_of.to_vec(),
            clusters: ask.clusters,
            plan: ask.plan.clone(),
            seed: ask.seed,
            hashtags: ask.hashtags,
        });
        let mut tallied = vec![0; self.held.len()];
        let sum = self.ask(
            owned,
            here,
            |from, t: &Tally| tallied[from] = t.rows,
            |a, b| a + b,
        )?;
        *self.tallied.lock().unwrap_or_else(|e| e.into_inner()) = tallied;
        Ok(sum)
    }

    fn activity(&self, accounts: usize, here: &(dyn Fn() -> Activity + Sync)) -> Result<Activity> {
        self.ask(Said::Activity(accounts), here, |_, _| {}, |a, b| a + &b)
    }

    fn report(
        &self,
        cluster_of: &[u32],
        clusters: usize,
        here: &(dyn Fn() -> ReportTally + Sync),
    ) -> Result<ReportTally> {
        let said = Said::Report(cluster_of.to_vec(), clusters);
        self.ask(said, here, |_, _| {}, |a, b| a + b)
    }

    fn timeline(
        &self,
        ask: &TimelineAsk,
        here: &(dyn Fn() -> Timeline + Sync),
    ) -> Result<Timeline> {
        self.ask(Said::Timeline(ask.clone()), here, |_, _| {}, |a, b| a + b)
    }

    fn rows(&self, rows: &[u32], texts: bool) -> Result<HashMap<u32, RowSeen>> {
        let mut asked: Vec<Vec<u32>> = vec![Vec::new(); self.held.len()];
        for &r in rows {
            for (p, held) in self.held.iter().enumerate().skip(1) {
                if let Ok(i) = held.binary_search(&r) {
                    asked[p].push(i as u32);
                }
            }
        }
        let mut out = HashMap::new();
        for (p, at) in asked.iter().enumerate().skip(1) {
            if !at.is_empty() {
                self.link.post(p, &Said::Rows(at.clone(), texts))?;
            }
        }
        for _ in asked.iter().skip(1).filter(|at| !at.is_empty()) {
            let (from, seen) = self.link.mail::<Vec<RowSeen>>()?;
            if seen.len() != asked[from].len() {
                return Err(Error::cluster(format!(
                    "process {from} answered for other rows than asked: every process must \
                     run the same build"
                )));
            }
            out.extend(
                (asked[from].iter())
                    .map(|&i| self.held[from][i as usize])
                    .zip(seen),
            );
        }
        Ok(out)
    }
}

impl<P: Piece> RowsAcross<P> {
    /// Ask every other process `said`, take `here` meanwhile, and add the answers to it in
    /// the order they come (`seen` sees each with the process it came from).
    fn ask<T: serde::de::DeserializeOwned>(
        &self,
        said: Said,
        here: &(dyn Fn() -> T + Sync),
        mut seen: impl FnMut(usize, &T),
        add: impl Fn(T, T) -> T,
    ) -> Result<T> {
        for p in 1..self.held.len() {
            self.link.post(p, &said)?;
        }
        drop(said);
        let mut sum = here();
        seen(0, &sum);
        for _ in 1..self.held.len() {
            let (from, t) = self.link.mail::<T>()?;
            seen(from, &t);
            sum = add(sum, t);
        }
        Ok(sum)
    }
}
