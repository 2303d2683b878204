//! The in-memory dataset: tweets as columns sorted by time, accounts and every string
//! interned once. Later stages index these columns by row (`u32`) and account (`u32`).
//!
//! ```
//! use coordnet::{ingest, IngestOptions};
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("shares.csv");
//! std::fs::write(&path, "object_id,account_id,content_id,timestamp_share\n\
//!     o1,alice,c1,1623881091\no1,bob,c2,1623881095\n").unwrap();
//! let (data, report) = ingest(&[path], &IngestOptions::default()).unwrap();
//! assert_eq!(data.len(), 2);
//! assert_eq!(report.rows_accepted, 2);
//! assert_eq!(data.accounts.key(data.account[1]), "bob");
//! ```

pub mod batch;
mod builder;
pub mod coded;
pub mod interner;
pub mod outline;
pub mod shard;
mod summary;
pub mod texts;
pub mod time;
mod vocabulary;

pub use batch::RecordBatch;
pub use builder::{Built, DatasetBuilder, Duplicate};
pub use interner::Interner;
pub use summary::Summary;
pub use texts::Texts;
pub use vocabulary::{ItemKind, TimeResolution, TweetKind};

/// Marks "no account" in account columns.
pub const NO_ACCOUNT: u32 = u32::MAX;
/// Marks "in no cluster" in a column of groups by account (clusters, operations).
pub const NO_CLUSTER: u32 = u32::MAX;
/// Marks "no text" in the text column.
pub const NO_TEXT: u32 = u32::MAX;
/// Marks "unknown" in tweet-id columns.
pub const NO_TWEET: u64 = 0;
/// Tweet ids at or above this bit are indices into `Dataset::tweet_keys` (non-numeric ids).
pub const STRING_ID_BIT: u64 = 1 << 63;

const ITEM_KIND_SHIFT: u32 = 30;
const ITEM_VALUE_MASK: u32 = (1 << ITEM_KIND_SHIFT) - 1;
/// Distinct items of one kind (and accounts, which mentions name) a dataset can number.
const ITEM_IDS: u64 = ITEM_VALUE_MASK as u64;

/// An item a tweet carries, packed in a `u32`: kind in the top two bits, id below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Item(pub u32);

impl Item {
    /// Item `id` of `kind` (a mention by name is stored as a mention).
    pub fn new(kind: ItemKind, id: u32) -> Item {
        assert!(
            id <= ITEM_VALUE_MASK,
            "more than 2^30 distinct items of one kind"
        );
        let kind = match kind {
            ItemKind::MentionName => ItemKind::Mention,
            k => k,
        };
        Item(((kind as u32) << ITEM_KIND_SHIFT) | id)
    }

    /// The item's kind.
    pub fn kind(self) -> ItemKind {
        match self.0 >> ITEM_KIND_SHIFT {
            0 => ItemKind::Hashtag,
            1 => ItemKind::Url,
            _ => ItemKind::Mention,
        }
    }

    /// Hashtag or URL id in its interner, or account id for mentions.
    pub fn id(self) -> u32 {
        self.0 & ITEM_VALUE_MASK
    }
}

/// The accounts seen anywhere in the input: posting, retweeted, replied to or mentioned.
///
/// Each profile field (screen name, creation time, follower and following counts) is the
/// first value the account's records give, in input order: a users file's row, a JSON
/// tweet's author, or, in the CSV layouts that repeat the profile on every tweet row (the
/// information-operations archive, the IRA release, coordination-network-toolkit's), each of
/// its rows. A row that leaves a field empty or malformed gives none, and a later row fills
/// it; a malformed field warns once for each row it is on. So follower counts that change
/// from row to row give the earliest row's, and neither the profile nor the warnings depend
/// on where the input was cut into chunks, on the threads or on the processes.
#[derive(Default, Debug)]
pub struct Accounts {
    /// The account id as written in the input (user id, hashed id, or author name).
    pub keys: Interner,
    /// Screen names, as `screen_name` numbers them.
    pub names: Interner,
    /// Index into `names`, or `NO_TEXT`.
    pub screen_name: Vec<u32>,
    /// Account creation time, ms since the epoch, or `i64::MIN` if unknown.
    pub created_ms: Vec<i64>,
    /// Follower and following counts, `u32::MAX` if unknown.
    pub followers: Vec<u32>,
    /// Following counts, `u32::MAX` if unknown.
    pub following: Vec<u32>,
}

