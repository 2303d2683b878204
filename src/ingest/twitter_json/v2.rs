//! API v2 as twarc2 writes it: response pages with `data` and `includes`, stream lines with
//! one `data` object, or flattened one-tweet-per-line objects.

use super::*;
use crate::dataset::TweetKind;

#[derive(Deserialize, Debug, Default)]
struct V2Object<'a> {
    #[serde(borrow)]
    data: Option<OneOrMany<V2Object<'a>>>,
    #[serde(borrow)]
    includes: Option<V2Includes<'a>>,
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    author_id: Option<Str<'a>>,
    #[serde(borrow)]
    created_at: Option<Str<'a>>,
    #[serde(borrow)]
    text: Option<Str<'a>>,
    #[serde(borrow)]
    lang: Option<Str<'a>>,
    /// The posting app.
    #[serde(borrow)]
    source: Option<Str<'a>>,
    #[serde(borrow, default)]
    referenced_tweets: Vec<V2Ref<'a>>,
    #[serde(borrow)]
    in_reply_to_user_id: Option<Str<'a>>,
    #[serde(borrow)]
    entities: Option<V2Entities<'a>>,
    /// twarc2's flattened lines carry the author inline.
    #[serde(borrow)]
    author: Option<V2User<'a>>,
}

#[derive(Deserialize, Debug)]
struct V2Ref<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    author_id: Option<Str<'a>>,
    #[serde(borrow)]
    author: Option<V2User<'a>>,
}

#[derive(Deserialize, Debug, Default)]
struct V2Entities<'a> {
    #[serde(borrow, default)]
    hashtags: Vec<Tag<'a>>,
    #[serde(borrow, default)]
    urls: Vec<Link<'a>>,
    #[serde(borrow, default)]
    mentions: Vec<Mention<'a>>,
}

#[derive(Deserialize, Debug, Default)]
struct V2Includes<'a> {
    #[serde(borrow, default)]
    users: Vec<V2User<'a>>,
    #[serde(borrow, default)]
    tweets: Vec<V2Included<'a>>,
}

#[derive(Deserialize, Debug)]
struct V2Included<'a> {
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    author_id: Option<Str<'a>>,
}

#[derive(Deserialize, Debug, Default)]
struct V2User<'a> {
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    username: Option<Str<'a>>,
    #[serde(borrow)]
    created_at: Option<Str<'a>>,
    public_metrics: Option<V2Metrics>,
}

#[derive(Deserialize, Debug, Default)]
struct V2Metrics {
    followers_count: Option<u64>,
    following_count: Option<u64>,
}

pub fn parse_v2(chunk: &RawChunk, b: &mut RecordBatch) {
    for_each_line(chunk, b, |line, line_no, b| {
        match serde_json::from_slice::<V2Object>(line) {
            Ok(obj) => v2_line(obj, line_no, b),
            Err(e) => invalid_json(b, line_no, e),
        }
    });
}

fn v2_line(obj: V2Object, line: u64, b: &mut RecordBatch) {
    let includes = obj.includes.unwrap_or_default();
    let mut authors: HashMap<&str, &str> = HashMap::new();
    for t in &includes.tweets {
        authors.insert(s(&t.id), s(&t.author_id));
    }
    let mut names: HashMap<&str, &str> = HashMap::new();
    for u in &includes.users {
        names.insert(s(&u.id), s(&u.username));
        v2_profile(u, line, b);
    }
    let tweets = match obj.data {
        Some(OneOrMany(tweets)) => tweets,
        // A flattened line is the tweet itself.
        None if obj.id.is_some() => {
            let flat = V2Object {
                data: None,
                includes: None,
                ..obj
            };
            vec![flat]
        }
        None => {
            b.rows_read += 1;
            let e = RowError::new(
                "no tweet in line",
                "data",
                "a `data` field with tweets",
                "a line without one",
            );
            b.reject(line, e);
            return;
        }
    };
    for t in &tweets {
        b.rows_read += 1;
        let mark = b.mark();
        if let Err(e) = v2_tweet(t, line, &authors, &names, b) {
            b.rollback(mark);
            b.reject(line, e);
        }
    }
}

fn v2_profile(u: &V2User, line: u64, b: &mut RecordBatch) {
    if s(&u.id).is_empty() {
        return;
    }
    let metrics = u.public_metrics.as_ref();
    let created_ms = parse_datetime(s(&u.created_at)).map(|t| t.0);
    if created_ms.is_none() && !s(&u.created_at).is_empty() {
        b.warn(
            line,
            RowError::new(
                "bad date",
                "created_at",
                "an ISO date-time",
                s(&u.created_at),
            ),
        );
    }
    let profile = RawAccount {
        key: b.push_str(s(&u.id)),
        screen_name: b.push_str(s(&u.username)),
        created_ms,
        followers: metrics.and_then(|m| m.followers_count).map(saturate),
        following: metrics.and_then(|m| m.following_count).map(saturate),
    };
    b.add_account(profile);
}

fn v2_tweet(
    t: &V2Object,
    line: u64,
    authors: &HashMap<&str, &str>,
    names: &HashMap<&str, &str>,
    b: &mut RecordBatch,
) -> Result<(), RowError> {
    let id = s(&t.id);
    if id.is_empty() {
        return Err(RowError::new("missing tweet id", "id", "a tweet id", ""));
    }
    let author = match (s(&t.author_id), t.author.as_ref()) {
        ("", Some(a)) => s(&a.id),
        (a, _) => a,
    };
    if author.is_empty() {
        return Err(RowError::new(
            "missing account",
            "author_id",
            "an author id",
            "",
        ));
    }
    if let Some(a) = &t.author {
        v2_profile(a, line, b);
    }
    let tweet = b.push_id(id);
    let (time_ms, resolution) = tweet_time(tweet, s(&t.created_at), "created_at", CREATED_AT, b)?;

    let mut kind = TweetKind::Original;
    let mut target = RawRef::default();
    let mut quote = None;
    for r in &t.referenced_tweets {
        let rid = s(&r.id);
        let account = match (s(&r.author_id), r.author.as_ref()) {
            ("", Some(a)) => s(&a.id),
            ("", None) => authors.get(rid).copied().unwrap_or(""),
            (a, _) => a,
        };
        let account = if account.is_empty() && s(&r.kind) == "replied_to" {
            s(&t.in_reply_to_user_id)
        } else {
            account
        };
        let reference = RawRef {
            tweet: b.push_id(rid),
            account: b.push_str(account),
            screen_name: b.push_str(names.get(account).copied().unwrap_or("")),
        };
        match s(&r.kind) {
            "retweeted" => (kind, target) = (TweetKind::Retweet, reference),
            "replied_to" if kind != TweetKind::Retweet => {
                if kind == TweetKind::Quote {
                    quote = Some(target);
                }
                (kind, target) = (TweetKind::Reply, reference);
            }
            "quoted" if kind == TweetKind::Reply => quote = Some(reference),
            "quoted" if kind == TweetKind::Original => {
                (kind, target) = (TweetKind::Quote, reference)
            }
            _ => {}
        }
    }
    let items_start = b.items.len();
    if let Some(e) = &t.entities {
        entities(&e.hashtags, &e.urls, &e.mentions, names, b);
    }
    let items = b.items_from(items_start);
    let account = b.push_str(author);
    let text = b.push_str(s(&t.text));
    let lang = b.push_str(s(&t.lang));
    let client = b.push_str(s(&t.source));
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
