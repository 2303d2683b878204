//! A process's side: its rows held as a dataset of their own ([`Holder`]), and its answers
//! to process 0 until the run ends ([`serve_rows`]).

use super::*;

/// A holder's rows' actions of a kind by their items' owners, how coarse their times are
/// ([`actions::coarseness`]), and how many were taken and how many of them found no item.
pub(super) type RowsActions = (
    Vec<Vec<Travelling>>,
    (TimeResolution, usize),
    (usize, usize),
);

/// Rows a process holds, and what it answers of them: each other process's, and process 0's
/// own (kept apart from the dataset, whose columns then hold no row).
pub(super) struct Holder {
    pub(super) shard: Shard,
    /// Every row of the shard.
    pub(super) all: Range<usize>,
    /// Each row's retweet source, once the search has found them.
    pub(super) sources: Vec<Option<SourceFound>>,
}

impl Holder {
    pub(super) fn new(shard: Shard) -> Holder {
        Holder {
            all: 0..shard.len(),
            sources: vec![None; shard.len()],
            shard,
        }
    }

    /// Every row of the shard, as ranges of rows.
    pub(super) fn here(&self) -> &[Range<usize>] {
        std::slice::from_ref(&self.all)
    }

    pub(super) fn held(&self) -> Held<'_> {
        Held {
            data: &self.shard.data,
            here: self.here(),
            global: Some(&self.shard.rows),
        }
    }

    /// Keep the sources the search found (by row of the shard); how many.
    pub(super) fn found(&mut self, found: Vec<(u32, Source, Option<i64>)>) -> u64 {
        self.sources.iter_mut().for_each(|s| *s = None);
        let count = found.len() as u64;
        for (r, s, original_ms) in found {
            self.sources[r as usize] = Some(SourceFound {
                account: s.account(),
                from: s.from(),
                delay_ms: originals::delay_ms(&self.shard.data, r as usize, original_ms),
                original_row: s.original_row(),
            });
        }
        count
    }

    /// What the rows' retweets add to the retweet graph.
    pub(super) fn retweet_part(&self) -> RetweetPart {
        retweet::retweet_part(&self.shard.data, &self.sources[..], self.here())
    }

    /// The retweet graph's pair keys of the rows, in row order.
    pub(super) fn retweet_keys(&self) -> Vec<u64> {
        (self.sources.iter().enumerate())
            .filter_map(|(r, s)| retweet::pair_key(self.shard.data.account[r], s.as_ref()?.account))
            .collect()
    }

    /// The rows' actions of `kind` by their items' owners (of `n`); `None` for a kind not a
    /// row's.
    pub(super) fn items(
        &self,
        kind: CoactionKind,
        min_chars: usize,
        n: usize,
    ) -> Option<RowsActions> {
        let original_of = |r: usize| self.sources[r]?.original_row;
        let data = &self.shard.data;
        let (keyed, unplaced) =
            actions::keys_of_rows(data, kind, min_chars, &original_of, self.here())?;
        let taken = keyed.len();
        let (out, coarse) = items_by_owner(data, keyed, Some(&self.shard.rows), n);
        Some((out, coarse, (taken, unplaced)))
    }

    /// The tally of the rows for `ask`, and of `sets`' items (`co_tweets` the one of texts).
    pub(super) fn tally(&self, ask: &Ask, sets: &[&Actions], co_tweets: Option<usize>) -> Tally {
        let blocks = tally::blocks(self.here(), sets, 2 * rayon::current_num_threads());
        let data = &self.shard.data;
        let global = Some(&self.shard.rows[..]);
        tally::tally(
            data,
            global,
            &self.sources[..],
            sets,
            co_tweets,
            &blocks,
            ask,
        )
    }

    pub(super) fn activity(&self, accounts: usize) -> Activity {
        tally::activity(&self.shard.data, self.here(), accounts)
    }

    pub(super) fn report(&self, cluster_of: &[u32], clusters: usize) -> ReportTally {
        let sources = &self.sources[..];
        ReportTally::of(&self.shard.data, self.here(), sources, cluster_of, clusters)
    }

    pub(super) fn timeline(&self, ask: &TimelineAsk) -> Timeline {
        tally::timeline(&self.shard.data, self.here(), &self.sources[..], ask)
    }

    pub(super) fn profiles(&self, families: Vec<Family>, min_text_chars: usize) -> FamilyPairs {
        let opts = ProfileOptions {
            families,
            min_text_chars,
            ..ProfileOptions::default()
        };
        let original_of = |r: usize| self.sources[r]?.original_row;
        let global = Some(&self.shard.rows[..]);
        // A share of the rows' words: process 0 asks its limit for them all.
        let data = &self.shard.data;
        let take = |_| Ok::<_, Infallible>(());
        let Ok(pairs) =
            profiles::family_pairs(data, &original_of, &opts, self.here(), global, &take);
        pairs
    }

    /// What rows `at` of the shard (by place) say of the items they name; `None` if one is
    /// past the rows.
    pub(super) fn names(&self, at: &[u32]) -> Option<Vec<RowName>> {
        let data = &self.shard.data;
        (at.iter().map(|&r| r as usize))
            .map(|r| (r < self.shard.len()).then(|| RowName::of(data, r)))
            .collect()
    }

    /// Rows `at` of the shard (by place): each one's account and tweet id; `None` if one is
    /// past the rows.
    pub(super) fn tweets(&self, at: &[u32]) -> Option<Vec<(u32, Option<String>)>> {
        let data = &self.shard.data;
        (at.iter().map(|&r| r as usize))
            .map(|r| {
                (r < self.shard.len()).then(|| (data.account[r], data.tweet_key(data.tweet_id[r])))
            })
            .collect()
    }

    /// Rows `at` of the shard (by place): each one's account, and its text if `texts`;
    /// `None` if one is past the rows.
    pub(super) fn rows(&self, at: &[u32], texts: bool) -> Option<Vec<RowSeen>> {
        let data = &self.shard.data;
        let seen = |r: usize| {
            let text = texts.then(|| data.text(r)).flatten();
            (data.account[r], text.map(|t| t.into_owned()))
        };
        (at.iter().map(|&r| r as usize))
            .map(|r| (r < self.shard.len()).then(|| seen(r)))
            .collect()
    }
}

