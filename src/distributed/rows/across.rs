//! Process 0's side: the rows held across the processes, asked for what the graphs and
//! scoring read of them ([`RowsAcross`]).

use super::*;

/// Process 0's side: the rows the others hold, tallied there.
pub struct RowsAcross<P: Piece> {
    pub(super) link: Mailbox<P>,
    /// The rows each process holds (process 0's own empty).
    pub(super) held: Vec<Vec<u32>>,
    /// The rows process 0 parsed itself, which it tallies.
    pub(super) here: Vec<Range<usize>>,
    /// Rows each process tallied, the last time.
    pub(super) tallied: std::sync::Mutex<Vec<u64>>,
    /// Process 0's own rows, once taken out of the dataset ([`RowsAcross::hold_own`]):
    /// it then answers for them as the others do for theirs, and `here` is empty.
    pub(super) own: Option<RwLock<Holder>>,
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
            own: None,
        }
    }

    /// Hold process 0's own rows, placed apart from the dataset, as the others hold theirs.
    pub fn hold_own(&mut self, shard: Shard) {
        self.here = Vec::new();
        self.own = Some(RwLock::new(Holder::new(shard)));
    }

    /// How many rows process 0 holds apart, if it does.
    pub fn own_rows(&self) -> Option<usize> {
        self.own().map(|h| h.shard.len())
    }

    /// Process 0's own rows, if held apart from the dataset.
    pub(super) fn own(&self) -> Option<std::sync::RwLockReadGuard<'_, Holder>> {
        (self.own.as_ref()).map(|h| h.read().unwrap_or_else(|e| e.into_inner()))
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

    fn tally(&self, ask: &Ask, here: &(dyn Fn() -> Tally + Sync)) -> Result<Tally> {
        let owned = Said::Tally(OwnedAsk {
            cluster_of: ask.cluster_of.to_vec(),
            clusters: ask.clusters,
            plan: ask.plan.clone(),
            seed: ask.seed,
            hashtags: ask.hashtags,
            ties_of: ask.ties_of.to_vec(),
            windows: ask.windows.to_vec(),
        });
        let mut tallied = vec![0; self.held.len()];
        let sum = self.ask(
            owned,
            here,
            |h| h.tally(ask, &[], None),
            |from, t: &Tally| tallied[from] = t.rows,
            |a, b| a + b,
        )?;
        *self.tallied.lock().unwrap_or_else(|e| e.into_inner()) = tallied;
        Ok(sum)
    }

    fn activity(&self, accounts: usize, here: &(dyn Fn() -> Activity + Sync)) -> Result<Activity> {
        let own = |h: &Holder| h.activity(accounts);
        self.ask(
            Said::Activity(accounts),
            here,
            own,
            |_, _| {},
            |a, b| a + &b,
        )
    }

    fn report(
        &self,
        cluster_of: &[u32],
        clusters: usize,
        here: &(dyn Fn() -> ReportTally + Sync),
    ) -> Result<ReportTally> {
        let said = Said::Report(cluster_of.to_vec(), clusters);
        let own = |h: &Holder| h.report(cluster_of, clusters);
        self.ask(said, here, own, |_, _| {}, |a, b| a + b)
    }

    fn timeline(
        &self,
        ask: &TimelineAsk,
        here: &(dyn Fn() -> Timeline + Sync),
    ) -> Result<Timeline> {
        let own = |h: &Holder| h.timeline(ask);
        self.ask(
            Said::Timeline(ask.clone()),
            here,
            own,
            |_, _| {},
            |a, b| a + b,
        )
    }

    fn profile_pairs(
        &self,
        opts: &ProfileOptions,
        accounts: usize,
        here: &(dyn Fn() -> FamilyPairs + Sync),
    ) -> Result<FamilyPairs> {
        let said = Said::Profiles(opts.families.clone(), opts.min_text_chars);
        let families = opts.families.len();
        let valid = |_, p: &FamilyPairs| {
            p.len() == families && p.iter().flatten().all(|&(a, _)| (a as usize) < accounts)
        };
        let join = |mut all: FamilyPairs, more: FamilyPairs| {
            all.iter_mut().zip(more).for_each(|(a, m)| a.extend(m));
            all
        };
        let own = |h: &Holder| h.profiles(opts.families.clone(), opts.min_text_chars);
        self.ask_valid(said, here, own, valid, join, "its rows' profile actions")
    }

    fn rows(&self, rows: &[u32], texts: bool) -> Result<HashMap<u32, RowSeen>> {
        let ask = |at| Said::Rows(at, texts);
        self.read_rows(rows, ask, |h, at| h.rows(at, texts))
    }
}

