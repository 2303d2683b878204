//! Twitter API JSON lines: v2 as twarc2 writes it (response pages with `data` and `includes`,
//! stream lines with one `data` object, or flattened one-tweet-per-line), and v1.1 tweet
//! objects (`retweeted_status`, `quoted_status`, `extended_tweet`), and snscrape's tweets.
//!
//! Each line is parsed into borrowed structs that name only the fields we use; serde skips
//! the rest without building them. Tweets found only in `includes` are the referenced ones,
//! not part of the collection: they give the authors of retweeted and quoted tweets.
//!
//! Every field takes any JSON value ([`lenient`]): one of the wrong type costs that field,
//! with a warning, or rejects the one tweet that cannot do without it (its id, author, time,
//! or what it retweets, replies to or quotes). A record is a tweet: each tweet of a v2 page's
//! `data` counts as one, read or rejected on its own; a line holding no tweet (a stream
//! notice, twarc2's record of an API error) or not JSON at all counts as one rejected record.

mod lenient;
mod snscrape;
mod v1;
mod v2;

pub use snscrape::parse_snscrape;
pub use v1::parse_v1;
pub use v2::parse_v2;

use super::chunk::{Chunker, RawChunk};
use super::text::{hashtag_key, normalize_url};
use super::time::{parse_datetime, tweet_time};
use super::Format;
use crate::dataset::batch::*;
use crate::dataset::ItemKind;
use hashbrown::HashMap;
use lenient::{Count, Field, List, Obj, OneOrMany, Str, Wrong};
use serde::de::IgnoredAny;
use serde::Deserialize;

/// The text of an HTML link (`<a href="...">Twitter for iPhone</a>`), or the string itself.
fn link_text(s: &str) -> &str {
    match (s.find('>'), s.rfind("</")) {
        (Some(open), Some(close)) if open < close => s[open + 1..close].trim(),
        _ => s.trim(),
    }
}

/// What `created_at` should hold.
const CREATED_AT: &str = "a date-time like 2021-09-22T16:37:29.000Z";
/// What an id should hold.
const ID: &str = "an id: a string of digits, or a whole number";

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

/// The entities of a tweet, as both APIs write them (v1.1 names mentions `user_mentions`).
struct Entities<'x, 'a> {
    hashtags: &'x Option<List<Tag<'a>>>,
    urls: &'x Option<List<Link<'a>>>,
    mentions: &'x Option<List<Mention<'a>>>,
}

/// What one JSON line says about the API its file comes from.
enum LineKind {
    /// Tweets (or a page of them) of this API.
    Tweets(Format),
    /// No tweet, but a line this API's tools write: v1.1's stream notices (`delete`,
    /// `limit`, ...), twarc2's `errors` lines and pages without results (`meta` alone).
    Notice(Format),
}

