//! The end of building: the rows placed, in order and without repeats, into a `Dataset`,
//! or held across the processes of a run (a `Shard` each).

use super::*;

impl DatasetBuilder {
    /// Resolve screen-name mentions, drop repeated records (unless `keep_repeated`) and sort
    /// every column by time. Returns the dataset, the repeated records (dropped or kept), and
    /// how many rows share a tweet id with a different record (kept: an action CSV may list
    /// one share acting on two objects).
    pub fn finish(self, keep_repeated: bool) -> (Dataset, Vec<Duplicate>, u64) {
        let built = self.finish_placing(keep_repeated, 1);
        (built.data, built.duplicates, built.reused)
    }

    /// [`finish`](Self::finish), and where the records each of `processes` processes sent
    /// went, by process number (process 0's own, not sent, has no placement).
    pub fn finish_placing(mut self, keep_repeated: bool, processes: usize) -> Built {
        self.resolve_mention_names();
        let (mut dropped, duplicates, reused) = self.find_duplicates();
        if keep_repeated {
            dropped.iter_mut().for_each(|d| *d = false);
        }
        let mut d = std::mem::take(&mut self.data);

        // Rows already in time order, none dropped (the usual archive), stay where they are.
        let in_order = dropped.iter().all(|&x| !x) && d.time_ms.is_sorted();
        let mut order: Vec<u32> = (0..d.len() as u32)
            .filter(|&r| !dropped[r as usize])
            .collect();
        if !in_order {
            order.par_sort_by_key(|&r| (d.time_ms[r as usize], r));
        }
        let far_dates = FarDates::of(&order, |&r| d.time_ms[r as usize], EXAMPLES);
        let new_row: HashMap<u32, u32> = if d.reply_quotes.is_empty() {
            HashMap::new()
        } else {
            order
                .iter()
                .enumerate()
                .map(|(new, &old)| (old, new as u32))
                .collect()
        };

        let mut placed = self.placements(&order, &dropped, processes);
        // Records sent whole: each placement says which id each number stands for. (Merged by
        // their outlines, the ids were said before: `outlined_ids`.)
        for (p, placement) in placed.iter_mut().enumerate() {
            placement.ids = self.ids_of(p);
        }
        if !in_order {
            reorder(&mut d, &order);
        }
        d.reply_quotes = d
            .reply_quotes
            .iter()
            .filter_map(|&(r, t, a)| new_row.get(&r).map(|&n| (n, t, a)))
            .collect();
        d.reply_quotes.sort_unstable();
        for strings in [
            &mut d.hashtags,
            &mut d.urls,
            &mut d.langs,
            &mut d.clients,
            &mut d.tweet_keys,
        ] {
            strings.shrink_to_fit();
        }
        d.texts.shrink_to_fit();
        d.accounts.keys.shrink_to_fit();
        d.accounts.names.shrink_to_fit();
        Built {
            data: d,
            duplicates,
            reused,
            placements: placed,
            far_dates,
        }
    }

    /// Where the records of each process went, given the kept rows in their new order: in
    /// the order each process sent them, as [`Placement`]s (process 0's, when its own were
    /// not sent, covers none), their ids not yet filled.
    pub(super) fn placements(
        &self,
        order: &[u32],
        dropped: &[bool],
        processes: usize,
    ) -> Vec<Placement> {
        if processes < 2 {
            return Vec::new();
        }
        let senders =
            (self.pushed_by.iter().map(|&(_, p)| p as usize + 1)).fold(processes, usize::max);
        let new_row = new_rows(order, dropped.len());
        let mut placed: Vec<Placement> = vec![Placement::default(); senders];
        for (start, end, p) in self.runs(dropped.len()) {
            if self.senders.sent_by(p) {
                let rows = &new_row[start as usize..end as usize];
                placed[p as usize].rows.extend_from_slice(rows);
            }
        }
        placed
    }

    /// Each run of rows one process sent, of `rows` in all: (first row, end, process).
    fn runs(&self, rows: usize) -> Vec<(u32, u32, u32)> {
        let ends = (self.pushed_by.iter().skip(1).map(|&(start, _)| start))
            .chain(std::iter::once(rows as u32));
        (self.pushed_by.iter().zip(ends))
            .map(|(&(start, p), end)| (start, end, p))
            .collect()
    }

    /// Per kind, by number, the id each string process `p` sent stands for; a mention by
    /// screen name stands for the account it names.
    fn ids_of(&self, p: usize) -> Vec<Vec<u32>> {
        let mut ids = self.senders.ids_of(p);
        for id in ids[Dict::MentionName as usize].iter_mut() {
            *id = (self.name_account.get(*id as usize).copied()).unwrap_or(NO_ACCOUNT);
        }
        ids
    }