/// Accounts by their id as written, or else by screen name in any case, `@` and stray spaces
/// left off; the names are indexed at the first name asked for.
pub struct AccountFinder<'a> {
    accounts: &'a Accounts,
    by_name: Option<hashbrown::HashMap<String, u32>>,
}

impl AccountFinder<'_> {
    /// The account `who` names; of two with one name, the first.
    pub fn find(&mut self, who: &str) -> Option<u32> {
        let who = who.trim().trim_start_matches('@');
        let accounts = self.accounts;
        accounts.lookup(who).or_else(|| {
            let names = self.by_name.get_or_insert_with(|| {
                (0..accounts.len() as u32)
                    .rev()
                    .filter_map(|a| Some((accounts.screen_name(a)?.to_lowercase(), a)))
                    .collect()
            });
            names.get(&who.to_lowercase()).copied()
        })
    }
}

impl Accounts {
    /// Accounts seen.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no account was seen.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The account's id as the input writes it.
    pub fn key(&self, account: u32) -> &str {
        self.keys.get(account)
    }

    /// The account whose id the input writes as `key`.
    pub fn lookup(&self, key: &str) -> Option<u32> {
        self.keys.lookup(key)
    }

    /// The account's screen name, where the input gives one.
    pub fn screen_name(&self, account: u32) -> Option<&str> {
        match self.screen_name[account as usize] {
            NO_TEXT => None,
            id => Some(self.names.get(id)),
        }
    }

    /// A finder of accounts as a person names them (`explain`'s arguments, `score`'s lists).
    pub fn finder(&self) -> AccountFinder<'_> {
        AccountFinder {
            accounts: self,
            by_name: None,
        }
    }

    fn memory_bytes(&self) -> (usize, usize) {
        let columns = self.screen_name.capacity() * 4
            + self.created_ms.capacity() * 8
            + self.followers.capacity() * 4
            + self.following.capacity() * 4;
        (
            columns,
            self.keys.memory_bytes() + self.names.memory_bytes(),
        )
    }
}

/// Tweets as columns, one row per tweet, sorted by time (ties keep input order).
#[derive(Default, Debug)]
pub struct Dataset {
    /// Tweet id: a number below 2^63, `STRING_ID_BIT | index` into `tweet_keys`, or `NO_TWEET`.
    pub tweet_id: Vec<u64>,
    /// The posting account, by id in `accounts`.
    pub account: Vec<u32>,
    /// Milliseconds since the Unix epoch, UTC.
    pub time_ms: Vec<i64>,
    /// Bits 0-1: `TweetKind`; bits 2-3: `TimeResolution`.
    pub flags: Vec<u8>,
    /// The retweeted, replied-to or quoted tweet (by kind), or `NO_TWEET` if none or unknown.
    pub target_tweet: Vec<u64>,
    /// The author of the target, or `NO_ACCOUNT` if unknown.
    pub target_account: Vec<u32>,
    /// Index into `texts`, or `NO_TEXT`.
    pub text: Vec<u32>,
    /// Index into `langs` (`0` is "unknown").
    pub lang: Vec<u16>,
    /// Index into `clients`, the app the tweet was posted with (`0` is "unknown").
    pub client: Vec<u16>,
    /// Items of row `r` are `items[item_offsets[r]..item_offsets[r + 1]]`.
    pub item_offsets: Vec<u32>,
    /// Every row's items (hashtags, URLs, mentions), row after row.
    pub items: Vec<Item>,
    /// Quotes carried by replies: (row, quoted tweet, quoted account). Sorted by row.
    pub reply_quotes: Vec<(u32, u64, u32)>,
    /// Every account seen, with its profile.
    pub accounts: Accounts,
    /// Hashtags, lowercased, without `#`.
    pub hashtags: Interner,
    /// Normalized URLs (see `ingest::text::normalize_url`).
    pub urls: Interner,
    /// Texts, each once (in memory, or on disk past a size).
    pub texts: Texts,
    /// Languages as the input writes them (`0`: unknown).
    pub langs: Interner,
    /// Apps tweets were posted with (`0`: unknown).
    pub clients: Interner,
    /// Tweet ids that are not numbers (see `tweet_id`).
    pub tweet_keys: Interner,
    /// Rows of the dataset whose columns are not here: process 0 of a run across processes
    /// leaves each row with the process that parsed it, its own in a shard of its own, and
    /// keeps the accounts and strings.
    pub held_apart: usize,
}

