//! Activity rhythm: when a cluster's members are active, apart from what they act on.
//!
//! - **Hour-of-week profiles.** Each account with enough tweets gets its tweets per hour of
//!   the week (UTC) as a unit vector; a cluster's similarity is the mean cosine over its member
//!   pairs. Everyone shares the day's rhythm, and busy accounts have smoother profiles, so the
//!   null is the same mean for random accounts of matching activity.
//! - **Shared bursts.** An hour in which at least `k` other members (`k` = 2, or a tenth of the
//!   cluster if larger) are active too is a shared burst for each member active in it; the
//!   cluster's rate is the share of its members' active hours that are shared bursts. The null
//!   moves each member's activity by its own random number of whole days, circularly within
//!   two-week blocks: hour of day and slow trends stay, the shared moments go.

use super::features::Activity;
use super::tally::{each, Rows};
use super::NO_CLUSTER;
use crate::dataset::time::DAY_MS;
use crate::dataset::Dataset;
use crate::hash::splitmix;
use ndarray::{Array1, ArrayView1};
use rayon::prelude::*;

/// Hours of the week, Monday 00:00 UTC first.
pub const HOURS_PER_WEEK: usize = 168;
const HOUR_MS: i64 = 3_600_000;
const DAY_HOURS: i64 = 24;
/// Accounts with fewer tweets have no profile (their cosines are mostly noise).
pub const MIN_PROFILE_TWEETS: u32 = 10;
/// Random accounts kept per activity band for the profile null, and draws of it.
const POOL_PER_BAND: usize = 1000;
const MIN_BAND: usize = 50;
const PROFILE_DRAWS: u64 = 20;
/// The burst null's shifts stay within blocks of this many days.
const SHIFT_BLOCK_DAYS: i64 = 14;
/// Draws averaged by each time-shifted null (here the bursts', in the tally the co-actions'):
/// one draw of a few accounts' shifts is noise.
pub(super) const SHIFT_DRAWS: u64 = 5;

/// Hour of the week of a time in ms, Monday 00h UTC = 0 (1970-01-01 was a Thursday).
pub fn hour_of_week(ms: i64) -> usize {
    (ms.div_euclid(HOUR_MS) + 3 * DAY_HOURS).rem_euclid(HOURS_PER_WEEK as i64) as usize
}

/// An account's tweets per hour of the week.
pub fn profile(data: &Dataset, account: u32) -> Array1<f64> {
    let mut p = Array1::zeros(HOURS_PER_WEEK);
    for r in (0..data.len()).filter(|&r| data.account[r] == account) {
        p[hour_of_week(data.time_ms[r])] += 1.0;
    }
    p
}

/// Clock hours (UTC) in which both accounts tweeted.
pub fn shared_hours(data: &Dataset, a: u32, b: u32) -> usize {
    let hours = |u: u32| {
        let mut h: Vec<i64> = (0..data.len())
            .filter(|&r| data.account[r] == u)
            .map(|r| data.time_ms[r].div_euclid(HOUR_MS))
            .collect();
        h.sort_unstable();
        h.dedup();
        h
    };
    let hb = hours(b);
    hours(a)
        .iter()
        .filter(|h| hb.binary_search(h).is_ok())
        .count()
}

/// Cosine similarity of two profiles (0 if either is empty).
pub fn cosine(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    let n = a.dot(&a).sqrt() * b.dot(&b).sqrt();
    if n == 0.0 {
        0.0
    } else {
        a.dot(&b) / n
    }
}

/// A cluster's rhythm measurements.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Rhythm {
    /// Members with a profile; their mean pairwise cosine; the same for matched random accounts.
    pub profiled: u64,
    pub profile_similarity: Option<f64>,
    pub profile_null: Option<f64>,
    /// Members' active hours; those that were shared bursts; the share under the shifted null.
    pub active_hours: u64,
    pub shared_hours: u64,
    pub shared_null: Option<f64>,
    /// Other members that must be active in the same hour for it to be a shared burst.
    pub burst_members: u32,
}

/// Measure every cluster's rhythm over all of `data`'s rows, as one part (see [`finish`];
/// `sizes` gives the clusters' sizes).
pub fn measure(
    data: &Dataset,
    activity: &Activity,
    cluster_of: &[u32],
    sizes: &[usize],
    seed: u64,
    matched_accounts: bool,
) -> Vec<Rhythm> {
    let plan = Plan::new(activity, cluster_of, seed);
    let all = 0..data.len();
    let rows = std::slice::from_ref(&all);
    let hours = (
        tally_profiles(data, rows, &plan),
        tally_active_hours(data, rows, cluster_of, &plan),
    );
    finish(&plan, hours, cluster_of, sizes, seed, matched_accounts)
}

