//! The dataset's rows held where they were parsed (see [`crate::dataset::shard`]).
//!
//! Once process 0 has every record, it tells each other process where the records it sent
//! went and which ids its numbers stand for; that process then holds those rows as the
//! dataset's own ([`keep_rows`]). The graphs' work on rows is done where they are held
//! ([`crate::graphs::held`]): every process finds its rows' retweets' sources with the others
//! ([`crate::graphs::originals`]: the originals exchanged by tweet id and by text) and gives
//! process 0 them, and forms the retweet graph's pairs of its rows; it sends its rows'
//! co-action actions to their items' owners (co-similar's once their forms are grouped in
//! rounds, [`Near`]), and pairs and keeps those of
//! the items it owns. Scoring, and the report after it
//! (activity, amplification, profiles), ask every process for the tally of its rows and of
//! the items it owns ([`RowsAcross`], process 0's side; [`serve_rows`], the others'), adding
//! them to its own; an archive's split asks each for its rows' profile actions. Process 0
//! holds its own rows apart from the dataset too ([`RowsAcross::hold_own`]) and answers
//! for them with the same code as the others (`Holder`).

use super::{Link, Mailbox, Piece};
use crate::dataset::shard::{Placement, RepeatRow, Shard, NO_ROW};
use crate::dataset::Built;
use crate::dataset::{Dataset, DatasetBuilder, TimeResolution};
use crate::error::{Error, Result};
use crate::graphs::actions::{self, Actions, RowName, Travelling};
use crate::graphs::coaction::{self, EdgeParts, ItemsSlots};
use crate::graphs::counting::Unit;
use crate::graphs::held::{self, HeldApart, ItemsAsk, ItemsSummary};
use crate::graphs::originals::{self, Answer, Finder, Held, Offer, Original, TextOffer};
use crate::graphs::profiles::{self, Family, FamilyPairs, ProfileOptions};
use crate::graphs::retweet::{self, RetweetPart, RetweetTotals, RowSources, Source, SourceFound};
use crate::graphs::similarity::{self, Forms, NearGroups};
use crate::graphs::{CoactionKind, GraphOptions};
use crate::ingest::IngestStats;
use crate::scoring::rhythm::Plan;
use crate::scoring::tally::{self, Ask, ReportTally, RowSeen, RowsElsewhere, Tally};
use crate::scoring::timeline::{Timeline, TimelineAsk};
use crate::scoring::Activity;
use hashbrown::HashMap;
use rayon::slice::ParallelSliceMut;
use std::convert::Infallible;
use std::ops::Range;
use std::sync::RwLock;

/// What process 0 says to the others about their rows.
#[derive(serde::Serialize, serde::Deserialize)]
enum Said {
    /// Where the records a process sent went (which id each of its numbers stands for was
    /// said before, by `Ids`).
    Placed(Placement),
    /// Records merged by their outlines: which id each of a process's numbers stands for, and
    /// which of its rows (by its own count) share their tweet id with another row.
    Ids(Vec<Vec<u32>>, Vec<u32>),
    /// To process 0: those rows, whole.
    Whole(Vec<RepeatRow>),
    /// A round of the search for the retweets' originals, from any process to any other.
    Find(Round),
    /// Form the retweet graph's pairs of its rows, of so many accounts: their totals to
    /// process 0, the pairs to the graph it counts next.
    Retweets(usize),
    /// Send its rows' actions of a kind to their items' owners, and pair those of the items
    /// it owns once process 0 says how (co-tweet's and co-similar's: texts of at least so many
    /// characters; co-similar's: at this similarity, its forms grouped first).
    Items(CoactionKind, usize, f64),
    /// A round of grouping co-similar's forms, from any process to any other.
    Near(Near),
    /// From any process to any other: its rows' actions on items the receiver owns.
    Share(Share),
    /// To process 0: what the actions on the items a process owns, and its rows' actions, add
    /// to the kind's window and to the accounts that take part.
    Summary(Box<ItemsSummary>),
    /// How to pair them.
    Pair(ItemsAsk),
    /// To process 0: what the actions of the items a process owns add to the null, once the
    /// accounts that take part are kept.
    Slots(ItemsSlots),
    /// Tally its rows.
    Tally(OwnedAsk),
    /// The activity of its rows' accounts, of so many accounts.
    Activity(usize),
    /// The report's tally of its rows, for the clusters (each account's, and how many).
    Report(Vec<u32>, usize),
    /// What its rows show of the drawn clusters.
    Timeline(TimelineAsk),
    /// Its rows' actions of each of these profile families (own texts of at least so many
    /// characters after normalising).
    Profiles(Vec<Family>, usize),
    /// These rows of its own (by their place in its shard): their accounts, and their texts
    /// if asked.
    Rows(Vec<u32>, bool),
    /// What these rows of its own (by their place in its shard) say of the items they name.
    Names(Vec<u32>),
    /// These rows of its own (by their place in its shard): their accounts and tweet ids.
    Tweets(Vec<u32>),
    /// What its rows' retweets add to the retweet graph, every column of it (of so many
    /// accounts).
    RetweetPart(usize),
    /// To process 0, where every edge is wanted: a process's parts of the edges.
    Edges(Box<EdgeParts>),
    /// The run is done.
    End,
}