    /// For a builder of outlines, once every batch is in: resolve the mentions by name, and
    /// for each of `processes` processes, which id each of its numbers stands for and which
    /// of its rows (by its own count, rising) share their tweet id with another row. Those
    /// rows, whole, are what [`finish_outlined`](Self::finish_outlined) tells repeats by.
    pub fn outlined_ids(&mut self, processes: usize) -> Vec<(Vec<Vec<u32>>, Vec<u32>)> {
        self.resolve_mention_names();
        let mut asked = vec![Vec::new(); processes];
        let mut recurring = recurring_ids(&self.data.tweet_id);
        recurring.extend(self.idless_overlaps());
        recurring.sort_unstable();
        let mut at = recurring.iter().peekable();
        let mut sent = vec![0u32; processes];
        for (start, end, p) in self.runs(self.data.len()) {
            let p = p as usize;
            if p >= processes {
                continue; // refused when the placements are made
            }
            while let Some(&&r) = at.peek().filter(|&&&r| r < end) {
                asked[p].push(sent[p] + r - start);
                at.next();
            }
            sent[p] += end - start;
        }
        (asked.into_iter().enumerate())
            .map(|(p, rows)| (self.ids_of(p), rows))
            .collect()
    }

    /// The dataset of outlines, with none of its rows here: `asked` and `whole` are the rows
    /// [`outlined_ids`](Self::outlined_ids) asked each process for and what it sent of them.
    /// Returns what [`finish_placing`](Self::finish_placing) returns, every process's
    /// placement included.
    pub fn finish_outlined(
        mut self,
        asked: &[Vec<u32>],
        whole: Vec<Vec<RepeatRow>>,
        keep_repeated: bool,
        processes: usize,
    ) -> Result<Built> {
        let mut rows: HashMap<u32, RepeatRow> = HashMap::new();
        let mut runs = self.runs(self.data.len());
        runs.retain(|&(_, _, p)| (p as usize) < asked.len());
        for (p, (asked, whole)) in asked.iter().zip(whole).enumerate() {
            if asked.len() != whole.len() {
                return Err(Error::cluster(format!(
                    "process {p} sent {} of the {} rows asked: every process must run the same \
                     build",
                    whole.len(),
                    asked.len()
                )));
            }
            // Process p's rows, by its own count, are its runs' rows in order.
            let mut mine = runs.iter().filter(|&&(_, _, q)| q as usize == p);
            let (mut run, mut before) = (mine.next(), 0);
            for (&local, row) in asked.iter().zip(whole) {
                while let Some(&(start, end, _)) = run.filter(|&&(s, e, _)| local >= before + e - s)
                {
                    before += end - start;
                    run = mine.next();
                }
                let Some(&(start, _, _)) = run else {
                    return Err(Error::cluster(format!(
                        "process {p}'s row {local} was asked for and is not one of its rows"
                    )));
                };
                rows.insert(start + local - before, row);
            }
        }
        let mut dropped = vec![false; self.data.len()];
        let (mut group, idless): (Vec<u32>, Vec<u32>) =
            rows.keys().partition(|&r| rows[r].tweet.is_some());
        group.sort_unstable_by(|a, b| (&rows[a].tweet, a).cmp(&(&rows[b].tweet, b)));
        let groups = group.chunk_by(|a, b| rows[a].tweet == rows[b].tweet);
        let same = |a: usize, b: usize| {
            let (a, b) = (&rows[&(a as u32)], &rows[&(b as u32)]);
            a.same_record(b) || (a.same_tweet(b) && self.one_tweet(a.file, b.file))
        };
        let (mut repeated, reused) = repeats(groups, same, &mut dropped);
        let mut idless: Vec<(u32, RepeatRow)> = (idless.into_iter())
            .map(|r| (r, rows[&r].clone()))
            .collect();
        idless.sort_unstable_by_key(|x| x.0);
        let time = |r: u32| self.data.time_ms[r as usize];
        repeated.extend(repeated_across_files(&idless, time, &mut dropped));
        let mut duplicates: Vec<Duplicate> = (repeated.iter())
            .map(|r| {
                let row = &rows[r];
                Duplicate {
                    file: row.file,
                    line: row.line,
                    tweet_id: row.tweet.clone().unwrap_or_default(),
                }
            })
            .collect();
        duplicates
            .sort_by(|a, b| (a.file, a.line, &a.tweet_id).cmp(&(b.file, b.line, &b.tweet_id)));
        if keep_repeated {
            dropped.iter_mut().for_each(|d| *d = false);
        }
        let d = &self.data;
        let mut order: Vec<u32> = (0..d.len() as u32)
            .filter(|&r| !dropped[r as usize])
            .collect();
        if !(d.time_ms.is_sorted() && order.len() == d.len()) {
            order.par_sort_by_key(|&r| (d.time_ms[r as usize], r));
        }
        let placed = self.placements(&order, &dropped, processes);
        let mut d = std::mem::take(&mut self.data);
        let far_dates = FarDates::of(&order, |&r| d.time_ms[r as usize], EXAMPLES);
        d.time_ms = Vec::new();
        d.tweet_id = Vec::new();
        d.held_apart = order.len();
        for strings in [&mut d.hashtags, &mut d.urls, &mut d.langs, &mut d.clients] {
            strings.shrink_to_fit();
        }
        d.accounts.keys.shrink_to_fit();
        d.accounts.names.shrink_to_fit();
        Ok(Built {
            data: d,
            duplicates,
            reused,
            placements: placed,
            far_dates,
        })
    }

