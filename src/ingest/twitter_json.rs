//! Twitter API JSON lines: v2 as twarc2 writes it (response pages with `data` and `includes`,
//! stream lines with one `data` object, or flattened one-tweet-per-line), and v1.1 tweet
//! objects (`retweeted_status`, `quoted_status`, `extended_tweet`).
//!
//! Each line is parsed into borrowed structs that name only the fields we use; serde skips
//! the rest without building them. Tweets found only in `includes` are the referenced ones,
//! not part of the collection: they give the authors of retweeted and quoted tweets.

use super::chunk::RawChunk;
use super::text::normalize_url;
use super::time::{parse_datetime, refine};
use super::Format;
use crate::dataset::batch::*;
use crate::dataset::{ItemKind, TimeResolution, TweetKind};
use hashbrown::HashMap;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;

/// A string that borrows from the line unless it had escapes.
#[derive(Debug, Default, Clone)]
struct Str<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Str<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(s.to_string())))
            }
            // v1.1 also writes numeric ids; keep their decimal text.
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(n.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Str<'de>, E> {
                Ok(Str::default())
            }
        }
        d.deserialize_any(V)
    }
}

impl Str<'_> {
    fn as_str(&self) -> &str {
        &self.0
    }
}

fn s<'x>(o: &'x Option<Str>) -> &'x str {
    o.as_ref().map_or("", Str::as_str)
}

/// `data` is an array in search pages and one object in stream lines.
#[derive(Debug)]
struct OneOrMany<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OneOrMany<T>, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a tweet object or an array of them")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany<T>, A::Error> {
                let mut v = Vec::new();
                while let Some(t) = seq.next_element()? {
                    v.push(t);
                }
                Ok(OneOrMany(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<OneOrMany<T>, A::Error> {
                Ok(OneOrMany(vec![T::deserialize(
                    de::value::MapAccessDeserializer::new(map),
                )?]))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

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

#[derive(Deserialize, Debug)]
struct Tag<'a> {
    #[serde(borrow)]
    tag: Option<Str<'a>>,
    /// v1.1 names it `text`.
    #[serde(borrow)]
    text: Option<Str<'a>>,
}

#[derive(Deserialize, Debug)]
struct Link<'a> {
    #[serde(borrow)]
    unwound_url: Option<Str<'a>>,
    #[serde(borrow)]
    expanded_url: Option<Str<'a>>,
    #[serde(borrow)]
    url: Option<Str<'a>>,
}

impl Link<'_> {
    fn best(&self) -> &str {
        [&self.unwound_url, &self.expanded_url, &self.url]
            .into_iter()
            .map(s)
            .find(|u| !u.is_empty())
            .unwrap_or("")
    }
}

#[derive(Deserialize, Debug)]
struct Mention<'a> {
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    id_str: Option<Str<'a>>,
    #[serde(borrow)]
    username: Option<Str<'a>>,
    #[serde(borrow)]
    screen_name: Option<Str<'a>>,
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

/// Which API a JSON line comes from, or why it is neither.
pub fn detect(line: &[u8]) -> Result<Format, String> {
    let v: serde_json::Value = serde_json::from_slice(line)
        .map_err(|e| format!("starts like JSON but its first line is not valid JSON ({e})"))?;
    let has = |k: &str| v.get(k).is_some();
    if has("data") || (has("author_id") && has("id")) {
        Ok(Format::TwitterV2)
    } else if has("id_str") || has("user") || has("retweeted_status") || has("delete") {
        Ok(Format::TwitterV1)
    } else {
        Err("is JSON but neither Twitter API v2 (`data`, `author_id`) nor v1.1 (`id_str`, `user`) tweets".into())
    }
}

fn for_each_line(
    chunk: &RawChunk,
    b: &mut RecordBatch,
    mut f: impl FnMut(&[u8], u64, &mut RecordBatch),
) {
    for (line_no, line) in (chunk.first_line..).zip(chunk.bytes.split(|&c| c == b'\n')) {
        if !line.trim_ascii().is_empty() {
            f(line, line_no, b);
        }
    }
}

fn invalid_json(b: &mut RecordBatch, line: u64, e: serde_json::Error) {
    b.rows_read += 1;
    let msg = if e.is_eof() {
        "the line ends early (truncated)".to_string()
    } else {
        e.to_string()
    };
    b.reject(
        line,
        RowError::new("invalid JSON", "", "one JSON object per line", &msg),
    );
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

fn saturate(n: u64) -> u32 {
    n.min(u32::MAX as u64 - 1) as u32
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
    let (time_ms, resolution) = tweet_time(tweet, s(&t.created_at), b)?;

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
        items,
    });
    Ok(())
}

fn entities(
    tags: &[Tag],
    links: &[Link],
    mentions: &[Mention],
    names: &HashMap<&str, &str>,
    b: &mut RecordBatch,
) {
    for h in tags {
        let tag = if s(&h.tag).is_empty() {
            s(&h.text)
        } else {
            s(&h.tag)
        };
        b.push_item(ItemKind::Hashtag, &tag.to_lowercase());
    }
    for u in links {
        let url = u.best();
        if !url.is_empty() {
            b.push_item(ItemKind::Url, &normalize_url(url));
        }
    }
    for m in mentions {
        let id = if s(&m.id_str).is_empty() {
            s(&m.id)
        } else {
            s(&m.id_str)
        };
        let name = if s(&m.username).is_empty() {
            s(&m.screen_name)
        } else {
            s(&m.username)
        };
        if !id.is_empty() {
            b.push_item(ItemKind::Mention, id);
            if !name.is_empty() && !names.contains_key(id) {
                let key = b.items.last().map(|i| i.1).unwrap_or_default();
                let screen_name = b.push_str(name);
                b.add_account(RawAccount {
                    key,
                    screen_name,
                    ..Default::default()
                });
            }
        } else if !name.is_empty() {
            b.push_item(ItemKind::MentionName, name);
        }
    }
}

/// The written time refined by the id's snowflake bits.
fn tweet_time(
    tweet: RawId,
    created_at: &str,
    b: &mut RecordBatch,
) -> Result<(i64, TimeResolution), RowError> {
    let written = parse_datetime(created_at);
    if written.is_none() && !created_at.is_empty() {
        return Err(RowError::new(
            "bad time",
            "created_at",
            "a date-time like 2021-09-22T16:37:29.000Z",
            created_at,
        ));
    }
    let id = match tweet {
        RawId::Num(n) => Some(n),
        _ => None,
    };
    let (ms, res, mismatch) = refine(id, written)
        .ok_or_else(|| RowError::new("missing time", "created_at", "a creation time", ""))?;
    b.snowflake_mismatches += mismatch as u64;
    Ok((ms, res))
}

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
    let (time_ms, resolution) = tweet_time(tweet, s(&t.created_at), b)?;
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
