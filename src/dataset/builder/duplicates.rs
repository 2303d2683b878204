//! Repeated tweet ids: which rows share one, within a file and across files, and which of
//! them the dataset keeps.

use super::*;

impl DatasetBuilder {
    /// A duplicate is a row equal to an earlier one in id, account, target and items.
    pub(super) fn find_duplicates(&self) -> (Vec<bool>, Vec<Duplicate>, u64) {
        let d = &self.data;
        let mut dropped = vec![false; d.len()];
        let by_id = recurring_ids(&d.tweet_id);
        let groups = by_id.chunk_by(|&a, &b| d.tweet_id[a as usize] == d.tweet_id[b as usize]);
        let same = |a: usize, b: usize| {
            d.account[a] == d.account[b]
                && d.flags[a] & 3 == d.flags[b] & 3
                && ((d.target_tweet[a] == d.target_tweet[b] && d.items(a) == d.items(b))
                    || self.one_tweet(self.file_of(a), self.file_of(b)))
        };
        let (mut repeated, reused) = repeats(groups, same, &mut dropped);
        let idless: Vec<(u32, RepeatRow)> = (self.idless_overlaps().into_iter())
            .map(|r| (r, self.repeat_row(r as usize)))
            .collect();
        let time = |r: u32| d.time_ms[r as usize];
        repeated.extend(repeated_across_files(&idless, time, &mut dropped));
        let mut duplicates: Vec<Duplicate> = (repeated.iter())
            .map(|&r| Duplicate {
                file: self.file_of(r as usize),
                line: self.row_line[r as usize],
                tweet_id: d.tweet_key(d.tweet_id[r as usize]).unwrap_or_default(),
            })
            .collect();
        duplicates
            .sort_by(|a, b| (a.file, a.line, &a.tweet_id).cmp(&(b.file, b.line, &b.tweet_id)));
        (dropped, duplicates, reused)
    }

    /// Rows `rows` (a builder [`for_shard`](Self::for_shard), its ids placed) whole, for
    /// process 0 to tell repeated records by.
    pub fn repeat_rows(&self, rows: &[u32]) -> Result<Vec<RepeatRow>> {
        let d = &self.data;
        if let Some(&r) = rows.iter().find(|&&r| r as usize >= d.len()) {
            return Err(Error::cluster(format!(
                "process 0 asked for row {r} of the {} this process sent: every process must \
                 run the same build",
                d.len()
            )));
        }
        Ok(rows.iter().map(|&r| self.repeat_row(r as usize)).collect())
    }

    /// Row `r` whole, as process 0 tells repeated records by.
    fn repeat_row(&self, r: usize) -> RepeatRow {
        let d = &self.data;
        RepeatRow {
            tweet: d.tweet_key(d.tweet_id[r]),
            account: d.account[r],
            target: d.tweet_key(d.target_tweet[r]),
            kind: d.flags[r] & 3,
            items: d.items(r).iter().map(|i| i.0).collect(),
            text: d.text(r).map(|t| hash_bytes(t.as_bytes())),
            file: self.file_of(r),
            line: self.row_line[r],
        }
    }

    /// Rows without a tweet id that may repeat a row of another file (extracts that overlap,
    /// such as a month's file given beside its half-year's): those in files whose id-less
    /// rows' spans meet another file's, at a time such a row of another file has too. Rising.
    /// Only the rows' times, ids and files are read, which process 0 holds of every row.
    pub(super) fn idless_overlaps(&self) -> Vec<u32> {
        let d = &self.data;
        let ends = (self.file_starts.iter().skip(1).map(|x| x.0)).chain([d.len()]);
        let mut spans: Vec<(i64, i64, usize, usize)> = (self.file_starts.iter().zip(ends))
            .filter_map(|(&(start, _), end)| {
                let idless = (start..end).filter(|&r| d.tweet_id[r] == NO_TWEET);
                let (lo, hi) = idless.fold((i64::MAX, i64::MIN), |(lo, hi), r| {
                    (lo.min(d.time_ms[r]), hi.max(d.time_ms[r]))
                });
                (lo <= hi).then_some((lo, hi, start, end))
            })
            .collect();
        spans.sort_unstable();
        let mut meets = vec![false; spans.len()];
        let mut reach = (i64::MIN, usize::MAX); // the latest end so far, and its file's span
        for i in 0..spans.len() {
            if spans[i].0 <= reach.0 {
                (meets[i], meets[reach.1]) = (true, true);
            }
            if spans[i].1 > reach.0 {
                reach = (spans[i].1, i);
            }
        }
        let mut rows: Vec<u32> = (spans.iter().zip(&meets))
            .filter(|x| *x.1)
            .flat_map(|(&(_, _, start, end), _)| start as u32..end as u32)
            .filter(|&r| d.tweet_id[r as usize] == NO_TWEET)
            .collect();
        rows.par_sort_unstable_by_key(|&r| (d.time_ms[r as usize], r));
        let mut overlaps = Vec::new();
        for group in rows.chunk_by(|&a, &b| d.time_ms[a as usize] == d.time_ms[b as usize]) {
            let file = self.file_of(group[0] as usize);
            if group.iter().any(|&r| self.file_of(r as usize) != file) {
                overlaps.extend_from_slice(group);
            }
        }
        overlaps.sort_unstable();
        overlaps
    }

