//! The data's vocabulary: what a tweet is, what items it carries, and how finely its time is
//! known. Every stage speaks it; the dataset owns it.

/// What a tweet is: an original post, or a reaction to another tweet.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[repr(u8)]
pub enum TweetKind {
    /// A post of one's own.
    Original = 0,
    /// A retweet of another tweet, unchanged.
    Retweet = 1,
    /// A reply to another tweet.
    Reply = 2,
    /// A quote of another tweet, with words of one's own.
    Quote = 3,
}

impl TweetKind {
    /// The kind in a flags byte's low two bits.
    pub fn from_u8(v: u8) -> TweetKind {
        match v & 3 {
            0 => TweetKind::Original,
            1 => TweetKind::Retweet,
            2 => TweetKind::Reply,
            _ => TweetKind::Quote,
        }
    }

    /// Its name, as tables write it.
    pub fn name(self) -> &'static str {
        match self {
            TweetKind::Original => "original",
            TweetKind::Retweet => "retweet",
            TweetKind::Reply => "reply",
            TweetKind::Quote => "quote",
        }
    }
}

/// How finely a record's time is known. A 60-second window means little on minute-resolution
/// times, so later stages read this before they pair actions.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
#[repr(u8)]
pub enum TimeResolution {
    /// From the tweet id's snowflake bits, or a written time with milliseconds.
    #[default]
    Millisecond = 0,
    /// A written time to the second (most CSV layouts, API v1 JSON).
    Second = 1,
    /// A written time to the minute (the information-operations archive's CSV).
    Minute = 2,
    /// A date alone.
    Day = 3,
}

impl TimeResolution {
    /// The resolution in a flags byte's two bits.
    pub fn from_u8(v: u8) -> TimeResolution {
        match v & 3 {
            0 => TimeResolution::Millisecond,
            1 => TimeResolution::Second,
            2 => TimeResolution::Minute,
            _ => TimeResolution::Day,
        }
    }

    /// Its length in milliseconds.
    pub fn millis(self) -> i64 {
        match self {
            TimeResolution::Millisecond => 1,
            TimeResolution::Second => 1_000,
            TimeResolution::Minute => 60_000,
            TimeResolution::Day => 86_400_000,
        }
    }

    /// Its name, as `stats` writes it.
    pub fn name(self) -> &'static str {
        match self {
            TimeResolution::Millisecond => "millisecond",
            TimeResolution::Second => "second",
            TimeResolution::Minute => "minute",
            TimeResolution::Day => "day",
        }
    }
}

/// The kinds of item a tweet can carry, which co-action graphs pair accounts on.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[repr(u8)]
pub enum ItemKind {
    /// A hashtag, lowercased, without `#`.
    Hashtag = 0,
    /// A link, normalized.
    Url = 1,
    /// A mentioned account, by id.
    Mention = 2,
    /// A mentioned account known only by screen name (text-derived); resolved at finalize.
    MentionName = 3,
}