fn line_kind(line: &[u8]) -> Result<LineKind, String> {
    if line.trim_ascii_start().starts_with(b"[") {
        // Saved API responses and some scrapers write one array; the readers stream lines.
        return Err(
            "is a JSON array; coordnet reads JSON lines, one record per line \
                    (convert it first, e.g. with jq: jq -c '.[]' FILE.json > FILE.jsonl)"
                .into(),
        );
    }
    let v: serde_json::Value = serde_json::from_slice(line).map_err(|e| match e.is_eof() {
        // `{` and a line end: one record over many lines.
        true => "is pretty-printed JSON (its first record runs over several lines); coordnet \
                 reads JSON lines, one record per line (convert it first, e.g. with jq: jq -c . \
                 FILE.json > FILE.jsonl)"
            .to_string(),
        false => format!("starts like JSON but its first line is not valid JSON ({e})"),
    })?;
    let has = |k: &str| v.get(k).is_some();
    let v1_notice = [
        "delete",
        "limit",
        "scrub_geo",
        "status_withheld",
        "user_withheld",
        "disconnect",
        "warning",
    ];
    let snscrape = v.get("_type").and_then(|t| t.as_str());
    Ok(
        if let Some(t) = snscrape.filter(|t| t.starts_with(snscrape::TYPE_PREFIX)) {
            // Its `TweetRef` lines name a tweet it could not read.
            match t.ends_with(".Tweet") {
                true => LineKind::Tweets(Format::Snscrape),
                false => LineKind::Notice(Format::Snscrape),
            }
        } else if has("data") || (has("author_id") && has("id")) {
            LineKind::Tweets(Format::TwitterV2)
        } else if has("id_str") || has("user") || has("retweeted_status") {
            LineKind::Tweets(Format::TwitterV1)
        } else if v1_notice.iter().any(|k| has(k)) {
            LineKind::Notice(Format::TwitterV1)
        } else if has("errors") || has("meta") {
            LineKind::Notice(Format::TwitterV2)
        } else {
            return Err(
                "is JSON but neither Twitter API v2 (`data`, `author_id`) nor v1.1 \
                    (`id_str`, `user`) tweets, nor snscrape's (`_type`)"
                    .into(),
            );
        },
    )
}

/// Notice lines passed over, at most, looking for the first tweet.
const NOTICES_PASSED: usize = 100;

/// Which API the JSON lines `chunker` reads come from, or why they are neither. The first
/// line of tweets decides: notices before it are passed over (up to [`NOTICES_PASSED`]); a
/// stream of notices alone is read as the API of the first. A first line that is no record
/// (cut short where a file was split by bytes) is rejected when read, as a later one would
/// be, if the next line is one; if not, the file is not JSON lines and its first line says why.
pub fn recognise(
    chunker: &mut Chunker,
    max_record: usize,
) -> std::io::Result<Result<Format, String>> {
    let first = chunker.peek_line()?;
    let mut start = first.len() + 1;
    // What the lines so far say: the first notice's API, or why the first line is no record.
    let mut said = match line_kind(first.trim_ascii()) {
        Ok(LineKind::Tweets(f)) => return Ok(Ok(f)),
        Ok(LineKind::Notice(f)) => Ok(f),
        Err(m) => Err(m),
    };
    let first_wrong = said.is_err();
    for _ in 0..NOTICES_PASSED {
        let Some(line) = peek_line_at(chunker, start, max_record)? else {
            break;
        };
        start += line.len() + 1;
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        match line_kind(line) {
            Ok(LineKind::Tweets(f)) => return Ok(Ok(f)),
            Ok(LineKind::Notice(f)) => {
                if said.is_err() {
                    said = Ok(f);
                }
            }
            // A bad line among the first is rejected with its line number when read.
            Err(_) => break,
        }
        if first_wrong {
            break; // the line after a bad first one decides
        }
    }
    Ok(said)
}

/// The line `start` bytes into what `chunker` has not yet read; `None` at the end of the
/// stream, or when the line is longer than `max_record` (reading reports it).
fn peek_line_at<'c>(
    chunker: &'c mut Chunker,
    start: usize,
    max_record: usize,
) -> std::io::Result<Option<&'c [u8]>> {
    let mut want = start + (1 << 16);
    let end = loop {
        let buf = chunker.peek(want)?;
        let rest = buf.get(start..).unwrap_or_default();
        if let Some(end) = memchr::memchr(b'\n', rest) {
            break start + end;
        }
        if buf.len() < want {
            if rest.is_empty() {
                return Ok(None);
            }
            break buf.len();
        }
        if rest.len() > max_record {
            return Ok(None);
        }
        want *= 2;
    };
    Ok(Some(&chunker.peek(0)?[start..end]))
}