/// The search for the retweets' originals ([`originals`]): each round's message between any
/// two processes, and at the end each process's sources for process 0.
#[derive(serde::Serialize, serde::Deserialize)]
enum Round {
    /// From process 0: start, while it forms its own offers.
    Begin,
    Offer(Offer),
    Answer(Answer),
    Texts(TextOffer),
    TextAnswers(Vec<Option<Original>>),
    /// How many of a process's rows' sources it found (it keeps them: process 0 reads only
    /// its own rows' sources).
    Found(u64),
}

impl Round {
    /// Which message of the search it is: rounds in order, then the sources.
    fn step(&self) -> u8 {
        match self {
            Round::Begin => 0,
            Round::Offer(_) => 1,
            Round::Answer(_) => 2,
            Round::Texts(_) => 3,
            Round::TextAnswers(_) => 4,
            Round::Found(_) => 5,
        }
    }
}

/// The rounds that group co-similar's forms across processes as one process groups them
/// ([`similarity`]): each form's buckets go to their owners ([`held::owner`]), which ask the
/// holder of each bucket's first form to send its signature to a holder of each other form;
/// that one compares them, and process 0 groups the pairs alike enough and tells every
/// process. Every process sends every other one message a round (most of the last two empty);
/// the buckets go [`BANDS_A_ROUND`] bands at a time, so that no process holds every band's.
#[derive(serde::Serialize, serde::Deserialize)]
enum Near {
    /// `(bucket, form)`: the forms the sender holds, in the buckets the receiver owns, of
    /// the bands of a round (by number).
    Buckets(u16, Vec<(u64, u64)>),
    /// From a bucket's owner: the first forms whose signatures to send, and to which process;
    /// and the pairs `(first, form)` to compare.
    Asked(Vec<(u64, u32)>, Vec<(u64, u64)>),
    /// The signatures asked for, each once.
    Signatures(Vec<(u64, Vec<u32>)>),
    /// To process 0: the pairs that compare at the threshold or above.
    Joined(Vec<(u64, u64)>),
    /// From process 0: each grouped form with its group.
    Groups(Vec<(u64, u64)>),
}

/// Bands whose buckets go in one round: a quarter of the 24 at co-similar's default
/// threshold, so a process holds about 40 bytes a form of them at once, not 380.
const BANDS_A_ROUND: usize = 6;

impl Near {
    fn step(&self) -> u32 {
        const LAST: u32 = u16::MAX as u32;
        match self {
            Near::Buckets(round, _) => *round as u32,
            Near::Asked(..) => LAST + 1,
            Near::Signatures(_) => LAST + 2,
            Near::Joined(_) => LAST + 3,
            Near::Groups(_) => LAST + 4,
        }
    }
}

/// One process's side of the [`Near`] rounds: what came early (another process may be a round
/// ahead), and the actions on items that a process which finished the rounds sent on.
struct NearRounds<'a, P: Piece> {
    link: &'a Mailbox<P>,
    early: Vec<(usize, Near)>,
    shares: Vec<(usize, Share)>,
}