/// What a cluster's rhythm is measured with, settled before any row is tallied: who needs a
/// profile (the members, and the null's pool drawn by activity), and the days the data covers.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Plan {
    band_of: Vec<u32>,
    bands: usize,
    /// Per band, the pool of profiled accounts the null draws from.
    pool: Vec<Vec<u32>>,
    /// Each account's profile row, or `u32::MAX`: profiled members first, then the pool.
    pub profile_row: Vec<u32>,
    pub profile_rows: usize,
    /// The days the burst null moves activity over.
    pub calendar: Calendar,
}

impl Plan {
    /// `activity` is the whole data's, wherever its rows are tallied.
    pub fn new(activity: &Activity, cluster_of: &[u32], seed: u64) -> Plan {
        let (band_of, bands) = bands(activity);
        // Per band, a seeded sample of profiled accounts: the null's pool.
        let mut pool: Vec<Vec<(u64, u32)>> = vec![Vec::new(); bands];
        for (u, &b) in band_of.iter().enumerate().filter(|x| *x.1 != u32::MAX) {
            pool[b as usize].push((splitmix(seed ^ 0x5EED_0F00 ^ u as u64), u as u32));
        }
        let pool: Vec<Vec<u32>> = pool
            .into_iter()
            .map(|mut p| {
                p.sort_unstable();
                p.truncate(POOL_PER_BAND);
                p.into_iter().map(|x| x.1).collect()
            })
            .collect();
        let mut profile_row = vec![u32::MAX; cluster_of.len()];
        let mut rows = 0u32;
        let mut take = |u: usize, profile_row: &mut Vec<u32>| {
            if profile_row[u] == u32::MAX {
                profile_row[u] = rows;
                rows += 1;
            }
        };
        for u in 0..cluster_of.len() {
            if cluster_of[u] != NO_CLUSTER && band_of[u] != u32::MAX {
                take(u, &mut profile_row);
            }
        }
        for &u in pool.iter().flatten() {
            take(u as usize, &mut profile_row);
        }
        Plan {
            band_of,
            bands,
            pool,
            profile_row,
            profile_rows: rows as usize,
            calendar: Calendar::new(&activity.days),
        }
    }
}

/// The days the burst null moves activity over: those the data has tweets on, in blocks of at
/// most `SHIFT_BLOCK_DAYS` of them. A day without a single tweet is not one on which a member
/// could have been seen (an outage, the gap between two collections, the years before a
/// placeholder date), so it is left out; a day more than a block's length after the one before
/// starts a block of its own, as a shift is to keep slow trends. Hours are counted over these
/// days only (see [`hours`](Calendar::hours)).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Calendar {
    /// Days since the epoch (UTC), ascending.
    days: Vec<i64>,
    /// Per day of `days`: its block's first day (an index into `days`) and length in days.
    blocks: Vec<(u32, u32)>,
}

impl Calendar {
    fn new(days: &[i64]) -> Calendar {
        let block = SHIFT_BLOCK_DAYS as usize;
        let mut blocks: Vec<(u32, u32)> = Vec::with_capacity(days.len());
        let mut start = 0;
        for i in 0..days.len() {
            if i > start && (i - start == block || days[i] - days[i - 1] > SHIFT_BLOCK_DAYS) {
                start = i;
            }
            blocks.push((start as u32, 0));
        }
        for run in blocks.chunk_by_mut(|a, b| a.0 == b.0) {
            let len = run.len() as u32;
            run.iter_mut().for_each(|b| b.1 = len);
        }
        Calendar {
            days: days.to_vec(),
            blocks,
        }
    }