    /// This process's rows (a builder [`for_shard`](Self::for_shard)) where `placement` puts
    /// them, with the ids it gives: the rows process 0 dropped as repeats go, the rest are put
    /// in the dataset's order (what the outlined path gives, from records sent whole: the
    /// tests' reference).
    #[cfg(test)]
    pub fn into_shard(mut self, placement: &Placement) -> Result<Shard> {
        self.place_ids(&placement.ids)?;
        self.into_rows(&placement.rows)
    }

    /// Give this process's rows (a builder [`for_shard`](Self::for_shard)) the ids process 0
    /// gives its numbers: `ids` per kind, by number.
    pub fn place_ids(&mut self, ids: &[Vec<u32>]) -> Result<()> {
        let d = &mut self.data;
        if ids.len() != Dict::ALL.len() {
            return refuse_placement("has no ids for some kinds of string".into());
        }
        if d.lang.contains(&u16::MAX) || d.client.contains(&u16::MAX) {
            return Err(Error::limit(
                "this process read more than 65,534 distinct languages or apps, more than a \
                 run across processes numbers: run on one process",
            ));
        }
        // Own ids are numbers plus one (see `Senders::own`); 0 stays "unknown".
        let mut unplaced = None;
        let mut id = |dict: Dict, own: u32| -> u32 {
            let found = (own.checked_sub(1))
                .and_then(|n| ids[dict as usize].get(n as usize).copied())
                .filter(|&id| id != NO_ACCOUNT);
            found.unwrap_or_else(|| {
                unplaced.get_or_insert((dict, own));
                NO_ACCOUNT
            })
        };
        for a in d.account.iter_mut() {
            *a = id(Dict::Account, *a);
        }
        for a in d.target_account.iter_mut().filter(|a| **a != NO_ACCOUNT) {
            *a = id(Dict::Account, *a);
        }
        for q in d.reply_quotes.iter_mut().filter(|q| q.2 != NO_ACCOUNT) {
            q.2 = id(Dict::Account, q.2);
        }
        let mut names = self.pending_names.iter().peekable();
        for (i, item) in d.items.iter_mut().enumerate() {
            let (kind, dict) = match item.kind() {
                ItemKind::Hashtag => (ItemKind::Hashtag, Dict::Hashtag),
                ItemKind::Url => (ItemKind::Url, Dict::Url),
                _ if names.peek().is_some_and(|&&(at, _)| at == i) => {
                    let (_, name) = names.next().expect("peeked");
                    *item = Item::new(ItemKind::Mention, id(Dict::MentionName, *name));
                    continue;
                }
                _ => (ItemKind::Mention, Dict::Account),
            };
            *item = Item::new(kind, id(dict, item.id()));
        }
        let small = |id: u32| u16::try_from(id).unwrap_or(u16::MAX);
        for (column, dict) in [(&mut d.lang, Dict::Lang), (&mut d.client, Dict::Client)] {
            for v in column.iter_mut().filter(|v| **v != 0) {
                *v = small(id(dict, *v as u32));
            }
        }
        if let Some((dict, own)) = unplaced {
            return refuse_placement(format!(
                "names no id for its {dict:?} number {}",
                own as i64 - 1
            ));
        }
        Ok(())
    }

