//! Generic action CSVs: one action per row, columns named by the user. CooRTweet's layout
//! (`object_id, account_id, timestamp_share`, and `content_id` when there) is recognised
//! without a mapping.
//!
//! A row with an empty object is a post that shares nothing: coordination-network-toolkit's
//! layout writes original messages so (no `repost_id`). It is kept as an original tweet, which
//! counts in the account's activity but takes part in no share graph.

use super::csv_rows::{column, id, required, Header, Row, RowResult};
use super::text::{hashtag_key, normalize_url};
use super::time::{parse_datetime_in, SlashOrder};
use crate::dataset::batch::*;
use crate::dataset::{ItemKind, TimeResolution, TweetKind};

/// What the object column of an action CSV holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectKind {
    /// The retweeted tweet (a share of a post).
    #[default]
    Retweet,
    Reply,
    Quote,
    Hashtag,
    Url,
    Mention,
    /// The text itself (co-tweet of the same text).
    Text,
}

impl ObjectKind {
    pub const ALL: [ObjectKind; 7] = [
        ObjectKind::Retweet,
        ObjectKind::Reply,
        ObjectKind::Quote,
        ObjectKind::Hashtag,
        ObjectKind::Url,
        ObjectKind::Mention,
        ObjectKind::Text,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Retweet => "retweet",
            ObjectKind::Reply => "reply",
            ObjectKind::Quote => "quote",
            ObjectKind::Hashtag => "hashtag",
            ObjectKind::Url => "url",
            ObjectKind::Mention => "mention",
            ObjectKind::Text => "text",
        }
    }
}

impl std::str::FromStr for ObjectKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<ObjectKind, String> {
        crate::shown::by_name(&ObjectKind::ALL, ObjectKind::name, s, "object kind")
    }
}

/// CooRTweet's name for the action's own id, read as it when no column is named and the file
/// has it.
pub const COORTWEET_CONTENT: &str = "content_id";

/// Which columns of an action CSV hold what.
#[derive(Clone, Debug, Default)]
pub struct ActionsMapping {
    pub account: String,
    pub time: String,
    pub object: String,
    /// The action's own id (tweet id); when not named, CooRTweet's `content_id` if the file
    /// has it.
    pub content: Option<String>,
    /// The author of the object (retweeted account), if any.
    pub object_account: Option<String>,
    pub kind: ObjectKind,
}

impl ActionsMapping {
    /// CooRTweet's column names; the flags' defaults.
    pub fn coortweet() -> ActionsMapping {
        ActionsMapping {
            account: "account_id".into(),
            time: "timestamp_share".into(),
            object: "object_id".into(),
            content: None,
            object_account: None,
            kind: ObjectKind::Retweet,
        }
    }
}

#[derive(Debug)]
pub struct Columns {
    pub header: Header,
    account: usize,
    time: usize,
    object: usize,
    content: Option<usize>,
    object_account: Option<usize>,
    kind: ObjectKind,
    /// The mapped columns' names as the file writes them, for the rejects: `[account, time,
    /// object, content]`.
    names: [&'static str; 4],
    /// How slash dates are read.
    slash: SlashOrder,
}

impl Columns {
    pub fn is_coortweet(header: &[String]) -> bool {
        ["object_id", "account_id", "timestamp_share"]
            .iter()
            .all(|c| header.iter().any(|h| h == c))
    }

    pub fn new(
        h: &[String],
        mapping: Option<&ActionsMapping>,
        slash: SlashOrder,
    ) -> Result<Columns, String> {
        let default = ActionsMapping::coortweet();
        let m = match mapping {
            Some(m) => m,
            None if Columns::is_coortweet(h) => &default,
            None => {
                return Err(format!(
                    "is an action CSV without a column mapping; name its account, time and \
                     object columns (columns: {})",
                    h.join(", ")
                ))
            }
        };
        let lower = |s: &str| s.trim().to_ascii_lowercase();
        let optional = |c: &Option<String>| -> Result<Option<usize>, String> {
            match c {
                Some(c) => required(h, &lower(c)).map(Some),
                None => Ok(None),
            }
        };
        let account = required(h, &lower(&m.account))?;
        let time = required(h, &lower(&m.time))?;
        let object = required(h, &lower(&m.object))?;
        // CooRTweet's own layout without its content ids is still its layout.
        let content = match &m.content {
            None => column(h, COORTWEET_CONTENT)?,
            Some(_) => optional(&m.content)?,
        };
        let name = |i: usize| keep(h[i].trim().to_string());
        Ok(Columns {
            header: Header::new(h),
            account,
            time,
            object,
            content,
            object_account: optional(&m.object_account)?,
            kind: m.kind,
            names: [
                name(account),
                name(time),
                name(object),
                content.map_or(COORTWEET_CONTENT, name),
            ],
            slash,
        })
    }