    /// The hour `time_ms` falls in, counted over the calendar's days from the first: a
    /// function that is quick over times in order.
    pub fn hours(&self) -> impl FnMut(i64) -> u32 + '_ {
        let mut last = (i64::MIN, 0u32);
        move |time_ms| {
            let day = time_ms.div_euclid(DAY_MS);
            if day != last.0 {
                // Every row's day is in the calendar (it is made of all the rows' days); one
                // that were not would count as the nearest day, not past the end.
                let i = self.days.partition_point(|&d| d < day);
                debug_assert!(
                    self.days.get(i) == Some(&day),
                    "day {day} not in the calendar"
                );
                last = (day, i.min(self.days.len().saturating_sub(1)) as u32);
            }
            last.1 * DAY_HOURS as u32 + (time_ms.rem_euclid(DAY_MS) / HOUR_MS) as u32
        }
    }

    /// The block of calendar hour `hour`: its first hour and its length in days.
    fn block(&self, hour: u32) -> (u32, u32) {
        let (start, len) = self.blocks[(hour / DAY_HOURS as u32) as usize];
        (start * DAY_HOURS as u32, len)
    }

    /// Whether any activity can be moved: a block of two days or more.
    fn shifts(&self) -> bool {
        self.blocks.iter().any(|b| b.1 >= 2)
    }
}

