//! snscrape's Twitter JSON lines (`snscrape --jsonl twitter-search ...`): a `Tweet` object a
//! line, typed by `_type`, with its author inline (`user`), the retweeted and quoted tweets
//! whole (`retweetedTweet`, `quotedTweet`), the replied-to tweet by id (`inReplyToTweetId`,
//! `inReplyToUser`), and hashtags, mentioned users and links as lists. Releases before 0.5
//! name the text `content` and write links as `outlinks`; a line of another `_type` (a
//! `TweetRef`, for a tweet snscrape could not read) holds no tweet.

use super::*;
use crate::dataset::TweetKind;
use crate::ingest::text::{hashtag_key, hashtags};

/// The `_type` prefix of snscrape's Twitter objects.
pub const TYPE_PREFIX: &str = "snscrape.modules.twitter.";
const TWEET_TYPE: &str = "snscrape.modules.twitter.Tweet";
/// What `date` should hold.
const DATE: &str = "a date-time like 2023-01-01T13:00:00+00:00";

/// A list of strings, each of which may be of the wrong type on its own.
type Strings<'a> = Field<Vec<Str<'a>>>;

#[derive(Deserialize, Debug)]
#[allow(non_snake_case)]
struct SnTweet<'a> {
    #[serde(borrow, rename = "_type")]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    date: Option<Str<'a>>,
    #[serde(borrow)]
    rawContent: Option<Str<'a>>,
    #[serde(borrow)]
    content: Option<Str<'a>>,
    #[serde(borrow)]
    lang: Option<Str<'a>>,
    #[serde(borrow)]
    sourceLabel: Option<Str<'a>>,
    /// The posting app as an HTML link, where `sourceLabel` is missing.
    #[serde(borrow)]
    source: Option<Str<'a>>,
    #[serde(borrow)]
    user: Option<Obj<SnUser<'a>>>,
    #[serde(borrow)]
    retweetedTweet: Option<Obj<Box<SnTweet<'a>>>>,
    #[serde(borrow)]
    quotedTweet: Option<Obj<Box<SnTweet<'a>>>>,
    #[serde(borrow)]
    inReplyToTweetId: Option<Str<'a>>,
    #[serde(borrow)]
    inReplyToUser: Option<Obj<SnUser<'a>>>,
    #[serde(borrow)]
    hashtags: Option<Strings<'a>>,
    #[serde(borrow)]
    mentionedUsers: Option<List<SnUser<'a>>>,
    #[serde(borrow)]
    links: Option<List<SnLink<'a>>>,
    #[serde(borrow)]
    outlinks: Option<Strings<'a>>,
}

#[derive(Deserialize, Debug)]
#[allow(non_snake_case)]
struct SnUser<'a> {
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    username: Option<Str<'a>>,
    #[serde(borrow)]
    created: Option<Str<'a>>,
    followersCount: Option<Count>,
    friendsCount: Option<Count>,
}

#[derive(Deserialize, Debug)]
struct SnLink<'a> {
    #[serde(borrow)]
    url: Option<Str<'a>>,
}

impl<'l> Record<'l> for SnTweet<'l> {
    fn from_value(v: serde_json::Value) -> serde_json::Result<SnTweet<'l>> {
        SnTweet::deserialize(v)
    }
}

pub fn parse_snscrape(chunk: &RawChunk, b: &mut RecordBatch) {
    for_each_line(chunk, b, |line, line_no, b| match parse::<SnTweet>(line) {
        Ok(t) => {
            b.read_record(line_no, |b| sn_tweet(&t, line_no, b));
        }
        Err(e) => invalid_json(b, line_no, e),
    });
}

/// The author of a tweet (the line's own, or a retweeted or quoted one): its id and name,
/// its profile recorded.
fn author<'x>(
    u: &'x SnUser,
    field: &'static str,
    line: u64,
    b: &mut RecordBatch,
) -> Result<(&'x str, &'x str), RowError> {
    let id = hard(&u.id, field, ID)?;
    let name = soft(&u.username, "user.username", line, b);
    if !id.is_empty() {
        profile(u, id, name, line, b);
    }
    Ok((id, name))
}