fn for_each_line(
    chunk: &RawChunk,
    b: &mut RecordBatch,
    mut f: impl FnMut(&[u8], u64, &mut RecordBatch),
) {
    let cut = super::ends_inside_a_record(chunk);
    let last = match cut {
        true => chunk.first_line + memchr::memchr_iter(b'\n', &chunk.bytes).count() as u64,
        false => u64::MAX,
    };
    for (line_no, line) in (chunk.first_line..).zip(chunk.bytes.split(|&c| c == b'\n')) {
        if !line.trim_ascii().is_empty() {
            let before = b.rejects.len();
            f(line, line_no, b);
            // A line that is not JSON where the file ends inside it: cut short.
            if cut && line_no == last && b.rejects.len() > before {
                let r = b.rejects.last_mut().expect("just pushed");
                if r.reason == INVALID_JSON {
                    super::cut_short(r);
                }
            }
        }
    }
}

/// A record type of one API, read from a line (borrowing its strings) or from a `Value`.
trait Record<'l>: Deserialize<'l> {
    fn from_value(v: serde_json::Value) -> serde_json::Result<Self>;
}

/// A line read as `T`. Its fields take any value, so only a line that is not JSON fails, or
/// one whose object repeats a key, which serde's structs refuse: that one is read again
/// through a `Value`, where the last copy wins.
fn parse<'l, T: Record<'l>>(line: &'l [u8]) -> serde_json::Result<T> {
    serde_json::from_slice(line).or_else(|e| {
        if !e.is_data() {
            return Err(e);
        }
        T::from_value(serde_json::from_slice(line)?)
    })
}

/// Why a line that is not JSON is refused.
pub const INVALID_JSON: &str = "invalid JSON";

fn invalid_json(b: &mut RecordBatch, line: u64, e: serde_json::Error) {
    b.rows_read += 1;
    let msg = if e.is_eof() {
        "the line ends early (truncated)".to_string()
    } else {
        e.to_string()
    };
    b.reject(
        line,
        RowError::new(INVALID_JSON, "", "one JSON object per line", &msg),
    );
}

/// `field` held `found` where `expected` belongs.
fn wrong_type(field: &'static str, expected: &'static str, found: &Wrong) -> RowError {
    RowError::new("wrong type", field, expected, &found.0)
}

/// A string the tweet can do without: of the wrong type, it is unknown, with a warning.
fn soft<'x>(f: &'x Option<Str>, field: &'static str, line: u64, b: &mut RecordBatch) -> &'x str {
    match f {
        Some(Field::Ok(t)) => &t.0,
        Some(Field::Wrong(w)) => {
            b.warn(line, wrong_type(field, "a string", w));
            ""
        }
        None => "",
    }
}

/// A string, unless it is absent or of the wrong type.
fn text_of<'x>(f: &'x Option<Str>) -> Option<&'x str> {
    f.as_ref().and_then(Field::ok).map(|t| &*t.0)
}

/// A string the tweet cannot do without: of the wrong type, it costs the tweet.
fn hard<'x>(
    f: &'x Option<Str>,
    field: &'static str,
    expected: &'static str,
) -> Result<&'x str, RowError> {
    match f {
        Some(Field::Ok(t)) => Ok(&t.0),
        Some(Field::Wrong(w)) => Err(wrong_type(field, expected, w)),
        None => Ok(""),
    }
}

/// An account id written twice (v1.1's `id_str` and `id`, or an author id beside the
/// author object): the first good copy. Neither good, it costs the tweet; absent, it is empty.
fn either<'x>(
    first: (&'x Option<Str>, &'static str),
    second: (&'x Option<Str>, &'static str),
) -> Result<&'x str, RowError> {
    first_good(&[first, second], |_, _| Ok(()))
}

/// A tweet's id, from the first good of its copies (v1.1 writes `id_str` and `id`, where a
/// float `id` beside a good `id_str` costs nothing). The APIs' ids are below 2^63: more
/// digits are a number that overflowed, not an id.
fn tweet_id<'x>(copies: &[(&'x Option<Str>, &'static str)]) -> Result<&'x str, RowError> {
    first_good(copies, |field, id| {
        let id = trim(id);
        match id.bytes().all(|c| c.is_ascii_digit()) && parse_decimal_id(id).is_none() {
            true => Err(RowError::new(
                "bad tweet id",
                field,
                "digits below 2^63",
                id,
            )),
            false => Ok(()),
        }
    })
}