/// Tweets per (profile row, hour of the week) of `rows`, sorted: each a `u64` holding the row,
/// the hour and the count (`pack`).
pub fn tally_profiles(data: &Dataset, rows: Rows, plan: &Plan) -> Vec<u64> {
    let n = plan.profile_rows;
    // The rows' hours grouped by profile row, then counted row by row.
    let mut start = vec![0u32; n + 1];
    for r in each(rows) {
        let p = plan.profile_row[data.account[r] as usize];
        if p != u32::MAX {
            start[p as usize + 1] += 1;
        }
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut hours = vec![0u8; start[n] as usize];
    for r in each(rows) {
        let p = plan.profile_row[data.account[r] as usize];
        if p != u32::MAX {
            hours[next[p as usize] as usize] = hour_of_week(data.time_ms[r]) as u8;
            next[p as usize] += 1;
        }
    }
    drop(next);
    // At most an entry a row: room for all at once (what is never filled is never touched),
    // rather than the copies of a doubling vector.
    let mut out = Vec::with_capacity(hours.len());
    let mut count = [0u32; HOURS_PER_WEEK];
    let mut touched: Vec<u8> = Vec::new();
    for p in 0..n {
        for &h in &hours[start[p] as usize..start[p + 1] as usize] {
            if count[h as usize] == 0 {
                touched.push(h);
            }
            count[h as usize] += 1;
        }
        touched.sort_unstable();
        for h in touched.drain(..) {
            pack(
                &mut out,
                p as u32,
                h,
                std::mem::take(&mut count[h as usize]),
            );
        }
    }
    out
}

/// Counts above this are packed in several entries.
const PACKED_COUNT: u32 = (1 << 24) - 1;

/// `count` tweets of profile row `row` in hour `hour`, as entries ordered by row and hour:
/// the row in the high 32 bits, the hour in the next 8, the count in the low 24 (a count
/// that does not fit takes several entries, which add up).
fn pack(out: &mut Vec<u64>, row: u32, hour: u8, mut count: u32) {
    while count > 0 {
        let c = count.min(PACKED_COUNT);
        out.push((row as u64) << 32 | (hour as u64) << 24 | c as u64);
        count -= c;
    }
}

/// Each member's distinct active hours in `rows`: (cluster, hour of the plan's calendar,
/// account), in row order (sorted once, when finished).
pub fn tally_active_hours(
    data: &Dataset,
    rows: Rows,
    cluster_of: &[u32],
    plan: &Plan,
) -> Vec<(u32, u32, u32)> {
    // Rows come in time order, so an account's repeated hours are consecutive and one pass
    // drops them.
    let mut last_hour = vec![u32::MAX; cluster_of.len()];
    let mut stamps = Vec::with_capacity(rows.iter().map(|r| r.len()).sum()); // at most a row each
    let mut hour_of = plan.calendar.hours();
    for r in each(rows) {
        let u = data.account[r];
        let c = cluster_of[u as usize];
        if c == NO_CLUSTER {
            continue;
        }
        let hour = hour_of(data.time_ms[r]);
        if last_hour[u as usize] != hour {
            stamps.push((c, hour, u));
            last_hour[u as usize] = hour;
        }
    }
    stamps
}

/// Every cluster's rhythm, from the tallies of all the rows: tweets per profile row and hour
/// of the week, sorted (several parts' merged), and members' active hours (several parts' put
/// end to end), as [`tally_profiles`] and [`tally_active_hours`] give them. With
/// `matched_accounts`, the data's other accounts are ordinary ones, and the profiles' null
/// draws from them; without (a takedown archive), profiles have no null.
pub fn finish(
    plan: &Plan,
    (profile_hours, mut active_hours): (Vec<u64>, Vec<(u32, u32, u32)>),
    cluster_of: &[u32],
    sizes: &[usize],
    seed: u64,
    matched_accounts: bool,
) -> Vec<Rhythm> {
    let mut out = vec![Rhythm::default(); sizes.len()];
    // The profiles fill the profile fields and the bursts the burst fields: side by side.
    let mut bursts_out = out.clone();
    rayon::join(
        || {
            let profiles = UnitProfiles::of(&profile_hours, plan.profile_rows);
            drop(profile_hours);
            profiles_similarity(
                plan,
                &profiles,
                cluster_of,
                seed,
                matched_accounts,
                &mut out,
            );
        },
        || {
            active_hours.par_sort_unstable();
            active_hours.dedup();
            bursts(plan, &active_hours, sizes, seed, &mut bursts_out);
        },
    );
    for (r, b) in out.iter_mut().zip(bursts_out) {
        (r.active_hours, r.shared_hours) = (b.active_hours, b.shared_hours);
        (r.shared_null, r.burst_members) = (b.shared_null, b.burst_members);
    }
    out
}

/// Activity bands: log2 of tweets, merged from the top down until each holds `MIN_BAND`
/// profiled accounts, so the null never draws the same few very busy accounts again and again.
fn bands(activity: &Activity) -> (Vec<u32>, usize) {
    let log = |t: u32| 31 - t.leading_zeros();
    let mut count = [0usize; 33];
    for &t in activity.tweets.iter().filter(|&&t| t >= MIN_PROFILE_TWEETS) {
        count[log(t) as usize] += 1;
    }
    let mut band_of_log = [0u32; 33];
    let (mut band, mut held) = (0u32, 0usize);
    for l in (0..33).rev() {
        band_of_log[l] = band;
        held += count[l];
        if held >= MIN_BAND {
            band += 1;
            held = 0;
        }
    }
    // A last band too small to stand alone joins the one above it.
    let bands = if held > 0 && band > 0 {
        for b in band_of_log.iter_mut().filter(|b| **b == band) {
            *b = band - 1;
        }
        band as usize
    } else {
        band as usize + (held > 0) as usize
    };
    let band_of = activity
        .tweets
        .iter()
        .map(|&t| {
            if t >= MIN_PROFILE_TWEETS {
                band_of_log[log(t) as usize]
            } else {
                u32::MAX
            }
        })
        .collect();
    (band_of, bands)
}

/// Hour-of-week profiles of unit length, one row per profiled account, holding only the hours
/// an account tweeted in (a dense matrix of every clustered account took 1,344 bytes each,
/// half a GB at 10^7 tweets, for rows of a few hours). The values, and the sums taken of them,
/// are those of the dense rows: a norm is taken over the dense row, and adding the zeros left
/// out changes no sum.
struct UnitProfiles {
    offsets: Vec<u32>,
    hours: Vec<u8>,
    values: Vec<f64>,
}

impl UnitProfiles {
    /// `rows` rows from packed counts (see [`pack`]), sorted.
    fn of(counts: &[u64], rows: usize) -> UnitProfiles {
        // No more hours than entries: sized once, since doubling held up to three times the
        // values while growing (at 10^8 tweets, a GB of the scoring's peak).
        let mut p = UnitProfiles {
            offsets: Vec::with_capacity(rows + 1),
            hours: Vec::with_capacity(counts.len()),
            values: Vec::with_capacity(counts.len()),
        };
        p.offsets.push(0);
        let mut dense = [0f64; HOURS_PER_WEEK];
        let mut next = counts.iter().peekable();
        for row in 0..rows as u64 {
            dense.fill(0.0);
            while let Some(&&c) = next.peek().filter(|&&&c| c >> 32 == row) {
                dense[(c >> 24 & 0xff) as usize] += (c & PACKED_COUNT as u64) as f64;
                next.next();
            }
            let view = ArrayView1::from(&dense[..]);
            let norm = view.dot(&view).sqrt(); // every row has MIN_PROFILE_TWEETS tweets
            for (h, &c) in dense.iter().enumerate().filter(|x| *x.1 != 0.0) {
                p.hours.push(h as u8);
                p.values.push(c / norm);
            }
            p.offsets.push(p.hours.len() as u32);
        }
        p
    }

    /// Row `r`: (hour of the week, value) where the account tweeted.
    fn row(&self, r: usize) -> impl Iterator<Item = (u8, f64)> + '_ {
        let range = self.offsets[r] as usize..self.offsets[r + 1] as usize;
        self.hours[range.clone()]
            .iter()
            .copied()
            .zip(self.values[range].iter().copied())
    }
}