impl<P: Piece> NearRounds<'_, P> {
    /// Send `out[q]` to every other process `q`; return what each sent this one for the
    /// round, by process (`out[me]` for its own).
    fn round(&mut self, out: Vec<Near>) -> Result<Vec<Near>> {
        let me = self.link.cluster().process;
        let step = out[me].step();
        let mut got: Vec<Option<Near>> = (0..out.len()).map(|_| None).collect();
        for (q, r) in out.into_iter().enumerate() {
            match q == me {
                true => got[q] = Some(r),
                false => self.link.post(q, &Said::Near(r))?,
            }
        }
        for (q, r) in std::mem::take(&mut self.early) {
            match r.step() == step && got[q].is_none() {
                true => got[q] = Some(r),
                false => self.early.push((q, r)),
            }
        }
        let wrong = |q| unexpected_in(self.link, q, "a round of grouping near-duplicate texts");
        while got.iter().any(Option::is_none) {
            match self.link.mail::<Said>()? {
                (q, Said::Near(r)) if q < got.len() && r.step() == step && got[q].is_none() => {
                    got[q] = Some(r)
                }
                (q, Said::Near(r)) if q < got.len() && r.step() > step => self.early.push((q, r)),
                (q, Said::Share(s)) if !self.shares.iter().any(|e| e.0 == q) => {
                    self.shares.push((q, s))
                }
                (q, _) => return Err(wrong(q)),
            }
        }
        Ok(got.into_iter().flatten().collect())
    }

    /// This process's part in the rounds, with `forms`, those of the rows it holds: the
    /// groups of every process's forms.
    fn groups(&mut self, forms: &Forms, similarity: f64) -> Result<NearGroups> {
        let (me, n) = (self.link.cluster().process, self.link.cluster().processes());
        let wrong = |q| unexpected_in(self.link, q, "a round of grouping near-duplicate texts");
        let bands = similarity::bands_for(similarity).0;
        let (mut send, mut compare) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        for (round, start) in (0..bands).step_by(BANDS_A_ROUND).enumerate() {
            let mut buckets = vec![Vec::new(); n];
            let these = start..(start + BANDS_A_ROUND).min(bands);
            for (bucket, form) in forms.buckets(similarity, these) {
                buckets[held::owner(bucket, n)].push((bucket, form));
            }
            let round = round as u16;
            let got = self.round(
                buckets
                    .into_iter()
                    .map(|b| Near::Buckets(round, b))
                    .collect(),
            )?;
            let mut entries = Vec::new();
            for (q, r) in got.into_iter().enumerate() {
                match r {
                    Near::Buckets(_, b) if b.iter().all(|e| held::owner(e.0, n) == me) => {
                        entries.extend(b.into_iter().map(|(bucket, form)| (bucket, form, q as u32)))
                    }
                    _ => return Err(wrong(q)),
                }
            }
            entries.par_sort_unstable_by_key(|e| (e.1, e.2));
            for c in similarity::candidates(&entries) {
                send[c.first_at as usize].push((c.first, c.at));
                compare[c.at as usize].push((c.first, c.form));
            }
        }
        // A pair found in several bands is asked for once.
        fn once<T: Ord>(mut v: Vec<T>) -> Vec<T> {
            v.sort_unstable();
            v.dedup();
            v
        }
        let asked = (send.into_iter().zip(compare)).map(|(s, c)| Near::Asked(once(s), once(c)));
        let got = self.round(asked.collect())?;
        let (mut signatures, mut compare) = (vec![Vec::new(); n], Vec::new());
        for (q, r) in got.into_iter().enumerate() {
            let Near::Asked(send, pairs) = r else {
                return Err(wrong(q));
            };
            for (first, to) in send {
                match (forms.find(first), (to as usize) < n) {
                    (Some(f), true) => signatures[to as usize].push(f),
                    _ => return Err(wrong(q)),
                }
            }
            compare.extend(pairs);
        }
        let signed = signatures.into_iter().map(|fs| {
            let fs = once(fs);
            let sig = |f: usize| (forms.hashes[f], forms.signature(f).to_vec());
            Near::Signatures(fs.into_iter().map(sig).collect())
        });
        let got = self.round(signed.collect())?;
        let mut theirs: HashMap<u64, Vec<u32>> = HashMap::new();
        for (q, r) in got.into_iter().enumerate() {
            let Near::Signatures(sigs) = r else {
                return Err(wrong(q));
            };
            theirs.extend(sigs);
        }
        let compare = once(compare);
        let mut joined = Vec::new();
        for (first, form) in compare {
            let (Some(a), Some(b)) = (theirs.get(&first), forms.find(form)) else {
                return Err(wrong(me));
            };
            if similarity::estimated_jaccard(a, forms.signature(b)) >= similarity {
                joined.push((first, form));
            }
        }
        drop(theirs);
        let mut out: Vec<Near> = (0..n).map(|_| Near::Joined(Vec::new())).collect();
        out[0] = Near::Joined(joined);
        let got = self.round(out)?;
        let mut groups = Vec::new();
        if me == 0 {
            let mut all = Vec::new();
            for (q, r) in got.into_iter().enumerate() {
                let Near::Joined(pairs) = r else {
                    return Err(wrong(q));
                };
                all.extend(pairs);
            }
            groups = similarity::near_groups(all).into_pairs();
        }
        let out = (0..n).map(|_| Near::Groups(groups.clone())).collect();
        match self.round(out)?.swap_remove(0) {
            Near::Groups(groups) => Ok(NearGroups::from_pairs(groups)),
            _ => Err(wrong(0)),
        }
    }
}

