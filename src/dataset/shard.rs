//! The rows a process of a run across processes parsed, kept where they were parsed.
//!
//! Each process pushes each batch it codes for process 0 into a builder of its own
//! ([`DatasetBuilder::for_shard`]), which keeps the batch's strings as the numbers it sent
//! them by. Once process 0 has every record's [outline](super::outline), it knows where each
//! record went (its row, or dropped as a repeat, told from the [`RepeatRow`]s it asked for)
//! and which id each number stands for: its [`Placement`] of that process. With it the process turns its rows into a [`Shard`]:
//! the dataset's own rows and columns, with the ids one process gives, so that what reads rows
//! reads a shard's the same. Process 0's own rows become a shard the same way, and the
//! dataset keeps the accounts and strings, and no row.
//!
//! [`DatasetBuilder::for_shard`]: super::DatasetBuilder::for_shard

use super::Dataset;

/// Marks a record dropped as a repeat of an earlier one, in [`Placement::rows`].
pub const NO_ROW: u32 = u32::MAX;

/// What process 0 tells a process about the records it sent.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Placement {
    /// Each record the process sent, in the order it coded them: its row in the dataset, or
    /// [`NO_ROW`].
    pub rows: Vec<u32>,
    /// Per kind of string ([`Dict`](super::coded::Dict) order), by the process's number: the
    /// id in the dataset. A mention by screen name stands for the account it was resolved to.
    /// (Filled where the records were sent whole; merged by their outlines, the ids are said
    /// before the rows are placed, and this stays empty.)
    pub ids: Vec<Vec<u32>>,
}

/// A row that shares its tweet id with another (or, without one, its time with a row of
/// another file), whole, as its holder sends it for process 0 to tell repeated records from
/// ids reused: ids as the dataset gives them, tweet ids as their strings.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RepeatRow {
    pub tweet: Option<String>,
    pub account: u32,
    pub target: Option<String>,
    /// The kind's two bits of the row's flags.
    pub kind: u8,
    pub items: Vec<u32>,
    /// Its text's hash (texts are numbered by each process apart).
    pub text: Option<u64>,
    pub file: u32,
    pub line: u64,
}

impl RepeatRow {
    /// Whether the two rows are one record given twice: the same in id, account, target,
    /// kind and items.
    pub fn same_record(&self, other: &RepeatRow) -> bool {
        self.tweet == other.tweet
            && self.account == other.account
            && self.target == other.target
            && self.kind == other.kind
            && self.items == other.items
    }

    /// Whether the two rows are the same in id, account and kind: one tweet, where ids are
    /// not reused, however the two formats write its items.
    pub fn same_tweet(&self, other: &RepeatRow) -> bool {
        self.tweet == other.tweet && self.account == other.account && self.kind == other.kind
    }
}

/// Some of a dataset's rows, in its order: `data` holds them as the dataset does, with its
/// account, hashtag, URL, language and app ids (and none of their strings: those are process
/// 0's), and its own texts and string tweet ids.
#[derive(Debug, Default)]
pub struct Shard {
    /// The dataset row of each row here, rising.
    pub rows: Vec<u32>,
    pub data: Dataset,
}

impl Shard {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
