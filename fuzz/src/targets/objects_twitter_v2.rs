//! Structure-aware: Twitter API v2 JSON lines as twarc2 writes them, built from arbitrary
//! tweets: search pages (`data` array and `includes` with users and referenced tweets),
//! stream lines (one `data` object) and flattened one-tweet lines (author inline), with the
//! fields the v2 parser reads (`id`, `author_id`, `created_at`, `referenced_tweets`,
//! `entities`, `author`, `public_metrics`), values mostly of the right shape and sometimes not;
//! blank, cut-short and foreign lines between.
//!
//! Checks: what every ingest must satisfy, and that a read in small chunks gives the same
//! dataset as a read in one chunk.

use crate::gen::{put, Count, Entities, Extra, JsonId, JsonTime, Str};
use arbitrary::Arbitrary;
use coordnet::Format;
use serde_json::{json, Map, Value};

#[derive(Arbitrary, Debug)]
struct Input {
    flags: u8,
    /// Let the first line decide the format (it must then look like v2).
    recognise: bool,
    lines: Vec<(Line, Extra)>,
}

#[derive(Arbitrary, Debug)]
enum Line {
    /// `{"data": [...], "includes": {...}, "meta": {...}}`
    Page {
        tweets: Vec<Tweet>,
        users: Vec<User>,
        included: Vec<(JsonId, JsonId)>,
        /// `data` is something else than an array or object.
        broken_data: Option<Str>,
    },
    /// `{"data": {...}, "includes": {...}}`
    Stream { tweet: Tweet, users: Vec<User> },
    /// The tweet itself, author inline.
    Flat(Tweet),
    /// A JSON object without `data` nor `id`.
    Other(Vec<(String, Str)>),
}

#[derive(Arbitrary, Debug)]
struct Tweet {
    id: JsonId,
    author_id: JsonId,
    created_at: JsonTime,
    text: Str,
    lang: Str,
    source: Str,
    referenced: Vec<Ref>,
    in_reply_to_user_id: JsonId,
    entities: Option<Entities>,
    author: Option<User>,
    other: Option<(String, Str)>,
}

#[derive(Arbitrary, Debug)]
struct Ref {
    kind: RefKind,
    id: JsonId,
    author_id: JsonId,
    author: Option<User>,
}

#[derive(Arbitrary, Debug)]
enum RefKind {
    Retweeted,
    RepliedTo,
    Quoted,
    Absent,
    Other(Str),
}

#[derive(Arbitrary, Debug)]
struct User {
    id: JsonId,
    username: Str,
    created_at: JsonTime,
    metrics: Option<(Option<Count>, Option<Count>)>,
}

fn user(u: &User) -> Value {
    let mut m = Map::new();
    put(&mut m, "id", u.id.json());
    put(&mut m, "username", u.username.json());
    put(&mut m, "created_at", u.created_at.json());
    if let Some((followers, following)) = &u.metrics {
        let mut p = Map::new();
        put(
            &mut p,
            "followers_count",
            followers.as_ref().map(Count::json),
        );
        put(
            &mut p,
            "following_count",
            following.as_ref().map(Count::json),
        );
        m.insert("public_metrics".into(), Value::Object(p));
    }
    Value::Object(m)
}

fn tweet(t: &Tweet) -> Value {
    let mut m = Map::new();
    put(&mut m, "id", t.id.json());
    put(&mut m, "author_id", t.author_id.json());
    put(&mut m, "created_at", t.created_at.json());
    put(&mut m, "text", t.text.json());
    put(&mut m, "lang", t.lang.json());
    put(&mut m, "source", t.source.json());
    if !t.referenced.is_empty() {
        let refs: Vec<Value> = t
            .referenced
            .iter()
            .map(|r| {
                let mut o = Map::new();
                let kind = match &r.kind {
                    RefKind::Retweeted => Some(json!("retweeted")),
                    RefKind::RepliedTo => Some(json!("replied_to")),
                    RefKind::Quoted => Some(json!("quoted")),
                    RefKind::Absent => None,
                    RefKind::Other(s) => s.json(),
                };
                put(&mut o, "type", kind);
                put(&mut o, "id", r.id.json());
                put(&mut o, "author_id", r.author_id.json());
                put(&mut o, "author", r.author.as_ref().map(user));
                Value::Object(o)
            })
            .collect();
        m.insert("referenced_tweets".into(), json!(refs));
    }
    put(&mut m, "in_reply_to_user_id", t.in_reply_to_user_id.json());
    put(
        &mut m,
        "entities",
        t.entities.as_ref().map(|e| e.json("mentions")),
    );
    put(&mut m, "author", t.author.as_ref().map(user));
    if let Some((k, v)) = &t.other {
        put(&mut m, k, v.json());
    }
    Value::Object(m)
}

fn includes(users: &[User], included: &[(JsonId, JsonId)]) -> Value {
    let users: Vec<Value> = users.iter().map(user).collect();
    let tweets: Vec<Value> = included
        .iter()
        .map(|(id, author)| {
            let mut o = Map::new();
            put(&mut o, "id", id.json());
            put(&mut o, "author_id", author.json());
            Value::Object(o)
        })
        .collect();
    json!({"users": users, "tweets": tweets})
}

fn line(l: &Line) -> Value {
    match l {
        Line::Page {
            tweets,
            users,
            included,
            broken_data,
        } => {
            let data = match broken_data.as_ref().and_then(Str::json) {
                Some(v) => v,
                None => Value::Array(tweets.iter().map(tweet).collect()),
            };
            json!({
                "data": data,
                "includes": includes(users, included),
                "meta": {"result_count": tweets.len()},
                "__twarc": {"version": "2.0"}
            })
        }
        Line::Stream { tweet: t, users } => {
            json!({"data": tweet(t), "includes": includes(users, &[])})
        }
        Line::Flat(t) => tweet(t),
        Line::Other(kv) => {
            let mut m = Map::new();
            for (k, v) in kv {
                put(&mut m, k, v.json());
            }
            Value::Object(m)
        }
    }
}

/// One execution on `data`, decoded as the fuzzer decodes it.
pub fn run(data: &[u8]) {
    let Some(input) = crate::decode::<Input>(data) else {
        return;
    };
    let lines: Vec<(Value, Extra)> = input
        .lines
        .iter()
        .map(|(l, e)| (line(l), e.clone()))
        .collect();
    let bytes = crate::gen::json_lines(&lines);
    let format = (!input.recognise).then_some(Format::TwitterV2);
    crate::ingest_compared("fuzz.jsonl", &bytes, input.flags, format, None, true);
}
