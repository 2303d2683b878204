//! Field values for the structure-aware targets: mostly well-formed (ids, times, counts and
//! lists as the formats write them), sometimes any string, so the parsers get past their
//! first checks and still see the odd values.

use arbitrary::Arbitrary;
use serde_json::{json, Map, Value};

/// Twitter's snowflake epoch.
const SNOWFLAKE_EPOCH_MS: u64 = 1_288_834_974_657;

/// A tweet or account id.
#[derive(Arbitrary, Debug, Clone)]
pub enum Id {
    Empty,
    /// A snowflake id for a time between 2010 and about 2045.
    Snowflake(u32, u16),
    /// A small number (pre-snowflake ids, or the same id again).
    Small(u8),
    Num(u64),
    /// A hashed id, as the archive writes user ids.
    Hex(u64),
    Text(String),
}

impl Id {
    pub fn text(&self) -> String {
        match self {
            Id::Empty => String::new(),
            Id::Snowflake(s, seq) => {
                let ms = *s as u64 * 256;
                (((ms) << 22) | (*seq as u64 & ((1 << 22) - 1))).to_string()
            }
            Id::Small(n) => n.to_string(),
            Id::Num(n) => n.to_string(),
            Id::Hex(n) => format!("{n:016x}{n:016x}"),
            Id::Text(s) => s.clone(),
        }
    }

    /// As JSON: a string, or (v1.1 writes both) a number.
    pub fn json(&self, as_number: bool) -> Value {
        match self {
            Id::Num(n) if as_number => json!(n),
            Id::Snowflake(..) | Id::Small(_) if as_number => {
                json!(self.text().parse::<u64>().unwrap_or(0))
            }
            Id::Empty if as_number => Value::Null,
            _ => Value::String(self.text()),
        }
    }
}

/// A date-time in one of the layouts the data uses, or any string.
#[derive(Arbitrary, Debug, Clone)]
pub enum Time {
    Empty,
    /// `2017-06-22 16:03`
    Minute(Parts),
    /// `2016-10-12 11:41:00`
    Second(Parts),
    /// `2021-09-22T16:37:29.000Z` / `+02:00`
    Iso(Parts, u16, Zone),
    /// `10/1/2017 19:58`
    Slash(Parts),
    /// `Tue Jul 18 23:25:04 +0000 2017`
    V1(Parts, Zone),
    /// `2013-12-07`
    Day(Parts),
    /// POSIX seconds, with a fraction sometimes.
    Posix(u32, Option<u16>),
    /// Epoch milliseconds (13 digits).
    Millis(u64),
    Text(String),
}

/// Date and clock fields, mostly in range.
#[derive(Arbitrary, Debug, Clone)]
pub struct Parts {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// Take the fields as they are, out of range too.
    pub raw: bool,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum Zone {
    None,
    Z,
    Offset(i16),
    Colon(i16),
}

impl Zone {
    fn text(&self, colon_default: bool) -> String {
        let off = |m: i16, colon: bool| {
            let sign = if m < 0 { '-' } else { '+' };
            let m = (m as i32).unsigned_abs() % 1440;
            if colon {
                format!("{sign}{:02}:{:02}", m / 60, m % 60)
            } else {
                format!("{sign}{:02}{:02}", m / 60, m % 60)
            }
        };
        match self {
            Zone::None => String::new(),
            Zone::Z => "Z".into(),
            Zone::Offset(m) => off(*m, colon_default),
            Zone::Colon(m) => off(*m, !colon_default),
        }
    }
}

impl Parts {
    fn fields(&self) -> (u32, u32, u32, u32, u32, u32) {
        if self.raw {
            (
                self.year as u32,
                self.month as u32,
                self.day as u32,
                self.hour as u32,
                self.minute as u32,
                self.second as u32,
            )
        } else {
            (
                2006 + self.year as u32 % 30,
                1 + self.month as u32 % 12,
                1 + self.day as u32 % 28,
                self.hour as u32 % 24,
                self.minute as u32 % 60,
                self.second as u32 % 60,
            )
        }
    }
}

impl Time {
    pub fn text(&self) -> String {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        match self {
            Time::Empty => String::new(),
            Time::Minute(p) => {
                let (y, mo, d, h, mi, _) = p.fields();
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")
            }
            Time::Second(p) => {
                let (y, mo, d, h, mi, s) = p.fields();
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
            Time::Iso(p, ms, z) => {
                let (y, mo, d, h, mi, s) = p.fields();
                let z = z.text(true);
                format!(
                    "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}{z}",
                    ms % 1000
                )
            }
            Time::Slash(p) => {
                let (y, mo, d, h, mi, _) = p.fields();
                format!("{mo}/{d}/{y} {h}:{mi:02}")
            }
            Time::V1(p, z) => {
                let (y, mo, d, h, mi, s) = p.fields();
                let month = MONTHS[(mo as usize + 11) % 12];
                let z = match z {
                    Zone::None => "+0000".to_string(),
                    z => z.text(false),
                };
                format!("Tue {month} {d:02} {h:02}:{mi:02}:{s:02} {z} {y}")
            }
            Time::Day(p) => {
                let (y, mo, d, ..) = p.fields();
                format!("{y:04}-{mo:02}-{d:02}")
            }
            Time::Posix(s, None) => s.to_string(),
            Time::Posix(s, Some(f)) => format!("{s}.{f}"),
            Time::Millis(ms) => (SNOWFLAKE_EPOCH_MS + ms % 2_000_000_000_000).to_string(),
            Time::Text(s) => s.clone(),
        }
    }
}

/// A count: `12`, `12.0`, or anything.
#[derive(Arbitrary, Debug, Clone)]
pub enum Count {
    Empty,
    Int(u32),
    Float(u32),
    Big(u64),
    Text(String),
}

impl Count {
    pub fn text(&self) -> String {
        match self {
            Count::Empty => String::new(),
            Count::Int(n) => n.to_string(),
            Count::Float(n) => format!("{n}.0"),
            Count::Big(n) => n.to_string(),
            Count::Text(s) => s.clone(),
        }
    }

