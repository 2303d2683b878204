//! Twitter's information-operations archive: tweet and user CSVs of the 2018 and 2019+
//! releases. Columns are found by name (their order changed between releases).

use super::csv_rows::{
    boolean, column, id, list, required, soft_count, soft_date, Header, Row, RowResult,
};
use super::text::{hashtag_key, hashtags, normalize_url, retweeted_name};
use super::time::tweet_time;
use crate::dataset::batch::*;
use crate::dataset::{ItemKind, TweetKind};
use std::ops::Range;

#[derive(Debug)]
pub struct TweetColumns {
    pub header: Header,
    tweetid: usize,
    userid: usize,
    tweet_time: usize,
    profile: ProfileColumns,
    tweet_language: Option<usize>,
    tweet_client_name: Option<usize>,
    tweet_text: Option<usize>,
    in_reply_to_tweetid: Option<usize>,
    in_reply_to_userid: Option<usize>,
    quoted_tweet_tweetid: Option<usize>,
    is_retweet: Option<usize>,
    retweet_userid: Option<usize>,
    retweet_tweetid: Option<usize>,
    hashtags: Option<usize>,
    urls: Option<usize>,
    user_mentions: Option<usize>,
}

/// The column of a tweet's hashtags; a file without it has them taken from the text.
pub(super) const HASHTAGS: &str = "hashtags";

impl TweetColumns {
    pub fn new(h: &[String]) -> Result<TweetColumns, String> {
        Ok(TweetColumns {
            header: Header::new(h),
            tweetid: required(h, "tweetid")?,
            userid: required(h, "userid")?,
            tweet_time: required(h, "tweet_time")?,
            profile: ProfileColumns::new(h)?,
            tweet_language: column(h, "tweet_language")?,
            tweet_client_name: column(h, "tweet_client_name")?,
            tweet_text: column(h, "tweet_text")?,
            in_reply_to_tweetid: column(h, "in_reply_to_tweetid")?,
            in_reply_to_userid: column(h, "in_reply_to_userid")?,
            quoted_tweet_tweetid: column(h, "quoted_tweet_tweetid")?,
            is_retweet: column(h, "is_retweet")?,
            retweet_userid: column(h, "retweet_userid")?,
            retweet_tweetid: column(h, "retweet_tweetid")?,
            hashtags: column(h, HASHTAGS)?,
            urls: column(h, "urls")?,
            user_mentions: column(h, "user_mentions")?,
        })
    }

    pub fn row(&self, r: &Row, b: &mut RecordBatch) -> RowResult<()> {
        let id_text = r.get(Some(self.tweetid));
        if id_text.is_empty() {
            return Err(RowError::new(
                "missing tweet id",
                "tweetid",
                "a tweet id",
                "",
            ));
        }
        let tweet = b.push_id(id(&id_text, "tweetid")?);
        let user = r.get(Some(self.userid));
        id(&user, "userid")?;
        if user.is_empty() {
            return Err(RowError::new("missing account", "userid", "a user id", ""));
        }
        let written = r.get(Some(self.tweet_time));
        let expected = ("tweet_time", "a time like 2017-06-22 16:03");
        let (time_ms, resolution) = tweet_time(tweet, &written, expected, r.line, b)?;
        let (kind, target, quote) = self.references(r, b)?;
        let items = self.items(r, b)?;
        let account = b.push_str(&user);
        let text = b.push_str(&r.get(self.tweet_text));
        let lang = b.push_str(&r.get(self.tweet_language));
        let client = b.push_str(&r.get(self.tweet_client_name));
        b.tweets.push(RawTweet {
            line: r.line,
            tweet,
            account,
            time_ms,
            resolution,
            kind,
            target,
            quote,
            text,
            lang,
            client,
            items,
        });
        self.profile(r, account, b);
        Ok(())
    }

