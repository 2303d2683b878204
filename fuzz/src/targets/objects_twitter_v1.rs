//! Structure-aware: Twitter API v1.1 JSON lines built from arbitrary tweet objects with the
//! fields the v1.1 parser reads (`id_str`, `created_at`, `user`, `retweeted_status`,
//! `quoted_status`, `extended_tweet`, `entities`, replies, `delete`/`limit` notices), values
//! mostly of the right shape and sometimes not; blank, cut-short and foreign lines between.
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
    /// Let the first line decide the format (it must then look like v1.1).
    recognise: bool,
    lines: Vec<(Tweet, Extra)>,
}

#[derive(Arbitrary, Debug)]
struct Tweet {
    id_str: JsonId,
    id: JsonId,
    created_at: JsonTime,
    text: Str,
    full_text: Str,
    lang: Str,
    /// `<a href="...">app</a>` when `true`.
    source: (Str, bool),
    extended_tweet: Option<(Str, Option<Entities>)>,
    user: Option<User>,
    retweeted_status: Option<Box<Tweet>>,
    quoted_status_id_str: JsonId,
    quoted_status: Option<Box<Tweet>>,
    in_reply_to_status_id_str: JsonId,
    in_reply_to_user_id_str: JsonId,
    in_reply_to_screen_name: Str,
    entities: Option<Entities>,
    notice: Notice,
    /// A field the parser does not read.
    other: Option<(String, Str)>,
}

#[derive(Arbitrary, Debug)]
enum Notice {
    None,
    Delete,
    Limit,
}

#[derive(Arbitrary, Debug)]
struct User {
    id_str: JsonId,
    id: JsonId,
    screen_name: Str,
    created_at: JsonTime,
    followers_count: Option<Count>,
    friends_count: Option<Count>,
}

fn user(u: &User) -> Value {
    let mut m = Map::new();
    put(&mut m, "id_str", u.id_str.json());
    put(&mut m, "id", u.id.json());
    put(&mut m, "screen_name", u.screen_name.json());
    put(&mut m, "created_at", u.created_at.json());
    put(
        &mut m,
        "followers_count",
        u.followers_count.as_ref().map(Count::json),
    );
    put(
        &mut m,
        "friends_count",
        u.friends_count.as_ref().map(Count::json),
    );
    Value::Object(m)
}

fn tweet(t: &Tweet) -> Value {
    let mut m = Map::new();
    put(&mut m, "id_str", t.id_str.json());
    put(&mut m, "id", t.id.json());
    put(&mut m, "created_at", t.created_at.json());
    put(&mut m, "text", t.text.json());
    put(&mut m, "full_text", t.full_text.json());
    put(&mut m, "lang", t.lang.json());
    let source = match (&t.source.0, t.source.1) {
        (Str::Text(s), true) => Some(json!(format!(
            "<a href=\"http://x.com\" rel=\"nofollow\">{s}</a>"
        ))),
        (s, _) => s.json(),
    };
    put(&mut m, "source", source);
    if let Some((full, entities)) = &t.extended_tweet {
        let mut e = Map::new();
        put(&mut e, "full_text", full.json());
        put(
            &mut e,
            "entities",
            entities.as_ref().map(|x| x.json("user_mentions")),
        );
        m.insert("extended_tweet".into(), Value::Object(e));
    }
    put(&mut m, "user", t.user.as_ref().map(user));
    put(
        &mut m,
        "retweeted_status",
        t.retweeted_status.as_deref().map(tweet),
    );
    put(
        &mut m,
        "quoted_status_id_str",
        t.quoted_status_id_str.json(),
    );
    put(
        &mut m,
        "quoted_status",
        t.quoted_status.as_deref().map(tweet),
    );
    put(
        &mut m,
        "in_reply_to_status_id_str",
        t.in_reply_to_status_id_str.json(),
    );
    put(
        &mut m,
        "in_reply_to_user_id_str",
        t.in_reply_to_user_id_str.json(),
    );
    put(
        &mut m,
        "in_reply_to_screen_name",
        t.in_reply_to_screen_name.json(),
    );
    put(
        &mut m,
        "entities",
        t.entities.as_ref().map(|x| x.json("user_mentions")),
    );
    match t.notice {
        Notice::None => {}
        Notice::Delete => {
            m.insert("delete".into(), json!({"status": {"id": 1, "id_str": "1"}}));
        }
        Notice::Limit => {
            m.insert("limit".into(), json!({"track": 3}));
        }
    }
    if let Some((k, v)) = &t.other {
        put(&mut m, k, v.json());
    }
    Value::Object(m)
}

/// One execution on `data`, decoded as the fuzzer decodes it.
pub fn run(data: &[u8]) {
    let Some(input) = crate::decode::<Input>(data) else {
        return;
    };
    let lines: Vec<(Value, Extra)> = input
        .lines
        .iter()
        .map(|(t, e)| (tweet(t), e.clone()))
        .collect();
    let bytes = crate::gen::json_lines(&lines);
    let format = (!input.recognise).then_some(Format::TwitterV1);
    crate::ingest_compared("fuzz.jsonl", &bytes, input.flags, format, None, true);
}