fn profiles_similarity(
    plan: &Plan,
    m: &UnitProfiles,
    cluster_of: &[u32],
    seed: u64,
    matched_accounts: bool,
    out: &mut [Rhythm],
) {
    let (band_of, row_of, pool) = (&plan.band_of, &plan.profile_row, &plan.pool);
    // Mean pairwise cosine of unit rows: (|sum|^2 - n) / (n (n - 1)).
    let mean_cosine = |rows: &mut dyn Iterator<Item = u32>| -> Option<f64> {
        let mut sum = Array1::<f64>::zeros(HOURS_PER_WEEK);
        let mut n = 0.0;
        for r in rows {
            for (h, v) in m.row(r as usize) {
                sum[h as usize] += v;
            }
            n += 1.0;
        }
        (n >= 3.0).then(|| ((sum.dot(&sum) - n) / (n * (n - 1.0))).clamp(0.0, 1.0))
    };
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); out.len()];
    for (u, &c) in cluster_of.iter().enumerate() {
        if c != NO_CLUSTER && band_of[u] != u32::MAX {
            members[c as usize].push(u as u32);
        }
    }
    for (r, ms) in out.iter_mut().zip(&members) {
        r.profiled = ms.len() as u64;
        r.profile_similarity = mean_cosine(&mut ms.iter().map(|&u| row_of[u as usize]));
        if r.profile_similarity.is_none() || !matched_accounts {
            continue;
        }
        let mut null = 0.0;
        for d in 0..PROFILE_DRAWS {
            // Each member replaced by a distinct random pool account of its band.
            // Seeded by the cluster's first member, not its number: a cluster's figures
            // depend on its members only.
            let offset = splitmix(seed ^ ((ms[0] as u64) << 20) ^ d) as usize;
            let mut next = vec![0usize; plan.bands];
            // (7919 is prime, so the first `p.len()` picks are distinct; members beyond the
            // pool's size are left out of the draw rather than drawn twice.)
            let mut draw = ms.iter().filter_map(|&u| {
                let b = band_of[u as usize] as usize;
                let p = &pool[b];
                let k = next[b];
                next[b] += 1;
                (k < p.len()).then(|| row_of[p[(offset + k * 7919) % p.len()] as usize])
            });
            null += mean_cosine(&mut draw).unwrap_or(0.0);
        }
        r.profile_null = Some(null / PROFILE_DRAWS as f64);
    }
}

