//! coordination-network-toolkit's CSV (`message_id, user_id, username, repost_id, reply_id,
//! message, timestamp, urls`): what its `preprocess` reads, so a collection prepared for it
//! is read as it is. Times are seconds (a fraction allowed); URLs a space-separated list;
//! hashtags and mentions only in the message.

use super::actions::action_time;
use super::csv_rows::{column, id, required, Header, Row, RowResult};
use super::text::{hashtags, mentions, normalize_url, urls};
use super::time::refined;
use crate::dataset::batch::*;
use crate::dataset::{ItemKind, TweetKind};

/// CNT's columns, in the order its `preprocess` reads them.
const ORDER: [&str; 8] = [
    "message_id",
    "user_id",
    "username",
    "repost_id",
    "reply_id",
    "message",
    "timestamp",
    "urls",
];

#[derive(Debug)]
pub struct Columns {
    pub header: Header,
    message_id: usize,
    user_id: usize,
    timestamp: usize,
    username: Option<usize>,
    repost_id: Option<usize>,
    reply_id: Option<usize>,
    message: Option<usize>,
    urls: Option<usize>,
}

impl Columns {
    /// Whether the header is CNT's (its three columns no other layout has together).
    pub fn is_cnt(header: &[String]) -> bool {
        ["message_id", "user_id", "timestamp"]
            .iter()
            .all(|n| header.iter().any(|h| h == n))
    }

    /// By name; or, given as CNT's (`--format cnt`) with other names, by position, as CNT's
    /// `preprocess` reads it (it skips the header).
    pub fn new(h: &[String]) -> Result<Columns, String> {
        if !Columns::is_cnt(h) && h.len() == ORDER.len() {
            return Ok(Columns {
                header: Header::new(h),
                message_id: 0,
                user_id: 1,
                username: Some(2),
                repost_id: Some(3),
                reply_id: Some(4),
                message: Some(5),
                timestamp: 6,
                urls: Some(7),
            });
        }
        let by_position = || {
            format!(
                "; read by position, CNT's CSV has {} columns ({}), this one {}",
                ORDER.len(),
                ORDER.join(", "),
                h.len()
            )
        };
        let needed = |name| required(h, name).map_err(|e| e + &by_position());
        Ok(Columns {
            header: Header::new(h),
            message_id: needed("message_id")?,
            user_id: needed("user_id")?,
            timestamp: needed("timestamp")?,
            username: column(h, "username")?,
            repost_id: column(h, "repost_id")?,
            reply_id: column(h, "reply_id")?,
            message: column(h, "message")?,
            urls: column(h, "urls")?,
        })
    }

    pub fn row(&self, r: &Row, b: &mut RecordBatch) -> RowResult<()> {
        let message_id = r.get(Some(self.message_id));
        if message_id.is_empty() {
            let e = RowError::new("missing tweet id", "message_id", "a message id", "");
            return Err(e);
        }
        let tweet = b.push_id(id(&message_id, "message_id")?);
        let user = r.get(Some(self.user_id));
        if user.is_empty() {
            return Err(RowError::new("missing account", "user_id", "a user id", ""));
        }
        id(&user, "user_id")?;
        let written = r.get(Some(self.timestamp));
        let bad_time = || {
            let expected = "POSIX seconds like 1623881091.25";
            RowError::new("bad time", "timestamp", expected, &written)
        };
        let seconds = action_time(&written, Default::default()).ok_or_else(bad_time)?;
        // Tweet ids carry their millisecond time; other platforms' ids do not agree with it
        // and keep the written time.
        let (time_ms, resolution) = refined(tweet, Some(seconds), b).ok_or_else(bad_time)?;
        let (repost, reply) = (r.get(self.repost_id), r.get(self.reply_id));
        id(&repost, "repost_id")?;
        id(&reply, "reply_id")?;
        let mut target = RawRef::default();
        let kind = if !repost.is_empty() {
            target.tweet = b.push_id(&repost);
            TweetKind::Retweet
        } else if !reply.is_empty() {
            target.tweet = b.push_id(&reply);
            TweetKind::Reply
        } else {
            TweetKind::Original
        };
        let message = r.get(self.message);
        let items_start = b.items.len();
        hashtags(&message, |h| b.push_item(ItemKind::Hashtag, h));
        match self.urls {
            Some(_) => r
                .get(self.urls)
                .split_ascii_whitespace()
                .for_each(|u| b.push_item(ItemKind::Url, &normalize_url(u))),
            None => urls(&message, |u| b.push_item(ItemKind::Url, &normalize_url(u))),
        }
        mentions(&message, |m| b.push_item(ItemKind::MentionName, m));
        let items = b.items_from(items_start);
        let account = b.push_str(&user);
        let text = b.push_str(&message);
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
        let profile = RawAccount {
            key: account,
            ..RawAccount::default()
        };
        b.add_row_account(profile, |b| b.push_str(&r.get(self.username)));
        Ok(())
    }
}
