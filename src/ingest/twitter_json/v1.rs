//! API v1.1 tweet objects (`retweeted_status`, `quoted_status`, `extended_tweet`).

use super::*;
use crate::dataset::TweetKind;

#[derive(Deserialize, Debug)]
struct V1Tweet<'a> {
    #[serde(borrow)]
    id_str: Option<Str<'a>>,
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    created_at: Option<Str<'a>>,
    #[serde(borrow)]
    text: Option<Str<'a>>,
    #[serde(borrow)]
    full_text: Option<Str<'a>>,
    #[serde(borrow)]
    lang: Option<Str<'a>>,
    /// The posting app as an HTML link: `<a href="...">Twitter for iPhone</a>`.
    #[serde(borrow)]
    source: Option<Str<'a>>,
    #[serde(borrow)]
    extended_tweet: Option<Obj<V1Extended<'a>>>,
    #[serde(borrow)]
    user: Option<Obj<V1User<'a>>>,
    #[serde(borrow)]
    retweeted_status: Option<Obj<Box<V1Tweet<'a>>>>,
    #[serde(borrow)]
    quoted_status_id_str: Option<Str<'a>>,
    #[serde(borrow)]
    quoted_status: Option<Obj<Box<V1Tweet<'a>>>>,
    #[serde(borrow)]
    in_reply_to_status_id_str: Option<Str<'a>>,
    #[serde(borrow)]
    in_reply_to_user_id_str: Option<Str<'a>>,
    #[serde(borrow)]
    in_reply_to_screen_name: Option<Str<'a>>,
    #[serde(borrow)]
    entities: Option<Obj<V1Entities<'a>>>,
    delete: Option<IgnoredAny>,
    limit: Option<IgnoredAny>,
}

#[derive(Deserialize, Debug)]
struct V1Extended<'a> {
    #[serde(borrow)]
    full_text: Option<Str<'a>>,
    #[serde(borrow)]
    entities: Option<Obj<V1Entities<'a>>>,
}

#[derive(Deserialize, Debug, Default)]
struct V1Entities<'a> {
    #[serde(borrow)]
    hashtags: Option<List<Tag<'a>>>,
    #[serde(borrow)]
    urls: Option<List<Link<'a>>>,
    #[serde(borrow)]
    user_mentions: Option<List<Mention<'a>>>,
}

#[derive(Deserialize, Debug)]
struct V1User<'a> {
    #[serde(borrow)]
    id_str: Option<Str<'a>>,
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    screen_name: Option<Str<'a>>,
    #[serde(borrow)]
    created_at: Option<Str<'a>>,
    followers_count: Option<Count>,
    friends_count: Option<Count>,
}

impl<'l> Record<'l> for V1Tweet<'l> {
    fn from_value(v: serde_json::Value) -> serde_json::Result<V1Tweet<'l>> {
        V1Tweet::deserialize(v)
    }
}

pub fn parse_v1(chunk: &RawChunk, b: &mut RecordBatch) {
    for_each_line(chunk, b, |line, line_no, b| match parse::<V1Tweet>(line) {
        Ok(t) => {
            b.read_record(line_no, |b| v1_tweet(&t, line_no, b));
        }
        Err(e) => invalid_json(b, line_no, e),
    });
}

/// A tweet's account, its user's id: `id_str`, or `id` where `id_str` is not good.
fn account_of<'x>(u: &'x V1User, at: &Place) -> Result<&'x str, RowError> {
    either((&u.id_str, at.user_id_str), (&u.id, at.user_id))
}

/// Where a tweet object sits in the line, to name its fields in messages.
struct Place {
    id_str: &'static str,
    id: &'static str,
    user: &'static str,
    user_id_str: &'static str,
    user_id: &'static str,
    screen_name: &'static str,
}