    pub fn row(&self, r: &Row, b: &mut RecordBatch) -> RowResult<()> {
        let [account_name, time_name, object_name, content_name] = self.names;
        let account = r.get(Some(self.account));
        id(&account, account_name)?;
        if account.is_empty() {
            return Err(RowError::new(
                "missing account",
                account_name,
                "an account id",
                "",
            ));
        }
        let t = r.get(Some(self.time));
        let (time_ms, resolution) = action_time(&t, self.slash).ok_or_else(|| {
            // A slash date that reads only the other way round means the file's other slash
            // dates, those with a day of 12 or less, were read the wrong way round.
            if action_time(&t, self.slash.other()).is_some() {
                return RowError::new(
                    SLASH_ORDER,
                    time_name,
                    match self.slash {
                        SlashOrder::MonthFirst => {
                            "a month/day/year date, as slash dates are \
                            read: give --day-first to read them day/month/year"
                        }
                        SlashOrder::DayFirst => {
                            "a day/month/year date, as --day-first reads \
                            slash dates: leave it out to read them month/day/year"
                        }
                    },
                    &t,
                );
            }
            RowError::new(
                "bad time",
                time_name,
                match self.slash {
                    SlashOrder::MonthFirst => {
                        "POSIX seconds (or ms, µs, ns), or a date-time \
                        like 2021-06-16 21:24:51 or 6/16/2021 21:24"
                    }
                    SlashOrder::DayFirst => {
                        "POSIX seconds (or ms, µs, ns), or a date-time \
                        like 2021-06-16 21:24:51 or 16/6/2021 21:24"
                    }
                },
                &t,
            )
        })?;
        let object = r.get(Some(self.object));
        // A tweet that shares nothing is an original post (coordination-network-toolkit's
        // layout read as actions); an action on a hashtag, URL, mention or text needs one.
        let tweets = matches!(
            self.kind,
            ObjectKind::Retweet | ObjectKind::Reply | ObjectKind::Quote
        );
        if object.is_empty() && !tweets {
            let what = "the hashtag, URL, mention or text the action is on";
            return Err(RowError::new("missing object", object_name, what, ""));
        }
        let tweet = b.push_id(id(&r.get(self.content), content_name)?);
        let items_start = b.items.len();
        let mut target = RawRef::default();
        let mut text = Span::EMPTY;
        let kind = match self.kind {
            _ if object.is_empty() => TweetKind::Original,
            ObjectKind::Retweet | ObjectKind::Reply | ObjectKind::Quote => {
                target.tweet = b.push_id(id(&object, object_name)?);
                let author = r.get(self.object_account);
                target.account = b.push_str(id(&author, "object account")?);
                match self.kind {
                    ObjectKind::Retweet => TweetKind::Retweet,
                    ObjectKind::Reply => TweetKind::Reply,
                    _ => TweetKind::Quote,
                }
            }
            ObjectKind::Hashtag => {
                b.push_item(ItemKind::Hashtag, &hashtag_key(&object));
                TweetKind::Original
            }
            ObjectKind::Url => {
                b.push_item(ItemKind::Url, &normalize_url(&object));
                TweetKind::Original
            }
            // By name, as text gives it: screen names match in any case, and an account's
            // id matches its own.
            ObjectKind::Mention => {
                b.push_item(ItemKind::MentionName, object.trim_start_matches('@'));
                TweetKind::Original
            }
            ObjectKind::Text => {
                text = b.push_str(&object);
                TweetKind::Original
            }
        };
        let items = b.items_from(items_start);
        let account = b.push_str(&account);
        b.tweets.push(RawTweet {
            line: r.line,
            tweet,
            account,
            time_ms,
            resolution,
            kind,
            target,
            quote: None,
            text,
            lang: Span::EMPTY,
            client: Span::EMPTY,
            items,
        });
        Ok(())
    }
}

/// POSIX seconds (`1623881091`, `1623881091.25`), milliseconds, microseconds or nanoseconds
/// (told apart by size: each unit's times from 1973 to 5138 fill three decimal orders of
/// their own), or a date-time: microseconds read as milliseconds were of the year 53428.
/// The reason a row is rejected when its slash date reads only in the other order: the
/// file's other slash dates may have been read the wrong way round, so such a row stops the
/// run.
pub const SLASH_ORDER: &str = "a slash date in the other order (other dates would be misread)";

pub(super) fn action_time(s: &str, slash: SlashOrder) -> Option<(i64, TimeResolution)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let numeric = !int.is_empty()
        && int.bytes().all(|c| c.is_ascii_digit())
        && frac.bytes().all(|c| c.is_ascii_digit());
    if !numeric {
        return parse_datetime_in(s, slash);
    }
    let whole: i64 = int.parse().ok()?;
    match whole {
        100_000_000_000_000_000.. => return Some((whole / 1_000_000, TimeResolution::Millisecond)),
        100_000_000_000_000.. => return Some((whole / 1_000, TimeResolution::Millisecond)),
        100_000_000_000.. => return Some((whole, TimeResolution::Millisecond)),
        _ => {}
    }
    // The first three fractional digits, right-padded with zeros (".25" is 250 ms).
    let frac_ms = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0i64, |ms, d| ms * 10 + i64::from(d - b'0'));
    let res = if frac_ms != 0 {
        TimeResolution::Millisecond
    } else {
        TimeResolution::Second
    };
    Some((whole * 1000 + frac_ms, res))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_times() {
        assert_eq!(
            action_time("1623881091", SlashOrder::MonthFirst),
            Some((1_623_881_091_000, TimeResolution::Second))
        );
        assert_eq!(
            action_time("1623881091.25", SlashOrder::MonthFirst),
            Some((1_623_881_091_250, TimeResolution::Millisecond))
        );
        assert_eq!(
            action_time("1623881091250", SlashOrder::MonthFirst),
            Some((1_623_881_091_250, TimeResolution::Millisecond))
        );
        // Microseconds and nanoseconds by their size.
        for s in ["1623881091250000", "1623881091250000000"] {
            assert_eq!(
                action_time(s, SlashOrder::MonthFirst),
                Some((1_623_881_091_250, TimeResolution::Millisecond)),
                "{s}"
            );
        }
        assert_eq!(
            action_time("2021-06-16 22:04:51", SlashOrder::MonthFirst).map(|t| t.1),
            Some(TimeResolution::Second)
        );
        assert_eq!(action_time("soon", SlashOrder::MonthFirst), None);
    }
}