fn sn_tweet(t: &SnTweet, line: u64, b: &mut RecordBatch) -> Result<(), RowError> {
    let kind = soft(&t.kind, "_type", line, b);
    if kind != TWEET_TYPE {
        return Err(RowError::new("no tweet in line", "_type", TWEET_TYPE, kind));
    }
    let id = required_id(&[(&t.id, "id")])?;
    let missing_user = || RowError::new("missing account", "user", "a user object with id", "");
    let user = hard_obj(&t.user, "user")?.ok_or_else(missing_user)?;
    let (account, _) = author(user, "user.id", line, b)?;
    if account.is_empty() {
        return Err(missing_user());
    }
    let date = hard(&t.date, "date", DATE)?;
    let tweet = b.push_id(id);
    let (time_ms, resolution) = tweet_time(tweet, date, ("date", DATE), line, b)?;
    let (kind, target, quote) = references(t, line, b)?;

    let text = text_of(t, ["rawContent", "content"], line, b);
    let items_start = b.items.len();
    // A retweet's own hashtags and links are read from its text cut to fit `RT @name: `;
    // those of the tweet it carries are whole. Its own mentions are kept beyond those.
    match soft_obj(&t.retweetedTweet, "retweetedTweet", line, b) {
        Some(rt) if kind == TweetKind::Retweet => {
            let fields = ["retweetedTweet.rawContent", "retweetedTweet.content"];
            tweet_items(rt, text_of(rt, fields, line, b), line, b);
            let mid = b.items.len();
            mentions(t, line, b);
            drop_repeated(b, items_start, mid);
        }
        _ => tweet_items(t, text, line, b),
    }
    let items = b.items_from(items_start);
    let account = b.push_str(account);
    let text = b.push_str(text);
    let lang = soft(&t.lang, "lang", line, b);
    let lang = b.push_str(lang);
    let client = match soft(&t.sourceLabel, "sourceLabel", line, b) {
        "" => link_text(soft(&t.source, "source", line, b)),
        label => label,
    };
    let client = b.push_str(client);
    b.tweets.push(RawTweet {
        line,
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
    Ok(())
}

/// A tweet's text: `rawContent`, or `content` in releases before 0.5 (`fields` name the two
/// in the line, for messages).
fn text_of<'x>(
    t: &'x SnTweet,
    fields: [&'static str; 2],
    line: u64,
    b: &mut RecordBatch,
) -> &'x str {
    match soft(&t.rawContent, fields[0], line, b) {
        "" => soft(&t.content, fields[1], line, b),
        text => text,
    }
}

/// A tweet's hashtags, mentions and links (`text` is where releases before 0.5 keep its
/// hashtags).
fn tweet_items(t: &SnTweet, text: &str, line: u64, b: &mut RecordBatch) {
    match &t.hashtags {
        Some(_) => {
            for tag in strings(&t.hashtags, "hashtags", line, b) {
                b.push_item(ItemKind::Hashtag, &hashtag_key(tag));
            }
        }
        // Releases before 0.5 list no hashtags: they are in the text.
        None => hashtags(text, |h| b.push_item(ItemKind::Hashtag, h)),
    }
    mentions(t, line, b);
    match &t.links {
        Some(_) => {
            for l in soft_list(&t.links, "links", line, b) {
                let url = soft(&l.url, "links.url", line, b);
                if !url.is_empty() {
                    b.push_item(ItemKind::Url, &normalize_url(url));
                }
            }
        }
        None => {
            for url in strings(&t.outlinks, "outlinks", line, b) {
                b.push_item(ItemKind::Url, &normalize_url(url));
            }
        }
    }
}

fn mentions(t: &SnTweet, line: u64, b: &mut RecordBatch) {
    for u in soft_list(&t.mentionedUsers, "mentionedUsers", line, b) {
        let id = soft(&u.id, "mentionedUsers.id", line, b);
        let name = soft(&u.username, "mentionedUsers.username", line, b);
        mention(id, name, false, b);
    }
}

/// What the tweet retweets, replies to or quotes, and a quote a reply carries. The tweet
/// cannot do without the ids of these; an author it names badly is unknown, with a warning.
fn references(
    t: &SnTweet,
    line: u64,
    b: &mut RecordBatch,
) -> Result<(TweetKind, RawRef, Option<RawRef>), RowError> {
    let carried = |b: &mut RecordBatch,
                   c: &SnTweet,
                   field: &'static str,
                   user_field: &'static str|
     -> Result<RawRef, RowError> {
        let id = required_id(&[(&c.id, field)])?;
        let (account, name) = match soft_obj(&c.user, user_field, line, b) {
            Some(u) => author(u, user_field, line, b).unwrap_or_else(|e| {
                b.warn(line, e);
                ("", "")
            }),
            None => ("", ""),
        };
        Ok(RawRef {
            tweet: b.push_id(id),
            account: b.push_str(account),
            screen_name: b.push_str(name),
        })
    };
    let quoted = match hard_obj(&t.quotedTweet, "quotedTweet")? {
        // A quote of a tweet deleted or withheld since: a `Tombstone`, a notice without an
        // id. The tweet is still a quote, of a tweet unknown, as the other readers keep it.
        Some(q)
            if q.id.is_none()
                && soft(&q.kind, "quotedTweet._type", line, b).ends_with(".Tombstone") =>
        {
            Some(RawRef::default())
        }
        Some(q) => Some(carried(b, q, "quotedTweet.id", "quotedTweet.user")?),
        None => None,
    };
    if let Some(rt) = hard_obj(&t.retweetedTweet, "retweetedTweet")? {
        let target = carried(b, rt, "retweetedTweet.id", "retweetedTweet.user")?;
        return Ok((TweetKind::Retweet, target, None));
    }
    let reply_to = tweet_id(&[(&t.inReplyToTweetId, "inReplyToTweetId")])?;
    if !reply_to.is_empty() {
        let (account, name) = match soft_obj(&t.inReplyToUser, "inReplyToUser", line, b) {
            Some(u) => (
                soft(&u.id, "inReplyToUser.id", line, b),
                soft(&u.username, "inReplyToUser.username", line, b),
            ),
            None => ("", ""),
        };
        let target = RawRef {
            tweet: b.push_id(reply_to),
            account: b.push_str(account),
            screen_name: b.push_str(name),
        };
        return Ok((TweetKind::Reply, target, quoted));
    }
    Ok(match quoted {
        Some(q) => (TweetKind::Quote, q, None),
        None => (TweetKind::Original, RawRef::default(), None),
    })
}

/// The strings of a list the tweet can do without; a list or element of the wrong type is
/// left out with a warning.
fn strings<'x>(
    f: &'x Option<Strings>,
    field: &'static str,
    line: u64,
    b: &mut RecordBatch,
) -> Vec<&'x str> {
    match f {
        Some(Field::Ok(v)) => v
            .iter()
            .filter_map(|s| match s {
                Field::Ok(s) => Some(&*s.0),
                Field::Wrong(w) => {
                    b.warn(line, wrong_type(field, "a list of strings", w));
                    None
                }
            })
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Field::Wrong(w)) => {
            b.warn(line, wrong_type(field, "a list of strings", w));
            Vec::new()
        }
        None => Vec::new(),
    }
}

fn profile(u: &SnUser, id: &str, name: &str, line: u64, b: &mut RecordBatch) {
    let created = soft(&u.created, "user.created", line, b);
    let created_ms = parse_datetime(created).map(|t| t.0);
    if created_ms.is_none() && !created.is_empty() {
        b.warn(
            line,
            RowError::new("bad date", "user.created", DATE, created),
        );
    }
    let profile = RawAccount {
        key: b.push_str(id),
        screen_name: b.push_str(name),
        created_ms,
        followers: soft_count(&u.followersCount, "user.followersCount", line, b),
        following: soft_count(&u.friendsCount, "user.friendsCount", line, b),
    };
    b.add_account(profile);
}