const TWEET: Place = Place {
    id_str: "id_str",
    id: "id",
    user: "user",
    user_id_str: "user.id_str",
    user_id: "user.id",
    screen_name: "user.screen_name",
};
const RETWEETED: Place = Place {
    id_str: "retweeted_status.id_str",
    id: "retweeted_status.id",
    user: "retweeted_status.user",
    user_id_str: "retweeted_status.user.id_str",
    user_id: "retweeted_status.user.id",
    screen_name: "retweeted_status.user.screen_name",
};
const QUOTED: Place = Place {
    id_str: "quoted_status.id_str",
    id: "quoted_status.id",
    user: "quoted_status.user",
    user_id_str: "quoted_status.user.id_str",
    user_id: "quoted_status.user.id",
    screen_name: "quoted_status.user.screen_name",
};

/// The tweet a retweet or quote carries: its id (which it cannot do without) and its
/// author's id and name (unknown, with a warning, if malformed).
fn carried<'x>(
    t: &'x V1Tweet,
    at: &Place,
    line: u64,
    b: &mut RecordBatch,
) -> Result<(&'x str, &'x str, &'x str), RowError> {
    let id = required_id(&[(&t.id_str, at.id_str), (&t.id, at.id)])?;
    let (account, name) = match soft_obj(&t.user, at.user, line, b) {
        Some(u) => (
            account_of(u, at).unwrap_or_else(|e| {
                b.warn(line, e);
                ""
            }),
            soft(&u.screen_name, at.screen_name, line, b),
        ),
        None => ("", ""),
    };
    Ok((id, account, name))
}