/// Co-similar's actions of `rows` of `data` (their dataset rows by `global`, `None`: they are
/// the dataset's) by their items' owners, their forms grouped with every process's first (as
/// [`RowsActions`]).
fn near_items<P: Piece>(
    rounds: &mut NearRounds<P>,
    data: &Dataset,
    rows: &[Range<usize>],
    global: Option<&[u32]>,
    (min_chars, similarity): (usize, f64),
) -> Result<RowsActions> {
    let (mut keyed, forms) = similarity::forms_of_rows(data, min_chars, rows);
    let groups = rounds.groups(&forms, similarity)?;
    drop(forms);
    groups.name(&mut keyed);
    let taken = keyed.len();
    let (out, coarse) = items_by_owner(data, keyed, global, rounds.link.cluster().processes());
    Ok((out, coarse, (taken, 0)))
}

/// A process's rows' actions of a kind on the items another process owns.
#[derive(serde::Serialize, serde::Deserialize)]
struct Share {
    kind: CoactionKind,
    actions: Vec<Travelling>,
}

/// A process's rows' actions on their way to their items' owners, by owner, and how coarse
/// their times are ([`actions::coarseness`]): `keyed`, the actions of `data`'s rows, whose
/// dataset rows `global` gives (`None`: they are the dataset's).
fn items_by_owner(
    data: &Dataset,
    keyed: actions::Keyed,
    global: Option<&[u32]>,
    n: usize,
) -> (Vec<Vec<Travelling>>, (TimeResolution, usize)) {
    let coarse = actions::coarseness(data, &keyed);
    let mut out: Vec<Vec<Travelling>> = vec![Vec::new(); n];
    for (item, r) in keyed {
        let r = r as usize;
        let row = global.map_or(r as u32, |g| g[r]);
        out[held::owner(item, n)].push((item, row, data.account[r], data.time_ms[r]));
    }
    (out, coarse)
}

/// The part of a process other than 0 in pairing `kind`'s actions where their items are
/// owned: send each of `out`, the actions it took by owner, to its item's owner, and gather
/// those of the items this process owns from every process (`early`: what came before process
/// 0's word to take them). Returns them grouped.
fn exchange_items<P: Piece>(
    link: &Mailbox<P>,
    kind: CoactionKind,
    out: Vec<Vec<Travelling>>,
    early: &mut Vec<(usize, Share)>,
) -> Result<Actions> {
    let (me, n) = (link.cluster().process, link.cluster().processes());
    let mut got: Vec<Option<Share>> = (0..n).map(|_| None).collect();
    for (q, actions) in out.into_iter().enumerate() {
        let share = Share { kind, actions };
        match q == me {
            true => got[q] = Some(share),
            false => link.post(q, &Said::Share(share))?,
        }
    }
    for (q, share) in std::mem::take(early) {
        got[q] = Some(share);
    }
    let wrong = |q| unexpected_in(link, q, "its actions on items this one owns");
    while got.iter().any(Option::is_none) {
        match link.mail::<Said>()? {
            (q, Said::Share(share)) if q < n && got[q].is_none() => got[q] = Some(share),
            (q, _) => return Err(wrong(q)),
        }
    }
    let mut all = Vec::new();
    for (q, share) in got.into_iter().enumerate() {
        let Some(share) = share else { continue };
        let mine = |&(item, ..): &Travelling| held::owner(item, n) == me;
        if share.kind != kind || !share.actions.iter().all(mine) {
            return Err(wrong(q));
        }
        all.extend(share.actions);
    }
    Ok(actions::from_travelled(kind, all))
}