    pub fn json(&self) -> Value {
        match self {
            Count::Empty => Value::Null,
            Count::Int(n) => json!(n),
            Count::Float(n) => json!(*n as f64),
            Count::Big(n) => json!(n),
            Count::Text(s) => json!(s),
        }
    }
}

/// The archive's boolean, or anything.
#[derive(Arbitrary, Debug, Clone)]
pub enum Bool {
    Empty,
    True(u8),
    False(u8),
    Text(String),
}

impl Bool {
    pub fn text(&self) -> String {
        const T: [&str; 5] = ["True", "true", "TRUE", "1", "1.0"];
        const F: [&str; 5] = ["False", "false", "FALSE", "0", "0.0"];
        match self {
            Bool::Empty => String::new(),
            Bool::True(i) => T[*i as usize % 5].into(),
            Bool::False(i) => F[*i as usize % 5].into(),
            Bool::Text(s) => s.clone(),
        }
    }
}

/// A list column as the archive writes it (`[a, b]`, `['a', 'b']`, `[]`), or anything.
#[derive(Arbitrary, Debug, Clone)]
pub enum List {
    Empty,
    Brackets,
    Unquoted(Vec<String>, bool),
    /// Items with the quote each is written with (`true`: double).
    Quoted(Vec<(String, bool)>, bool),
    Text(String),
}

impl List {
    pub fn text(&self) -> String {
        match self {
            List::Empty => String::new(),
            List::Brackets => "[]".into(),
            List::Unquoted(items, tight) => {
                format!("[{}]", items.join(if *tight { "," } else { ", " }))
            }
            List::Quoted(items, tight) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|(s, double)| {
                        let q = if *double { '"' } else { '\'' };
                        let mut out = String::from(q);
                        for c in s.chars() {
                            if c == q || c == '\\' {
                                out.push('\\');
                            }
                            out.push(c);
                        }
                        out.push(q);
                        out
                    })
                    .collect();
                format!("[{}]", items.join(if *tight { "," } else { ", " }))
            }
            List::Text(s) => s.clone(),
        }
    }
}

/// A JSON value for a string field: mostly a string, sometimes another type.
#[derive(Arbitrary, Debug, Clone)]
pub enum Str {
    Absent,
    Null,
    Text(String),
    Word(Word),
    Number(u64),
    Negative(i64),
    Float(f64),
    Bool(bool),
    Array(Vec<String>),
    Object(Vec<(String, String)>),
}

/// A short ASCII word, so texts carry hashtags, mentions and URLs often.
#[derive(Arbitrary, Debug, Clone)]
pub struct Word(pub u8, pub u16);

impl Word {
    pub fn text(&self) -> String {
        const W: [&str; 12] = [
            "#maga",
            "@alice",
            "RT @bob: hi",
            "https://t.co/x?utm_source=a",
            "#Vote #vote",
            "tcot",
            "http://Example.com/a/",
            "@",
            "#",
            "RT @",
            "www.x.org/p?a=1&b=2",
            "é #été",
        ];
        format!("{}{}", W[self.0 as usize % W.len()], self.1 % 7)
    }
}