    /// This process's rows, their ids placed, where `placed` puts them (each row this process
    /// sent: its row in the dataset, or [`NO_ROW`] for a repeat dropped), in the dataset's
    /// order, their texts sealed for reading.
    pub fn into_rows(mut self, placed: &[u32]) -> Result<Shard> {
        let d = &mut self.data;
        if placed.len() != d.len() {
            return refuse_placement(format!(
                "covers {} records, where this process sent {}",
                placed.len(),
                d.len()
            ));
        }
        let mut order: Vec<u32> = (0..d.len() as u32)
            .filter(|&r| placed[r as usize] != NO_ROW)
            .collect();
        order.sort_unstable_by_key(|&r| placed[r as usize]);
        let new_row = new_rows(&order, d.len());
        reorder(d, &order);
        d.reply_quotes = (d.reply_quotes.iter())
            .filter(|q| new_row[q.0 as usize] != NO_ROW)
            .map(|&(r, t, a)| (new_row[r as usize], t, a))
            .collect();
        d.reply_quotes.sort_unstable();
        d.texts.shrink_to_fit();
        d.texts.seal()?;
        let rows: Vec<u32> = order.iter().map(|&r| placed[r as usize]).collect();
        if rows.windows(2).any(|w| w[0] >= w[1]) {
            return refuse_placement("puts two records in one row".into());
        }
        Ok(Shard {
            rows,
            data: std::mem::take(&mut self.data),
        })
    }

    /// Find the account each mention by screen name names, adding one where none has the
    /// name. Names are taken in the order of their ids, which is the order of their first
    /// mentions, so an added account's id does not depend on whether the mentions are here.
    fn resolve_mention_names(&mut self) {
        if self.mention_names.is_empty() {
            return;
        }
        let accounts = &self.data.accounts;
        let mut by_name: HashMap<String, u32> = HashMap::new();
        for a in 0..accounts.len() as u32 {
            if let Some(name) = accounts.screen_name(a) {
                by_name.entry(name.to_lowercase()).or_insert(a);
            }
        }
        // Keys double as names in layouts that identify accounts by name (IRA).
        for a in 0..accounts.len() as u32 {
            by_name.entry(accounts.key(a).to_lowercase()).or_insert(a);
        }
        let names = std::mem::take(&mut self.mention_names);
        self.name_account = Vec::with_capacity(names.len());
        for id in 0..names.len() as u32 {
            let name = names.get(id);
            let account = match by_name.get(&name.to_lowercase()) {
                Some(&a) => a,
                None => {
                    let a = self.data.accounts.keys.intern(name);
                    let a = self.profile(a);
                    self.data.accounts.screen_name[a as usize] =
                        self.data.accounts.names.intern(name);
                    by_name.insert(name.to_lowercase(), a);
                    a
                }
            };
            self.name_account.push(account);
        }
        for (index, id) in std::mem::take(&mut self.pending_names) {
            self.data.items[index] = Item::new(ItemKind::Mention, self.name_account[id as usize]);
        }
    }
}

/// Process 0's placement of a process's records does not fit them.
fn refuse_placement<T>(what: String) -> Result<T> {
    Err(Error::cluster(format!(
        "process 0's placement of this process's records {what}: every process must run the \
         same build on the same inputs"
    )))
}

/// Where each of `rows` rows goes when rows `order` are kept in that order: its place in
/// `order`, or `NO_ROW`.
fn new_rows(order: &[u32], rows: usize) -> Vec<u32> {
    let mut new_row = vec![NO_ROW; rows];
    for (new, &old) in order.iter().enumerate() {
        new_row[old as usize] = new as u32;
    }
    new_row
}

/// Keep rows `order` of `d`'s row columns, in that order.
fn reorder(d: &mut Dataset, order: &[u32]) {
    let mut items = Vec::with_capacity(d.items.len());
    let mut item_offsets = Vec::with_capacity(order.len() + 1);
    item_offsets.push(0u32);
    for &r in order {
        items.extend_from_slice(d.items(r as usize));
        item_offsets.push(items.len() as u32);
    }
    d.items = items;
    d.item_offsets = item_offsets;
    d.tweet_id = permute(&d.tweet_id, order);
    d.account = permute(&d.account, order);
    d.time_ms = permute(&d.time_ms, order);
    d.flags = permute(&d.flags, order);
    d.target_tweet = permute(&d.target_tweet, order);
    d.target_account = permute(&d.target_account, order);
    d.text = permute(&d.text, order);
    d.lang = permute(&d.lang, order);
    d.client = permute(&d.client, order);
}

fn permute<T: Copy + Send + Sync>(column: &[T], order: &[u32]) -> Vec<T> {
    order.par_iter().map(|&r| column[r as usize]).collect()
}