/// The rest of a process other than 0's part, once it has `owned`, the actions on the items
/// it owns: tell process 0 what they add up to (`part`), keep those of the accounts that take
/// part as process 0 says, tell it what they add to the null, and pair them. Returns those
/// kept.
fn pair_owned<P: Piece>(link: &Link<P>, mut owned: Actions, part: ItemsSummary) -> Result<Actions> {
    let mailbox = link.mailbox();
    mailbox.post(0, &Said::Summary(Box::new(part)))?;
    let ask = match mailbox.mail::<Said>()? {
        (0, Said::Pair(ask)) if Some(ask.kind) == owned.kind => ask,
        (q, _) => return Err(unexpected_in(&mailbox, q, "how to pair its items' actions")),
    };
    owned.retain_accounts(|a| ask.keeps(a));
    if ask.edges {
        let parts = coaction::edge_parts(&owned, &ask);
        mailbox.post(0, &Said::Edges(Box::new(parts)))?;
        return Ok(owned);
    }
    mailbox.post(
        0,
        &Said::Slots(ItemsSlots::of(&owned, ask.window_ms, ask.cap)),
    )?;
    let units = coaction::units(&owned, ask.window_ms, ask.cap);
    link.count_held(units.map(Unit::Actions))?;
    // What scoring reads, as process 0 keeps its own items' (see `fusion::fuse`).
    owned.keep_shared(true);
    Ok(owned)
}

/// One process's side of the rounds: what came early (another process may be a round
/// ahead), and whether process 0's word to begin is still to come (a process may begin on
/// another's first offer).
struct Rounds<'a, P: Piece> {
    link: &'a Mailbox<P>,
    early: Vec<(usize, Round)>,
    begin_due: bool,
}

impl<P: Piece> Rounds<'_, P> {
    /// Send `out[q]` (as `wrap` makes it a round's message) to every other process `q` and
    /// return, by process, what each sent this one for the round (`out[me]` for its own).
    fn round<T>(
        &mut self,
        out: Vec<T>,
        wrap: fn(T) -> Round,
        unwrap: fn(Round) -> Option<T>,
    ) -> Result<Vec<T>> {
        let me = self.link.cluster().process;
        let mut got: Vec<Option<Round>> = (0..out.len()).map(|_| None).collect();
        let mut step = 0;
        for (q, r) in out.into_iter().map(wrap).enumerate() {
            step = r.step();
            match q == me {
                true => got[q] = Some(r),
                false => self.link.post(q, &Said::Find(r))?,
            }
        }
        self.gather(&mut got, step)?;
        Ok(got.into_iter().flatten().filter_map(unwrap).collect())
    }

    /// Fill `got` with what each process sent for `step`, keeping what belongs to later.
    fn gather(&mut self, got: &mut [Option<Round>], step: u8) -> Result<()> {
        for (q, r) in std::mem::take(&mut self.early) {
            match r.step() == step && got[q].is_none() {
                true => got[q] = Some(r),
                false => self.early.push((q, r)),
            }
        }
        while got.iter().any(Option::is_none) {
            match self.link.mail::<Said>()? {
                (q, Said::Find(r)) if q < got.len() && r.step() == step && got[q].is_none() => {
                    got[q] = Some(r)
                }
                (q, Said::Find(r)) if q < got.len() && r.step() > step => self.early.push((q, r)),
                (0, Said::Find(Round::Begin)) if self.begin_due => self.begin_due = false,
                (q, _) => {
                    return Err(unexpected_in(
                        self.link,
                        q,
                        "a round of the sources' search",
                    ))
                }
            }
        }
        Ok(())
    }
}