impl Str {
    pub fn json(&self) -> Option<Value> {
        Some(match self {
            Str::Absent => return None,
            Str::Null => Value::Null,
            Str::Text(s) => json!(s),
            Str::Word(w) => json!(w.text()),
            Str::Number(n) => json!(n),
            Str::Negative(n) => json!(n),
            Str::Float(f) => json!(f),
            Str::Bool(b) => json!(b),
            Str::Array(v) => json!(v),
            Str::Object(kv) => {
                Value::Object(kv.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
            }
        })
    }
}

/// A JSON id field: mostly right, sometimes absent or of another type.
#[derive(Arbitrary, Debug, Clone)]
pub enum JsonId {
    Absent,
    Str(Id),
    Number(Id),
    Other(Str),
}

impl JsonId {
    pub fn json(&self) -> Option<Value> {
        match self {
            JsonId::Absent => None,
            JsonId::Str(id) => Some(id.json(false)),
            JsonId::Number(id) => Some(id.json(true)),
            JsonId::Other(s) => s.json(),
        }
    }
}

/// A JSON time field.
#[derive(Arbitrary, Debug, Clone)]
pub enum JsonTime {
    Absent,
    Time(Time),
    Other(Str),
}

impl JsonTime {
    pub fn json(&self) -> Option<Value> {
        match self {
            JsonTime::Absent => None,
            JsonTime::Time(t) => Some(json!(t.text())),
            JsonTime::Other(s) => s.json(),
        }
    }
}

/// Put `v` at `key` when present.
pub fn put(m: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        m.insert(key.to_string(), v);
    }
}

/// Entities: hashtags, URLs and mentions, in the API's shape.
#[derive(Arbitrary, Debug, Clone)]
pub struct Entities {
    pub hashtags: Vec<Tag>,
    pub urls: Vec<Link>,
    pub mentions: Vec<Mention>,
    /// The hashtags field is not an array.
    pub broken: Option<Str>,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Tag {
    pub tag: Str,
    pub text: Str,
    pub start: Option<u16>,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Link {
    pub unwound_url: Str,
    pub expanded_url: Str,
    pub url: Str,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Mention {
    pub id: JsonId,
    pub id_str: JsonId,
    pub username: Str,
    pub screen_name: Str,
}

impl Entities {
    /// `mentions_key`: `mentions` (v2) or `user_mentions` (v1.1).
    pub fn json(&self, mentions_key: &str) -> Value {
        let mut m = Map::new();
        let tags: Vec<Value> = self
            .hashtags
            .iter()
            .map(|t| {
                let mut o = Map::new();
                put(&mut o, "tag", t.tag.json());
                put(&mut o, "text", t.text.json());
                put(&mut o, "start", t.start.map(|s| json!(s)));
                Value::Object(o)
            })
            .collect();
        m.insert(
            "hashtags".into(),
            self.broken
                .as_ref()
                .and_then(Str::json)
                .unwrap_or(json!(tags)),
        );
        let urls: Vec<Value> = self
            .urls
            .iter()
            .map(|u| {
                let mut o = Map::new();
                put(&mut o, "unwound_url", u.unwound_url.json());
                put(&mut o, "expanded_url", u.expanded_url.json());
                put(&mut o, "url", u.url.json());
                Value::Object(o)
            })
            .collect();
        m.insert("urls".into(), json!(urls));
        let mentions: Vec<Value> = self
            .mentions
            .iter()
            .map(|x| {
                let mut o = Map::new();
                put(&mut o, "id", x.id.json());
                put(&mut o, "id_str", x.id_str.json());
                put(&mut o, "username", x.username.json());
                put(&mut o, "screen_name", x.screen_name.json());
                Value::Object(o)
            })
            .collect();
        m.insert(mentions_key.into(), json!(mentions));
        Value::Object(m)
    }
}

/// Lines of JSON, with blank, broken or foreign lines between them sometimes.
#[derive(Arbitrary, Debug, Clone)]
pub enum Extra {
    None,
    Blank,
    Crlf,
    /// The previous line cut short.
    Truncate(u16),
    Line(String),
}

/// Join JSON objects into JSON lines, with the extras after each.
pub fn json_lines(objects: &[(Value, Extra)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (v, extra) in objects {
        let line = serde_json::to_string(v).expect("a JSON value serialises");
        match extra {
            Extra::Truncate(n) => {
                let cut = *n as usize % (line.len() + 1);
                out.extend_from_slice(&line.as_bytes()[..cut]);
                out.push(b'\n');
            }
            Extra::Crlf => {
                out.extend_from_slice(line.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            _ => {
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
            }
        }
        match extra {
            Extra::Blank => out.extend_from_slice(b"  \n"),
            Extra::Line(s) => {
                out.extend_from_slice(s.as_bytes());
                out.push(b'\n');
            }
            _ => {}
        }
    }
    out
}
