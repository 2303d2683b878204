//! The FiveThirtyEight release of the Clemson IRA tweets (Linvill & Warren): accounts by
//! author name, `post_type` RETWEET/QUOTE_TWEET (R/Q in the per-author redistribution), and
//! hashtags, links and mentions only in the text. FiveThirtyEight's own files carry each
//! tweet's id (`tweet_id`), whose snowflake bits give the millisecond the written minute
//! lacks; the per-author redistribution has none. Retweets carry no source: graphs may
//! recover it from the text.

use super::csv_rows::{boolean, column, id, soft_count, Header, Row, RowResult};
use super::text::{hashtags, mentions, normalize_url, urls};
use super::time::{parse_datetime, refined};
use crate::dataset::batch::*;
use crate::dataset::{ItemKind, TimeResolution, TweetKind};

#[derive(Debug)]
pub struct Columns {
    pub header: Header,
    author: usize,
    /// The author column's name, as the header writes it: `author` or `author_id`.
    author_name: &'static str,
    content: usize,
    publish_date: usize,
    language: Option<usize>,
    following: Option<usize>,
    followers: Option<usize>,
    post_type: Option<usize>,
    retweet: Option<usize>,
    tweet_id: Option<usize>,
    /// FiveThirtyEight's `tco1_step1` to `tco3_step1`: where the text's t.co links lead.
    expanded: [Option<usize>; 3],
}

impl Columns {
    pub fn new(h: &[String]) -> Result<Columns, String> {
        let (author, author_name) = (column(h, "author")?.map(|i| (i, "author")))
            .or(column(h, "author_id")?.map(|i| (i, "author_id")))
            .ok_or_else(|| {
                format!(
                    "has no 'author' or 'author_id' column (columns: {})",
                    h.join(", ")
                )
            })?;
        Ok(Columns {
            header: Header::new(h),
            author,
            author_name,
            content: super::csv_rows::required(h, "content")?,
            publish_date: super::csv_rows::required(h, "publish_date")?,
            language: column(h, "language")?,
            following: column(h, "following")?,
            followers: column(h, "followers")?,
            post_type: column(h, "post_type")?,
            retweet: column(h, "retweet")?,
            tweet_id: column(h, "tweet_id")?,
            expanded: [
                column(h, "tco1_step1")?,
                column(h, "tco2_step1")?,
                column(h, "tco3_step1")?,
            ],
        })
    }

    pub fn row(&self, r: &Row, b: &mut RecordBatch) -> RowResult<()> {
        let author = r.get(Some(self.author));
        super::csv_rows::id(&author, self.author_name)?;
        if author.is_empty() {
            return Err(RowError::new(
                "missing account",
                self.author_name,
                "an author name",
                "",
            ));
        }
        let date = r.get(Some(self.publish_date));
        let expected = "a time like 2016-10-12 11:41:00 or 10/1/2016 19:58";
        let Some((written_ms, _)) = parse_datetime(&date) else {
            return Err(RowError::new("bad time", "publish_date", expected, &date));
        };
        let tweet_id = r.get(self.tweet_id);
        let tweet = match &*tweet_id {
            "" => RawId::None,
            t => b.push_id(id(t, "tweet_id")?),
        };
        // The Clemson collection wrote times to the minute (seconds are always :00).
        let written = Some((written_ms, TimeResolution::Minute));
        let (time_ms, resolution) = refined(tweet, written, b).expect("a written time");
        let retweet_flag = boolean(&r.get(self.retweet), "retweet")?.unwrap_or(false);
        let post_type = r.get(self.post_type);
        let kind = match &*post_type {
            // FiveThirtyEight's files write the kinds out; the per-author redistribution
            // shortens them.
            "RETWEET" | "R" => TweetKind::Retweet,
            "QUOTE_TWEET" | "Q" => TweetKind::Quote,
            "" if retweet_flag => TweetKind::Retweet,
            "" => TweetKind::Original,
            other => {
                return Err(RowError::new(
                    "bad post_type",
                    "post_type",
                    "RETWEET, QUOTE_TWEET, R, Q or empty",
                    other,
                ))
            }
        };
        let raw = r.get(Some(self.content));
        // Texts that start with @ were wrapped in single quotes to keep spreadsheets quiet.
        let content = match raw.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            Some(inner) if raw.len() >= 2 => inner,
            _ => &raw,
        };
        let items_start = b.items.len();
        hashtags(content, |h| b.push_item(ItemKind::Hashtag, h));
        // The text's t.co links, each a link of its own, stand for where they lead, as the
        // release gives it for the first three: shared articles then tie their sharers.
        let mut expanded = (self.expanded.iter())
            .map(|&c| r.get(c))
            .filter(|u| !u.trim().is_empty());
        urls(content, |u| {
            let to = match normalize_url(u).starts_with("t.co/") {
                true => expanded.next(),
                false => None,
            };
            b.push_item(ItemKind::Url, &normalize_url(to.as_deref().unwrap_or(u)))
        });
        // Links the text no longer shows (cut short) are the tweet's all the same.
        for u in expanded {
            b.push_item(ItemKind::Url, &normalize_url(&u));
        }
        mentions(content, |m| b.push_item(ItemKind::MentionName, m));
        let items = b.items_from(items_start);
        let account = b.push_str(&author);
        let text = b.push_str(content);
        let lang = b.push_str(&r.get(self.language));
        b.tweets.push(RawTweet {
            line: r.line,
            tweet,
            account,
            time_ms,
            resolution,
            kind,
            target: RawRef::default(),
            quote: None,
            text,
            lang,
            client: Span::EMPTY,
            items,
        });
        // Every row's counts are read (and warned about), wherever the chunks were cut.
        let profile = RawAccount {
            key: account,
            screen_name: Span::EMPTY,
            created_ms: None,
            followers: soft_count(&r.get(self.followers), "followers", r.line, b),
            following: soft_count(&r.get(self.following), "following", r.line, b),
        };
        b.add_row_account(profile, |_| account);
        Ok(())
    }
}
