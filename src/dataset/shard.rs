//! The rows a process of a run across processes parsed, kept where they were parsed.
//!
//! A process other than 0 pushes each batch it codes for process 0 into a builder of its own
//! ([`DatasetBuilder::for_shard`]), which keeps the batch's strings as the numbers it sent
//! them by. Once process 0 has every record, it knows where each record went (its row, or
//! dropped as a repeat) and which id each number stands for: its [`Placement`] of that
//! process. With it the process turns its rows into a [`Shard`]: the dataset's own rows and
//! columns, with the ids one process gives, so that what reads rows reads a shard's the same.
//! Process 0 takes its own rows out of the dataset into a shard as well
//! ([`Shard::take_from`]), keeping the accounts and strings, and no row.
//!
//! [`DatasetBuilder::for_shard`]: super::DatasetBuilder::for_shard

use super::builder::reorder;
use super::Dataset;
use std::ops::Range;

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
    pub ids: Vec<Vec<u32>>,
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

    /// Process 0's own rows, `here` of `data`, taken out of it into a shard of their own,
    /// with the texts and string tweet ids (which only the rows' holders read): `data` keeps
    /// its accounts and strings, and no row.
    pub fn take_from(data: &mut Dataset, here: &[Range<usize>]) -> Shard {
        let rows: Vec<u32> = here
            .iter()
            .flat_map(|r| r.start as u32..r.end as u32)
            .collect();
        let total = data.len();
        let mut own = Dataset {
            tweet_id: std::mem::take(&mut data.tweet_id),
            account: std::mem::take(&mut data.account),
            time_ms: std::mem::take(&mut data.time_ms),
            flags: std::mem::take(&mut data.flags),
            target_tweet: std::mem::take(&mut data.target_tweet),
            target_account: std::mem::take(&mut data.target_account),
            text: std::mem::take(&mut data.text),
            lang: std::mem::take(&mut data.lang),
            client: std::mem::take(&mut data.client),
            item_offsets: std::mem::replace(&mut data.item_offsets, vec![0]),
            items: std::mem::take(&mut data.items),
            texts: std::mem::take(&mut data.texts),
            tweet_keys: std::mem::take(&mut data.tweet_keys),
            ..Dataset::default()
        };
        reorder(&mut own, &rows);
        let place = |r: u32| rows.binary_search(&r).ok().map(|i| i as u32);
        own.reply_quotes = (std::mem::take(&mut data.reply_quotes).into_iter())
            .filter_map(|(r, t, a)| Some((place(r)?, t, a)))
            .collect();
        data.held_apart += total;
        Shard { rows, data: own }
    }
}
