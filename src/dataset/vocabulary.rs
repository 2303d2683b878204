//! The data's vocabulary: what a tweet is, what items it carries, and how finely its time is
//! known. Every stage speaks it; the dataset owns it.

/// What a tweet is: an original post, or a reaction to another tweet.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[repr(u8)]
pub enum TweetKind {
    Original = 0,
    Retweet = 1,
    Reply = 2,
    Quote = 3,
}

impl TweetKind {
    pub fn from_u8(v: u8) -> TweetKind {
        match v & 3 {
            0 => TweetKind::Original,
            1 => TweetKind::Retweet,
            2 => TweetKind::Reply,
            _ => TweetKind::Quote,
        }
    }

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
    Second = 1,
    Minute = 2,
    Day = 3,
}

impl TimeResolution {
    pub fn from_u8(v: u8) -> TimeResolution {
        match v & 3 {
            0 => TimeResolution::Millisecond,
            1 => TimeResolution::Second,
            2 => TimeResolution::Minute,
            _ => TimeResolution::Day,
        }
    }

    pub fn millis(self) -> i64 {
        match self {
            TimeResolution::Millisecond => 1,
            TimeResolution::Second => 1_000,
            TimeResolution::Minute => 60_000,
            TimeResolution::Day => 86_400_000,
        }
    }

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
    Hashtag = 0,
    Url = 1,
    /// A mentioned account, by id.
    Mention = 2,
    /// A mentioned account known only by screen name (text-derived); resolved at finalize.
    MentionName = 3,
}