fn v1_tweet(t: &V1Tweet, line: u64, b: &mut RecordBatch) -> Result<(), RowError> {
    if t.delete.is_some() || t.limit.is_some() {
        return Err(RowError::new(
            crate::ingest::stats::STREAM_NOTICE,
            "",
            "a tweet object",
            "a delete or limit notice",
        ));
    }
    let id = required_id(&[(&t.id_str, TWEET.id_str), (&t.id, TWEET.id)])?;
    let missing_user = || RowError::new("missing account", "user", "a user object with id_str", "");
    let user = hard_obj(&t.user, "user")?.ok_or_else(missing_user)?;
    let account = account_of(user, &TWEET)?;
    if account.is_empty() {
        return Err(missing_user());
    }
    let created_at = hard(&t.created_at, "created_at", CREATED_AT)?;
    let tweet = b.push_id(id);
    let (time_ms, resolution) = tweet_time(tweet, created_at, ("created_at", CREATED_AT), line, b)?;
    v1_profile(user, account, line, b);

    let (kind, target, quote) = references(t, line, b)?;
    // Truncated tweets keep their whole text and entities in `extended_tweet`.
    let ext = soft_obj(&t.extended_tweet, "extended_tweet", line, b);
    let texts = [
        ext.map(|e| (&e.full_text, "extended_tweet.full_text")),
        Some((&t.full_text, "full_text")),
        Some((&t.text, "text")),
    ];
    let mut text = "";
    for (f, field) in texts.into_iter().flatten() {
        text = soft(f, field, line, b);
        if !text.is_empty() {
            break;
        }
    }
    let own = whole_entities(t, ext, ["extended_tweet.entities", "entities"], line, b);
    let carried = match kind {
        TweetKind::Retweet => {
            soft_obj(&t.retweeted_status, "retweeted_status", line, b).and_then(|rt| {
                let at = "retweeted_status.extended_tweet";
                let ext = soft_obj(&rt.extended_tweet, at, line, b);
                let fields = [
                    "retweeted_status.extended_tweet.entities",
                    "retweeted_status.entities",
                ];
                whole_entities(rt, ext, fields, line, b)
            })
        }
        _ => None,
    };
    let items_start = b.items.len();
    let names = HashMap::new();
    retweet_entities(
        own.map(v1_entities),
        carried.map(v1_entities),
        &names,
        line,
        b,
    );
    let items = b.items_from(items_start);
    let account = b.push_str(account);
    let text = b.push_str(text);
    let lang = soft(&t.lang, "lang", line, b);
    let lang = b.push_str(lang);
    let client = soft(&t.source, "source", line, b);
    let client = b.push_str(link_text(client));
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

/// A tweet's entities: whole in `extended_tweet` (`ext`) where it was truncated. `fields`
/// name the two places in the line, for messages.
fn whole_entities<'x>(
    t: &'x V1Tweet,
    ext: Option<&'x V1Extended<'x>>,
    fields: [&'static str; 2],
    line: u64,
    b: &mut RecordBatch,
) -> Option<&'x V1Entities<'x>> {
    match ext.and_then(|e| soft_obj(&e.entities, fields[0], line, b)) {
        Some(e) => Some(e),
        None => soft_obj(&t.entities, fields[1], line, b),
    }
}

fn v1_entities<'x, 'a>(e: &'x V1Entities<'a>) -> Entities<'x, 'a> {
    Entities {
        hashtags: &e.hashtags,
        urls: &e.urls,
        mentions: &e.user_mentions,
    }
}

/// What the tweet retweets, replies to or quotes, and a quote a reply carries. The tweet
/// cannot do without these fields, but only those its kind uses are read (not a retweet's
/// reply fields).
fn references(
    t: &V1Tweet,
    line: u64,
    b: &mut RecordBatch,
) -> Result<(TweetKind, RawRef, Option<RawRef>), RowError> {
    let reference = |b: &mut RecordBatch, (tweet, account, name): (&str, &str, &str)| RawRef {
        tweet: b.push_id(tweet),
        account: b.push_str(account),
        screen_name: b.push_str(name),
    };
    let quoted = |b: &mut RecordBatch| match hard_obj(&t.quoted_status, "quoted_status")? {
        Some(q) => carried(q, &QUOTED, line, b),
        None => Ok((
            hard(&t.quoted_status_id_str, "quoted_status_id_str", ID)?,
            "",
            "",
        )),
    };
    let retweeted = hard_obj(&t.retweeted_status, "retweeted_status")?;
    Ok(if let Some(rt) = retweeted {
        let rt = carried(rt, &RETWEETED, line, b)?;
        (TweetKind::Retweet, reference(b, rt), None)
    } else {
        let reply_to = hard(
            &t.in_reply_to_status_id_str,
            "in_reply_to_status_id_str",
            ID,
        )?;
        if !reply_to.is_empty() {
            let to = (
                reply_to,
                soft(
                    &t.in_reply_to_user_id_str,
                    "in_reply_to_user_id_str",
                    line,
                    b,
                ),
                soft(
                    &t.in_reply_to_screen_name,
                    "in_reply_to_screen_name",
                    line,
                    b,
                ),
            );
            let target = reference(b, to);
            let q = quoted(b)?;
            let quote = (!q.0.is_empty()).then(|| reference(b, q));
            (TweetKind::Reply, target, quote)
        } else {
            match quoted(b)? {
                ("", _, _) => (TweetKind::Original, RawRef::default(), None),
                q => (TweetKind::Quote, reference(b, q), None),
            }
        }
    })
}

fn v1_profile(u: &V1User, id: &str, line: u64, b: &mut RecordBatch) {
    let created = soft(&u.created_at, "user.created_at", line, b);
    let created_ms = parse_datetime(created).map(|t| t.0);
    if created_ms.is_none() && !created.is_empty() {
        b.warn(
            line,
            RowError::new(
                "bad date",
                "user.created_at",
                "a date like Tue Jul 18 23:25:04 +0000 2017",
                created,
            ),
        );
    }
    let screen_name = soft(&u.screen_name, "user.screen_name", line, b);
    let profile = RawAccount {
        key: b.push_str(id),
        screen_name: b.push_str(screen_name),
        created_ms,
        followers: soft_count(&u.followers_count, "user.followers_count", line, b),
        following: soft_count(&u.friends_count, "user.friends_count", line, b),
    };
    b.add_account(profile);
}