    fn file_of(&self, row: usize) -> u32 {
        let i = self.file_starts.partition_point(|&(start, _)| start <= row);
        self.file_starts[i.saturating_sub(1)].1
    }
}

/// Rows whose tweet id another row has too, by id and then row: none when the ids rise row
/// after row, as an archive's do.
pub(super) fn recurring_ids(ids: &[u64]) -> Vec<u32> {
    let mut known = ids.iter().filter(|&&id| id != NO_TWEET);
    let rising = known.next().is_none_or(|&first| {
        known
            .try_fold(first, |prev, &id| (id > prev).then_some(id))
            .is_some()
    });
    if rising {
        return Vec::new();
    }
    let mut by_id: Vec<u32> = (0..ids.len() as u32)
        .filter(|&r| ids[r as usize] != NO_TWEET)
        .collect();
    by_id.par_sort_unstable_by_key(|&r| (ids[r as usize], r));
    let mut recurring = Vec::new();
    for group in by_id.chunk_by(|&a, &b| ids[a as usize] == ids[b as usize]) {
        if group.len() > 1 {
            recurring.extend_from_slice(group);
        }
    }
    recurring
}

/// Of `groups` (rows sharing a tweet id, each group in row order), the rows that repeat an
/// earlier kept row of their group (`same`), marked in `dropped`; and how many rows reuse an
/// id for another record (kept: an action CSV may list one share acting on two objects).
pub(super) fn repeats<'a>(
    groups: impl Iterator<Item = &'a [u32]>,
    same: impl Fn(usize, usize) -> bool,
    dropped: &mut [bool],
) -> (Vec<u32>, u64) {
    let (mut repeated, mut reused) = (Vec::new(), 0);
    for group in groups {
        for (i, &r) in group.iter().enumerate().skip(1) {
            let r = r as usize;
            let mut earlier = (group[..i].iter().map(|&k| k as usize)).filter(|&k| !dropped[k]);
            if earlier.any(|k| same(k, r)) {
                dropped[r] = true;
                repeated.push(r as u32);
            } else {
                reused += 1;
            }
        }
    }
    (repeated, reused)
}

/// Of `rows` (rows without a tweet id, whole, rising: [`DatasetBuilder::idless_overlaps`]),
/// those that repeat a kept row of another, earlier file at the same time (`time`) in
/// account, kind, target, text and items, marked in `dropped`. A row repeated within one file
/// stays: nothing tells it from two tweets alike in the same minute.
pub(super) fn repeated_across_files(
    rows: &[(u32, RepeatRow)],
    time: impl Fn(u32) -> i64,
    dropped: &mut [bool],
) -> Vec<u32> {
    let key = |i: usize| {
        let (r, w) = &rows[i];
        (time(*r), w.account, w.kind, w.text, &w.target)
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| (key(a), a).cmp(&(key(b), b)));
    let mut repeated = Vec::new();
    for group in order.chunk_by(|&a, &b| key(a) == key(b)) {
        for (i, &at) in group.iter().enumerate().skip(1) {
            let (r, row) = &rows[at];
            let copy = |&k: &usize| {
                let (earlier, e) = &rows[k];
                !dropped[*earlier as usize] && e.file != row.file && e.items == row.items
            };
            if group[..i].iter().any(copy) {
                dropped[*r as usize] = true;
                repeated.push(*r);
            }
        }
    }
    repeated
}