impl<P: Piece> RowsAcross<P> {
    /// Name the rows dated far from the rest that reading found (`stats.far_dates`): their
    /// holders say whose they are and their tweet ids.
    pub fn name_far_dates(&self, data: &Dataset, stats: &mut IngestStats) -> Result<()> {
        let Some(far) = stats.far_dates.take() else {
            return Ok(());
        };
        let rows: Vec<u32> = far.examples.iter().map(|&(r, _)| r).collect();
        let named = self.read_rows(&rows, Said::Tweets, |h, at| h.tweets(at))?;
        stats.add_far_dates(&far, |r| match named.get(&r) {
            Some((account, tweet)) => (data.accounts.key(*account).to_string(), tweet.clone()),
            None => (String::new(), None),
        });
        Ok(())
    }

    /// What each of the dataset rows `rows` that a process other than 0 holds says, as
    /// `ask` asks it (of rows by their place in its shard) and `own` reads it of process 0's
    /// own rows where it holds them apart: by row.
    fn read_rows<T: serde::de::DeserializeOwned>(
        &self,
        rows: &[u32],
        ask: impl Fn(Vec<u32>) -> Said,
        own: impl Fn(&Holder, &[u32]) -> Option<Vec<T>>,
    ) -> Result<HashMap<u32, T>> {
        let mut asked: Vec<Vec<u32>> = vec![Vec::new(); self.held.len()];
        for &r in rows {
            for (p, held) in self.held.iter().enumerate().skip(1) {
                if let Ok(i) = held.binary_search(&r) {
                    asked[p].push(i as u32);
                }
            }
        }
        let mut out = HashMap::new();
        if let Some(h) = self.own() {
            let at: Vec<u32> = (rows.iter())
                .filter_map(|&r| h.shard.rows.binary_search(&r).ok().map(|i| i as u32))
                .collect();
            let seen = own(&h, &at).expect("places found in the shard");
            out.extend(at.iter().map(|&i| h.shard.rows[i as usize]).zip(seen));
        }
        for (p, at) in asked.iter().enumerate().skip(1) {
            if !at.is_empty() {
                self.link.post(p, &ask(at.clone()))?;
            }
        }
        for _ in asked.iter().skip(1).filter(|at| !at.is_empty()) {
            let (from, seen) = self.link.mail::<Vec<T>>()?;
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

/// Process 0's side of the search for the originals: the sources of the rows here, found
/// with the others, and how many of theirs the others found.
impl<P: Piece> HeldApart for RowsAcross<P> {
    fn sources(&self, data: &Dataset) -> Result<(RowSources, Vec<u64>)> {
        // The others form their offers while this process forms its own.
        for p in 1..self.held.len() {
            self.link.post(p, &Said::Find(Round::Begin))?;
        }
        let mut rounds = Rounds {
            link: &self.link,
            early: Vec::new(),
            begin_due: false,
        };
        let mut sources = RowSources::here(vec![None; data.len()]);
        let mut found_by = vec![0u64; self.held.len()];
        if let Some(own) = &self.own {
            // The sources of process 0's own rows stay with them, as the others' do.
            let mut own = own.write().unwrap_or_else(|e| e.into_inner());
            let found = find_sources(own.held(), Some(data), &mut rounds)?;
            found_by[0] = own.found(found);
        } else {
            let held = Held {
                data,
                here: &self.here,
                global: None,
            };
            // Process 0 keeps every row here, the originals' among them.
            for (r, s, _) in find_sources(held, Some(data), &mut rounds)? {
                sources.by_row[r as usize] = Some(s);
                found_by[0] += 1;
            }
        }
        let mut got: Vec<Option<Round>> = (0..self.held.len()).map(|_| None).collect();
        got[0] = Some(Round::Found(0));
        rounds.gather(&mut got, Round::Found(0).step())?;
        for (p, round) in got.into_iter().enumerate().skip(1) {
            match round {
                Some(Round::Found(found)) if found <= self.held[p].len() as u64 => {
                    found_by[p] = found
                }
                _ => return Err(unexpected_in(&self.link, p, "sources of rows it holds")),
            }
        }
        if let Some(&(q, _)) = rounds.early.first() {
            return Err(unexpected_in(
                &self.link,
                q,
                "a round of the sources' search",
            ));
        }
        Ok((sources, found_by))
    }

    fn take_items(
        &self,
        data: &Dataset,
        kind: CoactionKind,
        opts: &GraphOptions,
        sources: &[Option<Source>],
    ) -> Result<(Actions, ItemsSummary)> {
        let n = self.held.len();
        let (min_chars, similarity) = (opts.filter.min_text_chars, opts.similarity);
        similarity::check_similarity(similarity)?;
        for p in 1..n {
            self.link
                .post(p, &Said::Items(kind, min_chars, similarity))?;
        }
        let mut rounds = NearRounds {
            link: &self.link,
            early: Vec::new(),
            shares: Vec::new(),
        };
        let texts = (min_chars, similarity);
        let (mut out, coarse, (taken, unplaced)) = match (kind, self.own()) {
            (CoactionKind::CoSimilar, Some(h)) => {
                let global = Some(&h.shard.rows[..]);
                near_items(&mut rounds, &h.shard.data, h.here(), global, texts)?
            }
            (CoactionKind::CoSimilar, None) => {
                near_items(&mut rounds, data, &self.here, None, texts)?
            }
            (_, Some(h)) => (h.items(kind, min_chars, n))
                .unwrap_or_else(|| (vec![Vec::new(); n], Default::default(), (0, 0))),
            (_, None) => {
                let original_of = |r: usize| sources.get(r).copied().flatten()?.original_row();
                let keys = actions::keys_of_rows(data, kind, min_chars, &original_of, &self.here);
                let (keyed, unplaced) = keys.unwrap_or_default();
                let taken = keyed.len();
                let (out, coarse) = items_by_owner(data, keyed, None, n);
                (out, coarse, (taken, unplaced))
            }
        };
        let mut all = std::mem::take(&mut out[0]);
        for (p, actions) in out.into_iter().enumerate().skip(1) {
            self.link.post(p, &Said::Share(Share { kind, actions }))?;
        }
        let mut whole = ItemsSummary::default();
        let (mut shares, mut summaries) = (vec![false; n], vec![false; n]);
        shares[0] = true;
        summaries[0] = true;
        let wrong = |q| unexpected_in(&self.link, q, "its part of the actions on items");
        if let Some(&(q, _)) = rounds.early.first() {
            return Err(unexpected_in(&self.link, q, "a round of grouping texts"));
        }
        // First the shares of processes done with co-similar's rounds before this one was.
        let mut came = (rounds.shares.into_iter()).map(|(q, share)| (q, Said::Share(share)));
        while shares.iter().chain(&summaries).any(|&got| !got) {
            let said = match came.next() {
                Some(said) => said,
                None => self.link.mail::<Said>()?,
            };
            match said {
                (q, Said::Share(share)) if q < n && !shares[q] => {
                    let mine = |&(item, ..): &Travelling| held::owner(item, n) == 0;
                    let known = |a: &Travelling| (a.2 as usize) < data.accounts.len();
                    if share.kind != kind || !share.actions.iter().all(|a| mine(a) && known(a)) {
                        return Err(wrong(q));
                    }
                    all.extend(share.actions);
                    shares[q] = true;
                }
                (q, Said::Summary(part)) if q < n && shares[q] && !summaries[q] => {
                    whole = whole + *part;
                    summaries[q] = true;
                }
                (q, _) => return Err(wrong(q)),
            }
        }
        let owned = actions::from_travelled(kind, all);
        let whole = ItemsSummary::of(&owned, coarse).taken(0, n, (taken, unplaced)) + whole;
        Ok((owned, whole))
    }

    fn pair_items(&self, ask: &ItemsAsk) -> Result<ItemsSlots> {
        let n = self.held.len();
        for p in 1..n {
            self.link.post(p, &Said::Pair(ask.clone()))?;
        }
        let mut sum = ItemsSlots::default();
        let mut got = vec![false; n];
        for _ in 1..n {
            match self.link.mail::<Said>()? {
                (q, Said::Slots(part)) if 0 < q && q < n && !got[q] => {
                    sum = sum + part;
                    got[q] = true;
                }
                (q, _) => return Err(unexpected_in(&self.link, q, "its items' slots")),
            }
        }
        Ok(sum)
    }

    fn pair_edges(
        &self,
        ask: &ItemsAsk,
        here: &(dyn Fn() -> EdgeParts + Sync),
    ) -> Result<Vec<EdgeParts>> {
        let n = self.held.len();
        for p in 1..n {
            self.link.post(p, &Said::Pair(ask.clone()))?;
        }
        let mut got: Vec<Option<EdgeParts>> = (0..n).map(|_| None).collect();
        got[0] = Some(here());
        for _ in 1..n {
            match self.link.mail::<Said>()? {
                (q, Said::Edges(parts))
                    if 0 < q && q < n && got[q].is_none() && parts.within(ask.accounts) =>
                {
                    got[q] = Some(*parts)
                }
                (q, _) => return Err(unexpected_in(&self.link, q, "its parts of the edges")),
            }
        }
        Ok(got.into_iter().flatten().collect())
    }

    fn name_items(
        &self,
        data: &Dataset,
        kind: CoactionKind,
        items: &[(u64, u32)],
    ) -> Result<Vec<String>> {
        let kind = Some(kind);
        let mut rows: Vec<u32> = (items.iter())
            .filter(|&&(key, _)| actions::names_by_row(kind, key))
            .map(|&(_, row)| row)
            .collect();
        rows.sort_unstable();
        rows.dedup();
        let mut said = self.read_rows(&rows, Said::Names, |h, at| h.names(at))?;
        if self.own.is_none() {
            // Process 0 keeps the rows it parsed in the dataset.
            for range in &self.here {
                let lo = rows.partition_point(|&r| (r as usize) < range.start);
                let hi = rows.partition_point(|&r| (r as usize) < range.end);
                said.extend(
                    rows[lo..hi]
                        .iter()
                        .map(|&r| (r, RowName::of(data, r as usize))),
                );
            }
        }
        Ok((items.iter())
            .map(|&(key, row)| actions::item_name(data, kind, key, said.get(&row)))
            .collect())
    }

    fn retweet_part(&self, data: &Dataset, sources: &RowSources) -> Result<RetweetPart> {
        let accounts = data.accounts.len();
        self.ask_valid(
            Said::RetweetPart(accounts),
            &|| retweet::retweet_part(data, sources, &self.here),
            |h| h.retweet_part(),
            |_, part: &RetweetPart| part.within(accounts),
            |a, b| a + b,
            "retweets of accounts it knows",
        )
    }

    fn retweet_keys(&self, data: &Dataset, sources: &[Option<Source>]) -> Vec<u64> {
        match self.own() {
            Some(h) => h.retweet_keys(),
            None => retweet::pair_keys(data, sources, &self.here),
        }
    }

    fn retweet_totals(&self, accounts: usize) -> Result<RetweetTotals> {
        // Process 0's own rows' totals are its keys' (`retweet_keys`), counted by the caller.
        self.ask_valid(
            Said::Retweets(accounts),
            &RetweetTotals::default,
            |_| RetweetTotals::default(),
            |_, t: &RetweetTotals| t.within(accounts),
            |mut a, b| {
                a.extend(b);
                a
            },
            "retweets of accounts it knows",
        )
    }
}

impl<P: Piece> RowsAcross<P> {
    /// [`RowsAcross::ask`], where each answer must be `valid`: otherwise an error naming the
    /// first process whose answer is not (it must answer with `what`).
    fn ask_valid<T: serde::de::DeserializeOwned>(
        &self,
        said: Said,
        here: &(dyn Fn() -> T + Sync),
        own: impl Fn(&Holder) -> T,
        mut valid: impl FnMut(usize, &T) -> bool,
        add: impl Fn(T, T) -> T,
        what: &str,
    ) -> Result<T> {
        let mut wrong = None;
        let sum = self.ask(
            said,
            here,
            own,
            |from, t| {
                if !valid(from, t) {
                    wrong.get_or_insert(from);
                }
            },
            add,
        )?;
        match wrong {
            Some(p) => Err(unexpected_in(&self.link, p, what)),
            None => Ok(sum),
        }
    }

    /// Ask every other process `said`, take `here` meanwhile (and `own` of process 0's own
    /// rows, where they are held apart), and add the answers to it in the order they come
    /// (`seen` sees each with the process it came from).
    pub(super) fn ask<T: serde::de::DeserializeOwned>(
        &self,
        said: Said,
        here: &(dyn Fn() -> T + Sync),
        own: impl Fn(&Holder) -> T,
        mut seen: impl FnMut(usize, &T),
        add: impl Fn(T, T) -> T,
    ) -> Result<T> {
        for p in 1..self.held.len() {
            self.link.post(p, &said)?;
        }
        drop(said);
        let mut sum = here();
        if let Some(h) = self.own() {
            sum = add(sum, own(&h));
        }
        seen(0, &sum);
        for _ in 1..self.held.len() {
            let (from, t) = self.link.mail::<T>()?;
            seen(from, &t);
            sum = add(sum, t);
        }
        Ok(sum)
    }
}