/// Shared bursts from the members' distinct active hours (sorted).
fn bursts(plan: &Plan, stamps: &[(u32, u32, u32)], sizes: &[usize], seed: u64, out: &mut [Rhythm]) {
    // Blocks are laid over the whole data's days, so a cluster's null does not depend on
    // which other accounts are clustered.
    let calendar = &plan.calendar;
    for (r, &m) in out.iter_mut().zip(sizes) {
        r.burst_members = 2.max(m.div_ceil(10) as u32);
    }
    // Each cluster's stamps are one run.
    let runs = || stamps.chunk_by(|x, y| x.0 == y.0);
    // One cluster's (active member-hours, shared ones), from how many members each of its
    // hours holds.
    let count = |c: usize, members_per_hour: &mut dyn Iterator<Item = usize>| {
        let mut counts = (0u64, 0u64);
        for n in members_per_hour {
            counts.0 += n as u64;
            if n as u32 > out[c].burst_members {
                counts.1 += n as u64;
            }
        }
        counts
    };
    let mut observed = vec![(0u64, 0u64); out.len()];
    for run in runs() {
        let c = run[0].0 as usize;
        observed[c] = count(c, &mut run.chunk_by(|x, y| x.1 == y.1).map(<[_]>::len));
    }
    // Null: each account moved by its own whole number of days, circularly within its block
    // (a bijection on its hours, so its active hours stay distinct). Cluster by cluster, so
    // that only one cluster's hours are held per thread.
    let null: Vec<(u64, u64)> = if !calendar.shifts() {
        Vec::new() // no block of two days: no whole-day shift to compare with
    } else {
        let day = DAY_HOURS as u32;
        let shift = |d: u64, h: u32, u: u32| {
            let (start, len) = calendar.block(h);
            if len < 2 {
                return h;
            }
            let days = 1 + (splitmix(seed ^ (d << 40) ^ u as u64) % (len as u64 - 1)) as u32;
            start + (h - start + days * day) % (len * day)
        };
        let clusters: Vec<&[(u32, u32, u32)]> = runs().collect();
        let mut null = vec![(0u64, 0u64); out.len()];
        // Members per shifted hour, counted in a histogram (a sort per draw took most of the
        // time at 10^8 tweets) of the hours of the blocks the cluster touches, one after
        // another, each given a whole block's room: a shift stays in its block, and a
        // histogram of all the data's hours grows with its days. Only the hours touched are
        // read back.
        let block_hours = SHIFT_BLOCK_DAYS as u32 * day;
        let drawn: Vec<(usize, (u64, u64))> = clusters
            .par_iter()
            .map_init(
                || (Vec::new(), Vec::new(), Vec::new()),
                |(members, touched, slot_of): &mut (Vec<u32>, Vec<u32>, Vec<i64>), run| {
                    let c = run[0].0 as usize;
                    // Each stamp's offset from its hour to its slot (the run is in hour order,
                    // so a block's stamps are together).
                    slot_of.clear();
                    let (mut blocks, mut last) = (0i64, u32::MAX);
                    for &(_, h, _) in run.iter() {
                        let start = calendar.block(h).0;
                        if start != last {
                            (blocks, last) = (blocks + 1, start);
                        }
                        slot_of.push((blocks - 1) * block_hours as i64 - start as i64);
                    }
                    let need = (blocks * block_hours as i64) as usize;
                    if members.len() < need {
                        members.resize(need, 0);
                    }
                    let mut sum = (0, 0);
                    for d in 0..SHIFT_DRAWS {
                        for (&(_, h, u), &to_slot) in run.iter().zip(slot_of.iter()) {
                            let slot = (shift(d, h, u) as i64 + to_slot) as u32;
                            if members[slot as usize] == 0 {
                                touched.push(slot);
                            }
                            members[slot as usize] += 1;
                        }
                        let mut per_hour = touched.iter().map(|&h| members[h as usize] as usize);
                        let (a, s) = count(c, &mut per_hour);
                        for h in touched.drain(..) {
                            members[h as usize] = 0;
                        }
                        sum = (sum.0 + a, sum.1 + s);
                    }
                    (c, sum)
                },
            )
            .collect();
        for (c, x) in drawn {
            null[c] = x;
        }
        null
    };
    for (c, r) in out.iter_mut().enumerate() {
        (r.active_hours, r.shared_hours) = observed[c];
        if let Some(&(a, s)) = null.get(c).filter(|x| x.0 > 0) {
            r.shared_null = Some(s as f64 / a as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_of_the_week_start_on_monday_utc() {
        // 1970-01-01 00:00 UTC was a Thursday: 3 days after Monday 00h.
        assert_eq!(hour_of_week(0), 72);
        // 2024-01-01 (a Monday) 00:00 and 13:30 UTC.
        assert_eq!(hour_of_week(1_704_067_200_000), 0);
        assert_eq!(
            hour_of_week(1_704_067_200_000 + 13 * HOUR_MS + 1_800_000),
            13
        );
        assert_eq!(hour_of_week(-1), 71);
    }

    #[test]
    fn the_calendar_keeps_days_with_tweets_in_blocks_of_two_weeks() {
        // A stray day at the epoch, then 31 days in a row with one missing (day 17,080).
        let days: Vec<i64> = std::iter::once(0)
            .chain((17_075..17_106).filter(|&d| d != 17_080))
            .collect();
        let c = Calendar::new(&days);
        let lens: Vec<u32> = c
            .blocks
            .chunk_by(|a, b| a.0 == b.0)
            .map(|b| b[0].1)
            .collect();
        assert_eq!(lens, [1, 14, 14, 2]);
        assert!(c.shifts());
        let mut hour = c.hours();
        assert_eq!(hour(0), 0);
        assert_eq!(hour(17_075 * DAY_MS + 5 * HOUR_MS), 24 + 5);
        // The missing day takes no hours: the day after it follows the one before.
        assert_eq!(hour(17_081 * DAY_MS), 24 * 6);
        assert_eq!(c.block(24 * 6), (24, 14));
        assert!(!Calendar::new(&[3, 40]).shifts());
    }
}
