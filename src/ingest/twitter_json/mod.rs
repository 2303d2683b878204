//! Twitter API JSON lines: v2 as twarc2 writes it (response pages with `data` and `includes`,
//! stream lines with one `data` object, or flattened one-tweet-per-line), and v1.1 tweet
//! objects (`retweeted_status`, `quoted_status`, `extended_tweet`).
//!
//! Each line is parsed into borrowed structs that name only the fields we use; serde skips
//! the rest without building them. Tweets found only in `includes` are the referenced ones,
//! not part of the collection: they give the authors of retweeted and quoted tweets.

mod v1;
mod v2;

pub use v1::parse_v1;
pub use v2::parse_v2;

use super::chunk::RawChunk;
use super::text::normalize_url;
use super::time::{parse_datetime, tweet_time};
use super::Format;
use crate::dataset::batch::*;
use crate::dataset::ItemKind;
use hashbrown::HashMap;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;

/// The text of an HTML link (`<a href="...">Twitter for iPhone</a>`), or the string itself.
fn link_text(s: &str) -> &str {
    match (s.find('>'), s.rfind("</")) {
        (Some(open), Some(close)) if open < close => s[open + 1..close].trim(),
        _ => s.trim(),
    }
}

/// What `created_at` should hold.
const CREATED_AT: &str = "a date-time like 2021-09-22T16:37:29.000Z";

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

/// Which API a JSON line comes from, or why it is neither.
pub fn recognise(line: &[u8]) -> Result<Format, String> {
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

fn saturate(n: u64) -> u32 {
    n.min(u32::MAX as u64 - 1) as u32
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
