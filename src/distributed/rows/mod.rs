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
//!
//! Here are what process 0 says and the placing of the rows; `across` is process 0's side,
//! `holder` the others', `items` the items' exchange and the search for originals, and `near`
//! co-similar's rounds.

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

mod across;
mod holder;
mod items;
mod near;

pub use across::*;
pub use holder::serve_rows;
use holder::*;
use items::*;
use near::*;

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

fn unexpected<P: Piece>(link: &Link<P>, from: usize, wanted: &str) -> Error {
    unexpected_in(&link.mailbox(), from, wanted)
}

fn unexpected_in<P: Piece>(link: &Mailbox<P>, from: usize, wanted: &str) -> Error {
    Error::cluster(format!(
        "{} sent something other than {wanted}: every process must run the same build",
        link.cluster().name(from)
    ))
}