/// On another process: keep the rows `kept` it parsed as process 0 places them, then tally
/// them for process 0 each time it asks, until the run is done. A failure here is this
/// process's own, which process 0 does not wait to hear of: it returns at once, and
/// process 0 sees this process go.
pub fn serve_rows<P: Piece>(link: &Link<P>, kept: DatasetBuilder) -> Result<()> {
    let mut holder = Holder::new(keep_rows(link, kept)?);
    let mailbox = link.mailbox();
    // Actions another process sent before process 0's word to take them.
    let mut early: Vec<(usize, Share)> = Vec::new();
    // The actions on the items this process owns, of each kind paired so.
    let mut owned_sets: Vec<Actions> = Vec::new();
    // Rounds of grouping near-duplicate texts another process began before process 0's word.
    let mut early_near: Vec<(usize, Near)> = Vec::new();
    loop {
        match link.mail::<Said>()? {
            // Process 0's word to begin the search for the originals, or another process's
            // first offer if that came first: find the sources of the rows here, and give
            // process 0 them too.
            (from, Said::Find(round)) => {
                let begin = matches!(round, Round::Begin);
                let mut rounds = Rounds {
                    link: &mailbox,
                    early: (!begin).then_some((from, round)).into_iter().collect(),
                    begin_due: !begin,
                };
                let found = find_sources(holder.held(), None, &mut rounds)?;
                if let Some(&(q, _)) = rounds.early.first() {
                    return Err(unexpected(link, q, "a round of the sources' search"));
                }
                let count = holder.found(found);
                link.post(0, &Said::Find(Round::Found(count)))?;
            }
            (0, Said::Retweets(accounts)) => {
                let keys = holder.retweet_keys();
                let Some(totals) = RetweetTotals::of(&keys, accounts) else {
                    return Err(unexpected(link, 0, "the number of accounts its rows name"));
                };
                link.post(0, &totals)?;
                let units = keys.chunks(retweet::KEYS_UNIT);
                link.count_held(units.map(|k| Unit::Retweets(k.to_vec())))?;
            }
            (0, Said::Items(kind, min_chars, similarity)) => {
                let n = link.cluster.processes();
                let (out, coarse, taken) = if kind == CoactionKind::CoSimilar {
                    let mut rounds = NearRounds {
                        link: &mailbox,
                        early: std::mem::take(&mut early_near),
                        shares: Vec::new(),
                    };
                    let (data, global) = (&holder.shard.data, Some(&holder.shard.rows[..]));
                    let texts = (min_chars, similarity);
                    let taken = near_items(&mut rounds, data, holder.here(), global, texts)?;
                    if let Some(&(q, _)) = rounds.early.first() {
                        return Err(unexpected_in(&mailbox, q, "a round of grouping texts"));
                    }
                    early.extend(rounds.shares);
                    taken
                } else {
                    let Some(taken) = holder.items(kind, min_chars, n) else {
                        return Err(unexpected_in(&mailbox, 0, "a kind of a row's items"));
                    };
                    taken
                };
                let owned = exchange_items(&mailbox, kind, out, &mut early)?;
                let me = link.cluster.process;
                let part = ItemsSummary::of(&owned, coarse).taken(me, n, taken);
                let owned = pair_owned(link, owned, part)?;
                // Kept for scoring, which tallies them where they are (co-similar's aside, as
                // process 0 leaves them out: `scoring::parts`).
                if kind != CoactionKind::CoSimilar {
                    owned_sets.push(owned);
                }
            }
            (from, Said::Share(share)) if !early.iter().any(|e| e.0 == from) => {
                early.push((from, share))
            }
            (from, Said::Near(round)) => early_near.push((from, round)),
            (0, Said::Tally(a)) => {
                let ask = Ask {
                    cluster_of: &a.cluster_of,
                    clusters: a.clusters,
                    plan: &a.plan,
                    seed: a.seed,
                    hashtags: a.hashtags,
                    ties_of: &a.ties_of,
                    windows: &a.windows,
                };
                let sets: Vec<&Actions> = owned_sets.iter().collect();
                let co_tweets = (sets.iter()).position(|a| a.kind == Some(CoactionKind::CoTweet));
                link.post(0, &holder.tally(&ask, &sets, co_tweets))?;
            }
            (0, Said::Activity(accounts)) => link.post(0, &holder.activity(accounts))?,
            (0, Said::Report(cluster_of, clusters)) => {
                link.post(0, &holder.report(&cluster_of, clusters))?
            }
            (0, Said::Timeline(ask)) => link.post(0, &holder.timeline(&ask))?,
            (0, Said::Profiles(families, min_text_chars)) => {
                link.post(0, &holder.profiles(families, min_text_chars))?
            }
            (0, Said::Rows(rows, texts)) => match holder.rows(&rows, texts) {
                Some(seen) => link.post(0, &seen)?,
                None => return Err(unexpected(link, 0, "rows it holds")),
            },
            (0, Said::RetweetPart(accounts)) => {
                let part = holder.retweet_part();
                if !part.within(accounts) {
                    return Err(unexpected(link, 0, "the number of accounts its rows name"));
                }
                link.post(0, &part)?
            }
            (0, Said::Names(rows)) => match holder.names(&rows) {
                Some(names) => link.post(0, &names)?,
                None => return Err(unexpected(link, 0, "rows it holds")),
            },
            (0, Said::Tweets(rows)) => match holder.tweets(&rows) {
                Some(tweets) => link.post(0, &tweets)?,
                None => return Err(unexpected(link, 0, "rows it holds")),
            },
            (0, Said::End) => return Ok(()),
            (from, _) => return Err(unexpected(link, from, "a question about its rows")),
        }
    }
}