/// This process's part of the search for its rows' originals (`names`: the dataset whose
/// accounts' names process 0 resolves `RT @name:` prefixes by).
fn find_sources<P: Piece>(
    held: Held,
    names: Option<&Dataset>,
    rounds: &mut Rounds<P>,
) -> Result<Vec<(u32, Source, Option<i64>)>> {
    let n = rounds.link.cluster().processes();
    let (mut finder, offers) = Finder::new(held, n);
    let offers = rounds.round(offers, Round::Offer, |r| match r {
        Round::Offer(o) => Some(o),
        _ => None,
    })?;
    let unnamed = offers.iter().any(Offer::unnamed);
    let answers = Finder::answer(offers, names);
    let answers = rounds.round(answers, Round::Answer, |r| match r {
        Round::Answer(a) => Some(a),
        _ => None,
    })?;
    if let Some(texts) = finder.take(answers, unnamed) {
        let texts = rounds.round(texts, Round::Texts, |r| match r {
            Round::Texts(t) => Some(t),
            _ => None,
        })?;
        let answers = Finder::answer_texts(texts);
        let answers = rounds.round(answers, Round::TextAnswers, |r| match r {
            Round::TextAnswers(a) => Some(a),
            _ => None,
        })?;
        finder.take_texts(answers);
    }
    Ok(finder.found())
}

/// An [`Ask`] that travels.
#[derive(serde::Serialize, serde::Deserialize)]
struct OwnedAsk {
    cluster_of: Vec<u32>,
    clusters: usize,
    plan: Plan,
    seed: u64,
    hashtags: usize,
    ties_of: Vec<bool>,
    windows: Vec<(CoactionKind, i64)>,
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

/// On process 0, the records merged by their outlines (`builder`) and its own rows kept in
/// `own`: ask each process for its rows whose tweet ids recur, tell repeats, finish the
/// dataset and place every process's rows. Returns what the builder finishes with, the rows
/// each other process holds (as [`place_rows`] does) and process 0's own.
pub fn place_outlined<P: Piece>(
    link: &Link<P>,
    mut builder: DatasetBuilder,
    mut own: DatasetBuilder,
    keep_repeated: bool,
) -> Result<(Built, Vec<Vec<u32>>, Shard)> {
    let processes = link.cluster().processes();
    let mut asked = Vec::with_capacity(processes);
    for (p, (ids, rows)) in builder.outlined_ids(processes).into_iter().enumerate() {
        if p == 0 {
            own.place_ids(&ids)?;
        } else {
            link.post(p, &Said::Ids(ids, rows.clone()))?;
        }
        asked.push(rows);
    }
    let mut whole = vec![Vec::new(); processes];
    whole[0] = own.repeat_rows(&asked[0])?;
    for _ in 1..processes {
        match link.mail::<Said>()? {
            (from, Said::Whole(rows)) if from > 0 && from < processes => whole[from] = rows,
            (from, _) => return Err(unexpected(link, from, "the rows asked for")),
        }
    }
    let mut built = builder.finish_outlined(&asked, whole, keep_repeated, processes)?;
    let mut placements = std::mem::take(&mut built.placements);
    let mine = own.into_rows(&std::mem::take(&mut placements[0].rows))?;
    let held = place_rows(link, placements)?;
    Ok((built, held, mine))
}

/// On another process: the rows `builder` holds (those it sent process 0), as process 0
/// places them once it has merged their outlines: it first says which id each number stands
/// for and asks for the rows whose tweet ids recur. Another process that process 0 placed
/// first may already have begun the sources' search with this one: its offer waits.
fn keep_rows<P: Piece>(link: &Link<P>, mut builder: DatasetBuilder) -> Result<Shard> {
    let Said::Ids(ids, rows) = link.mail_from::<Said>(0)? else {
        return Err(unexpected(link, 0, "the ids of its strings"));
    };
    builder.place_ids(&ids)?;
    link.post(0, &Said::Whole(builder.repeat_rows(&rows)?))?;
    match link.mail_from::<Said>(0)? {
        Said::Placed(placement) => builder.into_rows(&placement.rows),
        _ => Err(unexpected(link, 0, "the placement of its rows")),
    }
}

/// A holder's rows' actions of a kind by their items' owners, how coarse their times are
/// ([`actions::coarseness`]), and how many were taken and how many of them found no item.
type RowsActions = (
    Vec<Vec<Travelling>>,
    (TimeResolution, usize),
    (usize, usize),
);

/// Rows a process holds, and what it answers of them: each other process's, and process 0's
/// own (kept apart from the dataset, whose columns then hold no row).
struct Holder {
    shard: Shard,
    /// Every row of the shard.
    all: Range<usize>,
    /// Each row's retweet source, once the search has found them.
    sources: Vec<Option<SourceFound>>,
}

impl Holder {
    fn new(shard: Shard) -> Holder {
        Holder {
            all: 0..shard.len(),
            sources: vec![None; shard.len()],
            shard,
        }
    }