    /// What the tweet is and what it points at: the retweeted, replied-to or quoted tweet,
    /// and a quote carried by a reply.
    fn references(
        &self,
        r: &Row,
        b: &mut RecordBatch,
    ) -> RowResult<(TweetKind, RawRef, Option<RawRef>)> {
        let reply_to = r.get(self.in_reply_to_tweetid);
        let quoted = r.get(self.quoted_tweet_tweetid);
        let retweeted = r.get(self.retweet_tweetid);
        let (retweeted_user, replied_user) =
            (r.get(self.retweet_userid), r.get(self.in_reply_to_userid));
        // Without the flag (a column left out, a cell left empty), the retweeted tweet or
        // account says it: the archive fills them for retweets only. In a file cut to fewer
        // columns, none of them about retweets, the text's `RT @name:` says it, as the API's
        // own text does (the source is found by name later).
        let is_retweet = match (self.is_retweet, self.retweet_tweetid, self.retweet_userid) {
            (None, None, None) => retweeted_name(&r.get(self.tweet_text)).is_some(),
            _ => boolean(&r.get(self.is_retweet), "is_retweet")?
                .unwrap_or(!retweeted.is_empty() || !retweeted_user.is_empty()),
        };
        for (value, column) in [
            (&reply_to, "in_reply_to_tweetid"),
            (&quoted, "quoted_tweet_tweetid"),
            (&retweeted, "retweet_tweetid"),
            (&retweeted_user, "retweet_userid"),
            (&replied_user, "in_reply_to_userid"),
        ] {
            id(value, column)?;
        }
        let reference = |b: &mut RecordBatch, tweet: &str, account: &str| RawRef {
            tweet: b.push_id(tweet),
            account: b.push_str(account),
            screen_name: Span::EMPTY,
        };
        let (kind, target) = if is_retweet {
            (
                TweetKind::Retweet,
                reference(b, &retweeted, &retweeted_user),
            )
        } else if !reply_to.is_empty() {
            (TweetKind::Reply, reference(b, &reply_to, &replied_user))
        } else if !quoted.is_empty() {
            (TweetKind::Quote, reference(b, &quoted, ""))
        } else {
            (TweetKind::Original, RawRef::default())
        };
        let quote =
            (kind == TweetKind::Reply && !quoted.is_empty()).then(|| reference(b, &quoted, ""));
        Ok((kind, target, quote))
    }

    /// Hashtags, URLs and mentions from the row's list columns.
    fn items(&self, r: &Row, b: &mut RecordBatch) -> RowResult<Range<u32>> {
        let items_start = b.items.len();
        match self.hashtags {
            Some(_) => list(&r.get(self.hashtags), HASHTAGS, |h| {
                let h = hashtag_key(h);
                b.push_item(ItemKind::Hashtag, &h)
            })?,
            // A part without the column: its hashtags are in its text, as for the layouts that
            // never have one.
            None => hashtags(&r.get(self.tweet_text), |h| {
                b.push_item(ItemKind::Hashtag, h)
            }),
        }
        list(&r.get(self.urls), "urls", |u| {
            b.push_item(ItemKind::Url, &normalize_url(u))
        })?;
        list(&r.get(self.user_mentions), "user_mentions", |m| {
            b.push_item(ItemKind::Mention, m)
        })?;
        Ok(b.items_from(items_start))
    }

    /// The account's profile as the row tells it: every row's fields are read (and warned
    /// about), so neither the profile nor the warnings depend on where chunks were cut.
    fn profile(&self, r: &Row, account: Span, b: &mut RecordBatch) {
        let profile = self.profile.read(r, account, b);
        let screen_name = self.profile.screen_name;
        b.add_row_account(profile, |b| b.push_str(&r.get(screen_name)));
    }
}

/// The profile columns a tweets file and a users file both carry.
#[derive(Debug)]
struct ProfileColumns {
    screen_name: Option<usize>,
    follower_count: Option<usize>,
    following_count: Option<usize>,
    account_creation_date: Option<usize>,
}

impl ProfileColumns {
    fn new(h: &[String]) -> Result<ProfileColumns, String> {
        Ok(ProfileColumns {
            screen_name: column(h, "user_screen_name")?,
            follower_count: column(h, "follower_count")?,
            following_count: column(h, "following_count")?,
            account_creation_date: column(h, "account_creation_date")?,
        })
    }

    /// The profile of account `key` as the row tells it, a bad field warned about; its screen
    /// name is the caller's to add (a tweet row's only for an account not seen before).
    fn read(&self, r: &Row, key: Span, b: &mut RecordBatch) -> RawAccount {
        let date = r.get(self.account_creation_date);
        let created = "a date like 2013-12-07";
        RawAccount {
            key,
            screen_name: Span::EMPTY,
            created_ms: soft_date(&date, "account_creation_date", created, r.line, b),
            followers: soft_count(&r.get(self.follower_count), "follower_count", r.line, b),
            following: soft_count(&r.get(self.following_count), "following_count", r.line, b),
        }
    }
}

#[derive(Debug)]
pub struct UserColumns {
    pub header: Header,
    userid: usize,
    profile: ProfileColumns,
}

impl UserColumns {
    pub fn new(h: &[String]) -> Result<UserColumns, String> {
        Ok(UserColumns {
            header: Header::new(h),
            userid: required(h, "userid")?,
            profile: ProfileColumns::new(h)?,
        })
    }

    /// A user row is a profile, not a tweet: it fills the account table.
    pub fn row(&self, r: &Row, b: &mut RecordBatch) -> RowResult<()> {
        let user = r.get(Some(self.userid));
        if user.is_empty() {
            return Err(RowError::new("missing account", "userid", "a user id", ""));
        }
        let key = b.push_str(&user);
        let profile = RawAccount {
            screen_name: b.push_str(&r.get(self.profile.screen_name)),
            ..self.profile.read(r, key, b)
        };
        b.add_account(profile);
        b.profiles_read += 1;
        Ok(())
    }
}