/// A tweet id that must be there: the tweet's own, or that of a tweet it embeds or
/// references (those always carry one, so one missing means the line was cut or edited).
fn required_id<'x>(copies: &[(&'x Option<Str>, &'static str)]) -> Result<&'x str, RowError> {
    match tweet_id(copies)? {
        "" => Err(RowError::new(
            "missing tweet id",
            copies[0].1,
            "a tweet id",
            "",
        )),
        id => Ok(id),
    }
}

/// The first copy that is there, of the right type, and passes `check`; else the first
/// copy's fault, or empty when none is there.
fn first_good<'x>(
    copies: &[(&'x Option<Str>, &'static str)],
    check: impl Fn(&'static str, &str) -> Result<(), RowError>,
) -> Result<&'x str, RowError> {
    let mut fault = None;
    for &(f, field) in copies {
        let good = match hard(f, field, ID) {
            Ok("") => continue,
            Ok(id) => check(field, id).map(|()| id),
            Err(e) => Err(e),
        };
        match good {
            Ok(id) => return Ok(id),
            Err(e) => {
                fault.get_or_insert(e);
            }
        }
    }
    fault.map_or(Ok(""), Err)
}

/// An object the record can do without: of the wrong type, it is left out with a warning.
fn soft_obj<'x, T>(
    f: &'x Option<Obj<T>>,
    field: &'static str,
    line: u64,
    b: &mut RecordBatch,
) -> Option<&'x T> {
    match f {
        Some(Field::Ok(t)) => Some(t),
        Some(Field::Wrong(w)) => {
            b.warn(line, wrong_type(field, "an object", w));
            None
        }
        None => None,
    }
}

/// An object the tweet cannot do without when it is there.
fn hard_obj<'x, T>(f: &'x Option<Obj<T>>, field: &'static str) -> Result<Option<&'x T>, RowError> {
    match f {
        Some(Field::Ok(t)) => Ok(Some(t)),
        Some(Field::Wrong(w)) => Err(wrong_type(field, "an object", w)),
        None => Ok(None),
    }
}

/// The objects of a list the record can do without; a list or an element of the wrong type
/// is left out with a warning.
fn soft_list<'x, T>(
    f: &'x Option<List<T>>,
    field: &'static str,
    line: u64,
    b: &mut RecordBatch,
) -> impl Iterator<Item = &'x T> {
    let all: &[Obj<T>] = match f {
        Some(Field::Ok(v)) => v,
        Some(Field::Wrong(w)) => {
            b.warn(line, wrong_type(field, "a list of objects", w));
            &[]
        }
        None => &[],
    };
    for x in all {
        if let Field::Wrong(w) = x {
            b.warn(line, wrong_type(field, "a list of objects", w));
        }
    }
    all.iter().filter_map(|x| x.ok().map(|o| &o.0))
}

/// The objects of a list the tweet cannot do without: one of the wrong type costs it.
fn hard_list<'x, T>(f: &'x Option<List<T>>, field: &'static str) -> Result<Vec<&'x T>, RowError> {
    let expected = "a list of objects";
    match f {
        Some(Field::Ok(v)) => v
            .iter()
            .map(|x| match x {
                Field::Ok(t) => Ok(&t.0),
                Field::Wrong(w) => Err(wrong_type(field, expected, w)),
            })
            .collect(),
        Some(Field::Wrong(w)) => Err(wrong_type(field, expected, w)),
        None => Ok(Vec::new()),
    }
}

