//! Tallies of rows held by other processes ([`RowsElsewhere`]), and what the report and the
//! timeline read of the rows, tallied the same way on every core.

use super::*;

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

#[cfg(test)]
mod tests {
    use super::super::by_id;
    use crate::graphs::retweet::{SourceFound, Sources};
    use crate::scoring::timeline::{Timeline, TimelineAsk};
    use crate::scoring::Role;
    use crate::scoring::{profile::ProfileTally, Activity, Amplification};

    /// What the report reads of the rows (activity, amplification, cluster profiles) is
    /// tallied over rows too: cut anywhere, the parts add up to the whole's.
    #[test]
    fn the_reports_row_tallies_add_up_over_any_cut() {
        let (_dir, data, fused) = crate::scoring::generated_fused();
        let sources = &fused.sources;
        let cluster_of = by_id(data.accounts.len());
        let n = data.len();
        let activity = Activity::of(&data);
        let amplification = format!("{:?}", Amplification::of(&data, sources, &cluster_of));
        let profiles = format!(
            "{:?}",
            crate::scoring::profile::profiles(&data, &activity, sources, &cluster_of, 40)
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
}
