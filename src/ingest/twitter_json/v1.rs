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
    extended_tweet: Option<V1Extended<'a>>,
    #[serde(borrow)]
    user: Option<V1User<'a>>,
    #[serde(borrow)]
    retweeted_status: Option<Box<V1Tweet<'a>>>,
    #[serde(borrow)]
    quoted_status_id_str: Option<Str<'a>>,
    #[serde(borrow)]
    quoted_status: Option<Box<V1Tweet<'a>>>,
    #[serde(borrow)]
    in_reply_to_status_id_str: Option<Str<'a>>,
    #[serde(borrow)]
    in_reply_to_user_id_str: Option<Str<'a>>,
    #[serde(borrow)]
    in_reply_to_screen_name: Option<Str<'a>>,
    #[serde(borrow)]
    entities: Option<V1Entities<'a>>,
    delete: Option<IgnoredAny>,
    limit: Option<IgnoredAny>,
}

#[derive(Deserialize, Debug)]
struct V1Extended<'a> {
    #[serde(borrow)]
    full_text: Option<Str<'a>>,
    #[serde(borrow)]
    entities: Option<V1Entities<'a>>,
}

#[derive(Deserialize, Debug, Default)]
struct V1Entities<'a> {
    #[serde(borrow, default)]
    hashtags: Vec<Tag<'a>>,
    #[serde(borrow, default)]
    urls: Vec<Link<'a>>,
    #[serde(borrow, default)]
    user_mentions: Vec<Mention<'a>>,
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
    followers_count: Option<u64>,
    friends_count: Option<u64>,
}

impl V1User<'_> {
    fn id(&self) -> &str {
        if s(&self.id_str).is_empty() {
            s(&self.id)
        } else {
            s(&self.id_str)
        }
    }
}

pub fn parse_v1(chunk: &RawChunk, b: &mut RecordBatch) {
    for_each_line(chunk, b, |line, line_no, b| {
        match serde_json::from_slice::<V1Tweet>(line) {
            Ok(t) => {
                b.rows_read += 1;
                let mark = b.mark();
                if let Err(e) = v1_tweet(&t, line_no, b) {
                    b.rollback(mark);
                    b.reject(line_no, e);
                }
            }
            Err(e) => invalid_json(b, line_no, e),
        }
    });
}

fn v1_tweet(t: &V1Tweet, line: u64, b: &mut RecordBatch) -> Result<(), RowError> {
    if t.delete.is_some() || t.limit.is_some() {
        return Err(RowError::new(
            "stream notice, not a tweet",
            "",
            "a tweet object",
            "a delete or limit notice",
        ));
    }
    let id = if s(&t.id_str).is_empty() {
        s(&t.id)
    } else {
        s(&t.id_str)
    };
    if id.is_empty() {
        return Err(RowError::new(
            "missing tweet id",
            "id_str",
            "a tweet id",
            "",
        ));
    }
    let Some(user) = t.user.as_ref().filter(|u| !u.id().is_empty()) else {
        return Err(RowError::new(
            "missing account",
            "user",
            "a user object with id_str",
            "",
        ));
    };
    let tweet = b.push_id(id);
    let (time_ms, resolution) = tweet_time(tweet, s(&t.created_at), "created_at", CREATED_AT, b)?;
    v1_profile(user, line, b);

    let reference = |b: &mut RecordBatch, tweet: &str, account: &str, name: &str| RawRef {
        tweet: b.push_id(tweet),
        account: b.push_str(account),
        screen_name: b.push_str(name),
    };
    let quoted = || -> (&str, &str, &str) {
        match &t.quoted_status {
            Some(q) => {
                let (a, n) = q
                    .user
                    .as_ref()
                    .map_or(("", ""), |u| (u.id(), s(&u.screen_name)));
                let qid = if s(&q.id_str).is_empty() {
                    s(&q.id)
                } else {
                    s(&q.id_str)
                };
                (qid, a, n)
            }
            None => (s(&t.quoted_status_id_str), "", ""),
        }
    };
    let reply_to = s(&t.in_reply_to_status_id_str);
    let (kind, target, quote) = if let Some(rt) = &t.retweeted_status {
        let rid = if s(&rt.id_str).is_empty() {
            s(&rt.id)
        } else {
            s(&rt.id_str)
        };
        let (a, n) = rt
            .user
            .as_ref()
            .map_or(("", ""), |u| (u.id(), s(&u.screen_name)));
        (TweetKind::Retweet, reference(b, rid, a, n), None)
    } else if !reply_to.is_empty() {
        let target = reference(
            b,
            reply_to,
            s(&t.in_reply_to_user_id_str),
            s(&t.in_reply_to_screen_name),
        );
        let (q, a, n) = quoted();
        let quote = (!q.is_empty()).then(|| reference(b, q, a, n));
        (TweetKind::Reply, target, quote)
    } else {
        match quoted() {
            ("", _, _) => (TweetKind::Original, RawRef::default(), None),
            (q, a, n) => (TweetKind::Quote, reference(b, q, a, n), None),
        }
    };
    // Truncated tweets keep their whole text and entities in `extended_tweet`.
    let ext = t.extended_tweet.as_ref();
    let text = [
        ext.and_then(|e| e.full_text.as_ref()),
        t.full_text.as_ref(),
        t.text.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(Str::as_str)
    .find(|x| !x.is_empty())
    .unwrap_or("");
    let ents = ext
        .and_then(|e| e.entities.as_ref())
        .or(t.entities.as_ref());
    let items_start = b.items.len();
    if let Some(e) = ents {
        entities(&e.hashtags, &e.urls, &e.user_mentions, &HashMap::new(), b);
    }
    let items = b.items_from(items_start);
    let account = b.push_str(user.id());
    let text = b.push_str(text);
    let lang = b.push_str(s(&t.lang));
    let client = b.push_str(link_text(s(&t.source)));
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

fn v1_profile(u: &V1User, line: u64, b: &mut RecordBatch) {
    let created_ms = parse_datetime(s(&u.created_at)).map(|t| t.0);
    if created_ms.is_none() && !s(&u.created_at).is_empty() {
        b.warn(
            line,
            RowError::new(
                "bad date",
                "user.created_at",
                "a date like Tue Jul 18 23:25:04 +0000 2017",
                s(&u.created_at),
            ),
        );
    }
    let profile = RawAccount {
        key: b.push_str(u.id()),
        screen_name: b.push_str(s(&u.screen_name)),
        created_ms,
        followers: u.followers_count.map(saturate),
        following: u.friends_count.map(saturate),
    };
    b.add_account(profile);
}