    /// Every row of the shard, as ranges of rows.
    fn here(&self) -> &[Range<usize>] {
        std::slice::from_ref(&self.all)
    }

    fn held(&self) -> Held<'_> {
        Held {
            data: &self.shard.data,
            here: self.here(),
            global: Some(&self.shard.rows),
        }
    }

    /// Keep the sources the search found (by row of the shard); how many.
    fn found(&mut self, found: Vec<(u32, Source, Option<i64>)>) -> u64 {
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
    fn retweet_part(&self) -> RetweetPart {
        retweet::retweet_part(&self.shard.data, &self.sources[..], self.here())
    }

    /// The retweet graph's pair keys of the rows, in row order.
    fn retweet_keys(&self) -> Vec<u64> {
        (self.sources.iter().enumerate())
            .filter_map(|(r, s)| retweet::pair_key(self.shard.data.account[r], s.as_ref()?.account))
            .collect()
    }

    /// The rows' actions of `kind` by their items' owners (of `n`); `None` for a kind not a
    /// row's.
    fn items(&self, kind: CoactionKind, min_chars: usize, n: usize) -> Option<RowsActions> {
        let original_of = |r: usize| self.sources[r]?.original_row;
        let data = &self.shard.data;
        let (keyed, unplaced) =
            actions::keys_of_rows(data, kind, min_chars, &original_of, self.here())?;
        let taken = keyed.len();
        let (out, coarse) = items_by_owner(data, keyed, Some(&self.shard.rows), n);
        Some((out, coarse, (taken, unplaced)))
    }

    /// The tally of the rows for `ask`, and of `sets`' items (`co_tweets` the one of texts).
    fn tally(&self, ask: &Ask, sets: &[&Actions], co_tweets: Option<usize>) -> Tally {
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

    fn activity(&self, accounts: usize) -> Activity {
        tally::activity(&self.shard.data, self.here(), accounts)
    }

    fn report(&self, cluster_of: &[u32], clusters: usize) -> ReportTally {
        let sources = &self.sources[..];
        ReportTally::of(&self.shard.data, self.here(), sources, cluster_of, clusters)
    }

    fn timeline(&self, ask: &TimelineAsk) -> Timeline {
        tally::timeline(&self.shard.data, self.here(), &self.sources[..], ask)
    }

    fn profiles(&self, families: Vec<Family>, min_text_chars: usize) -> FamilyPairs {
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
    fn names(&self, at: &[u32]) -> Option<Vec<RowName>> {
        let data = &self.shard.data;
        (at.iter().map(|&r| r as usize))
            .map(|r| (r < self.shard.len()).then(|| RowName::of(data, r)))
            .collect()
    }

    /// Rows `at` of the shard (by place): each one's account and tweet id; `None` if one is
    /// past the rows.
    fn tweets(&self, at: &[u32]) -> Option<Vec<(u32, Option<String>)>> {
        let data = &self.shard.data;
        (at.iter().map(|&r| r as usize))
            .map(|r| {
                (r < self.shard.len()).then(|| (data.account[r], data.tweet_key(data.tweet_id[r])))
            })
            .collect()
    }

    /// Rows `at` of the shard (by place): each one's account, and its text if `texts`;
    /// `None` if one is past the rows.
    fn rows(&self, at: &[u32], texts: bool) -> Option<Vec<RowSeen>> {
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

fn unexpected<P: Piece>(link: &Link<P>, from: usize, wanted: &str) -> Error {
    unexpected_in(&link.mailbox(), from, wanted)
}

fn unexpected_in<P: Piece>(link: &Mailbox<P>, from: usize, wanted: &str) -> Error {
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
    /// Process 0's own rows, once taken out of the dataset ([`RowsAcross::hold_own`]):
    /// it then answers for them as the others do for theirs, and `here` is empty.
    own: Option<RwLock<Holder>>,
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
    fn own(&self) -> Option<std::sync::RwLockReadGuard<'_, Holder>> {
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
    fn ask<T: serde::de::DeserializeOwned>(
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