/// A profile count: of the wrong type (negative, a fraction, a string), unknown with a
/// warning, as a malformed count in a CSV profile.
fn soft_count(
    f: &Option<Count>,
    field: &'static str,
    line: u64,
    b: &mut RecordBatch,
) -> Option<u32> {
    match f {
        Some(Field::Ok(n)) => Some(saturate(*n)),
        Some(Field::Wrong(w)) => {
            let e = RowError::new("bad count", field, "a whole number, 0 or more", &w.0);
            b.warn(line, e);
            None
        }
        None => None,
    }
}

fn saturate(n: u64) -> u32 {
    n.min(u32::MAX as u64 - 1) as u32
}

/// The first of a link's URLs that is there: unwound, expanded, or as written.
fn best_url<'x>(u: &'x Link, line: u64, b: &mut RecordBatch) -> &'x str {
    let field = "entities.urls";
    [&u.unwound_url, &u.expanded_url, &u.url]
        .into_iter()
        .map(|f| soft(f, field, line, b))
        .find(|u| !u.is_empty())
        .unwrap_or("")
}

/// A retweet's hashtags, links and mentions. Its own entities are read from its own text,
/// `RT @name: ` and the retweeted text cut to fit; those of the tweet it carries are whole
/// (as twarc2's CSV gives them), so they are taken where the carried tweet is there, with the
/// retweet's own mentions beyond them (the account it retweets).
fn retweet_entities(
    own: Option<Entities>,
    carried: Option<Entities>,
    names: &HashMap<&str, &str>,
    line: u64,
    b: &mut RecordBatch,
) {
    let Some(carried) = carried else {
        if let Some(own) = own {
            entities(own, names, line, b);
        }
        return;
    };
    let start = b.items.len();
    entities(carried, names, line, b);
    let Some(own) = own else {
        return;
    };
    let mid = b.items.len();
    let mentions = Entities {
        hashtags: &None,
        urls: &None,
        mentions: own.mentions,
    };
    entities(mentions, names, line, b);
    drop_repeated(b, start, mid);
}

/// Drops the items pushed from `mid` on that repeat one of `start..mid`.
fn drop_repeated(b: &mut RecordBatch, start: usize, mid: usize) {
    let mut kept = mid;
    for i in mid..b.items.len() {
        let (kind, span) = b.items[i];
        let there = b.items[start..kept]
            .iter()
            .any(|&(k, s)| k == kind && b.str(s) == b.str(span));
        if !there {
            b.items[kept] = b.items[i];
            kept += 1;
        }
    }
    b.items.truncate(kept);
}

/// A mentioned account: by its id where the tweet gives it, with its name recorded unless
/// `named_elsewhere` (v2's `includes.users`), else by its name alone.
fn mention(id: &str, name: &str, named_elsewhere: bool, b: &mut RecordBatch) {
    if !id.is_empty() {
        b.push_item(ItemKind::Mention, id);
        if !name.is_empty() && !named_elsewhere {
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

fn entities(e: Entities, names: &HashMap<&str, &str>, line: u64, b: &mut RecordBatch) {
    for h in soft_list(e.hashtags, "entities.hashtags", line, b) {
        let field = "entities.hashtags";
        let tag = match soft(&h.tag, field, line, b) {
            "" => soft(&h.text, field, line, b),
            tag => tag,
        };
        b.push_item(ItemKind::Hashtag, &hashtag_key(tag));
    }
    for u in soft_list(e.urls, "entities.urls", line, b) {
        let url = best_url(u, line, b);
        if !url.is_empty() {
            b.push_item(ItemKind::Url, &normalize_url(url));
        }
    }
    let field = "entities.mentions";
    for m in soft_list(e.mentions, field, line, b) {
        let id = either((&m.id_str, field), (&m.id, field)).unwrap_or_else(|e| {
            b.warn(line, e);
            ""
        });
        let name = match soft(&m.username, field, line, b) {
            "" => soft(&m.screen_name, field, line, b),
            name => name,
        };
        mention(id, name, names.contains_key(id), b);
    }
}