impl Dataset {
    /// Rows in these columns.
    pub fn len(&self) -> usize {
        self.tweet_id.len()
    }

    /// Whether these columns hold no row.
    pub fn is_empty(&self) -> bool {
        self.tweet_id.is_empty()
    }

    /// The dataset's tweets, wherever their rows are held.
    pub fn tweets(&self) -> usize {
        self.len() + self.held_apart
    }

    /// The row's kind: post, retweet, reply or quote.
    pub fn kind(&self, row: usize) -> TweetKind {
        TweetKind::from_u8(self.flags[row])
    }

    /// How precisely the input gave the row's time.
    pub fn resolution(&self, row: usize) -> TimeResolution {
        TimeResolution::from_u8(self.flags[row] >> 2)
    }

    /// The row's items.
    pub fn items(&self, row: usize) -> &[Item] {
        &self.items[self.item_offsets[row] as usize..self.item_offsets[row + 1] as usize]
    }

    /// An item as a string: the hashtag, the normalized URL, or the mentioned account's key.
    pub fn item_str(&self, item: Item) -> &str {
        match item.kind() {
            ItemKind::Hashtag => self.hashtags.get(item.id()),
            ItemKind::Url => self.urls.get(item.id()),
            ItemKind::Mention | ItemKind::MentionName => self.accounts.key(item.id()),
        }
    }

    /// The app the tweet was posted with, if known.
    pub fn client(&self, row: usize) -> Option<&str> {
        match self.client[row] {
            0 => None,
            id => Some(self.clients.get(id as u32)),
        }
    }

    /// The row's text, if it has one (read from disk where the texts are there).
    pub fn text(&self, row: usize) -> Option<std::borrow::Cow<'_, str>> {
        match self.text[row] {
            NO_TEXT => None,
            id => Some(self.texts.get(id)),
        }
    }

    /// The tweet id as written in the input.
    pub fn tweet_key(&self, id: u64) -> Option<String> {
        match id {
            NO_TWEET => None,
            id if id & STRING_ID_BIT != 0 => Some(
                self.tweet_keys
                    .get((id & !STRING_ID_BIT) as u32)
                    .to_string(),
            ),
            id => Some(itoa::Buffer::new().format(id).to_string()),
        }
    }

    /// Bytes held, split into per-tweet columns and unique strings (with their tables).
    pub fn memory(&self) -> Memory {
        let per_tweet = self.tweet_id.capacity() * 8
            + self.account.capacity() * 4
            + self.time_ms.capacity() * 8
            + self.flags.capacity()
            + self.target_tweet.capacity() * 8
            + self.target_account.capacity() * 4
            + self.text.capacity() * 4
            + self.lang.capacity() * 2
            + self.client.capacity() * 2
            + self.item_offsets.capacity() * 4
            + self.items.capacity() * 4
            + self.reply_quotes.capacity() * 16;
        let (account_columns, account_strings) = self.accounts.memory_bytes();
        let strings = account_strings
            + self.hashtags.memory_bytes()
            + self.urls.memory_bytes()
            + self.texts.memory_bytes()
            + self.langs.memory_bytes()
            + self.clients.memory_bytes()
            + self.tweet_keys.memory_bytes();
        Memory {
            tweet_columns: per_tweet,
            account_columns,
            strings,
        }
    }
}

/// Memory held by a dataset, in bytes.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Memory {
    /// The columns by tweet (times, accounts, kinds, targets, items).
    pub tweet_columns: usize,
    /// The columns by account (screen names, creation dates, follower counts).
    pub account_columns: usize,
    /// The interned strings: account keys and names, hashtags, URLs, texts in memory.
    pub strings: usize,
}
