//! Structure-aware: an information-operations archive tweets CSV built from arbitrary rows.
//! The header names the required columns and a chosen subset of the others, in a chosen
//! order; each row's fields are ids, times, counts, booleans and list columns (`[a, b]`,
//! `['a', 'b']`) mostly as the archive writes them, sometimes any string. Accounts come from a
//! table, so an account's profile is the same on all its rows, as in the archive. Rows are
//! joined by the csv crate's writer, or by hand with random quoting (conforming or not).
//!
//! Checks: what every ingest must satisfy (`crate::check`), and for conforming CSV
//! that a read in small chunks gives the same dataset as a read in one chunk.

use crate::gen::{Bool, Count, Id, List, Time};
use arbitrary::Arbitrary;
use coordnet::dataset::time::{format_minute, snowflake_ms};
use coordnet::Format;

/// Required columns first, then the optional ones the parser reads, then some it ignores.
const COLUMNS: [&str; 22] = [
    "tweetid",
    "userid",
    "tweet_time",
    "user_screen_name",
    "follower_count",
    "following_count",
    "account_creation_date",
    "tweet_language",
    "tweet_client_name",
    "tweet_text",
    "in_reply_to_tweetid",
    "in_reply_to_userid",
    "quoted_tweet_tweetid",
    "is_retweet",
    "retweet_userid",
    "retweet_tweetid",
    "hashtags",
    "urls",
    "user_mentions",
    "user_display_name",
    "latitude",
    "poll_choices",
];

#[derive(Arbitrary, Debug)]
struct Input {
    flags: u8,
    /// Optional column `3 + i` is absent when bit `i` is set.
    absent: u32,
    /// Column order: a permutation drawn from these.
    order: Vec<u8>,
    /// Header names upper-cased or padded with blanks (they are trimmed and lower-cased).
    header_style: u8,
    writer: Writer,
    crlf: bool,
    users: Vec<User>,
    rows: Vec<Row>,
}

#[derive(Arbitrary, Debug)]
enum Writer {
    /// The csv crate's writer: 0 necessary, 1 always, 2 non-numeric quoting.
    Csv(u8),
    /// By hand: field `i` quoted when bit `i % 64` of `quote` is set or it needs quotes; with
    /// `sloppy`, a field that needs quotes is left bare when its bit there is set.
    Hand { quote: u64, sloppy: Option<u64> },
}

#[derive(Arbitrary, Debug)]
struct User {
    key: Id,
    screen_name: String,
    followers: Count,
    following: Count,
    created: Time,
}

#[derive(Arbitrary, Debug)]
struct Row {
    tweetid: Id,
    user: u8,
    time: Time,
    /// Write the minute of the snowflake id as `tweet_time`, so id and time agree.
    time_from_id: bool,
    lang: String,
    client: String,
    text: String,
    reply_to: Id,
    reply_user: UserRef,
    quoted: Id,
    is_retweet: Bool,
    rt_user: UserRef,
    rt_tweet: Id,
    hashtags: List,
    urls: List,
    mentions: List,
    /// One field more (a row of the wrong width).
    extra_field: Option<String>,
    /// Write the row twice (a repeated record).
    twice: bool,
}

#[derive(Arbitrary, Debug)]
enum UserRef {
    Empty,
    User(u8),
    Other(Id),
}

impl UserRef {
    fn text(&self, users: &[User]) -> String {
        match self {
            UserRef::Empty => String::new(),
            UserRef::User(i) => users[*i as usize % users.len()].key.text(),
            UserRef::Other(id) => id.text(),
        }
    }
}

fn header_name(name: &str, style: u8, i: usize) -> String {
    match (style >> (i % 8)) & 1 {
        0 => name.to_string(),
        _ if style & 1 == 0 => name.to_ascii_uppercase(),
        _ => format!(" {name} "),
    }
}

/// One execution on `data`, decoded as the fuzzer decodes it.
pub fn run(data: &[u8]) {
    let Some(input) = crate::decode::<Input>(data) else {
        return;
    };
    if input.users.is_empty() {
        return;
    }
    // The columns in the file, in order: required always, optional unless absent.
    let mut cols: Vec<usize> = (0..COLUMNS.len())
        .filter(|&c| c < 3 || input.absent & (1 << (c - 3)) == 0)
        .collect();
    for (i, &o) in input.order.iter().enumerate() {
        let n = cols.len();
        cols.swap(i % n, o as usize % n);
    }
    let users = &input.users;
    let mut records: Vec<Vec<String>> = Vec::new();
    records.push(
        cols.iter()
            .enumerate()
            .map(|(i, &c)| header_name(COLUMNS[c], input.header_style, i))
            .collect(),
    );
    for row in &input.rows {
        let user = &users[row.user as usize % users.len()];
        let tweetid = row.tweetid.text();
        let time = match tweetid.parse::<u64>().ok().and_then(snowflake_ms) {
            Some(ms) if row.time_from_id => format_minute(ms),
            _ => row.time.text(),
        };
        let field = |c: &str| -> String {
            match c {
                "tweetid" => tweetid.clone(),
                "userid" => user.key.text(),
                "tweet_time" => time.clone(),
                "user_screen_name" | "user_display_name" => user.screen_name.clone(),
                "follower_count" => user.followers.text(),
                "following_count" => user.following.text(),
                "account_creation_date" => user.created.text(),
                "tweet_language" => row.lang.clone(),
                "tweet_client_name" => row.client.clone(),
                "tweet_text" => row.text.clone(),
                "in_reply_to_tweetid" => row.reply_to.text(),
                "in_reply_to_userid" => row.reply_user.text(users),
                "quoted_tweet_tweetid" => row.quoted.text(),
                "is_retweet" => row.is_retweet.text(),
                "retweet_userid" => row.rt_user.text(users),
                "retweet_tweetid" => row.rt_tweet.text(),
                "hashtags" => row.hashtags.text(),
                "urls" => row.urls.text(),
                "user_mentions" => row.mentions.text(),
                "latitude" => "absent".into(),
                _ => String::new(),
            }
        };
        let mut record: Vec<String> = cols.iter().map(|&c| field(COLUMNS[c])).collect();
        if let Some(x) = &row.extra_field {
            record.push(x.clone());
        }
        if row.twice {
            records.push(record.clone());
        }
        records.push(record);
    }

    let (bytes, conforming) = match input.writer {
        Writer::Csv(style) => {
            let style = match style % 3 {
                0 => csv::QuoteStyle::Necessary,
                1 => csv::QuoteStyle::Always,
                _ => csv::QuoteStyle::NonNumeric,
            };
            let terminator = if input.crlf {
                csv::Terminator::CRLF
            } else {
                csv::Terminator::Any(b'\n')
            };
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .quote_style(style)
                .terminator(terminator)
                .from_writer(Vec::new());
            for r in &records {
                w.write_record(r).expect("writing to memory");
            }
            (w.into_inner().expect("writing to memory"), true)
        }
        Writer::Hand { quote, sloppy } => {
            let mut out = String::new();
            let mut conforming = true;
            let mut i = 0usize;
            for r in &records {
                for (j, f) in r.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    let bit = 1u64 << (i % 64);
                    i += 1;
                    let needs = f.contains([',', '"', '\n', '\r']);
                    let bare = needs && sloppy.is_some_and(|s| s & bit != 0);
                    if bare {
                        conforming = false;
                        out.push_str(f);
                    } else if needs || quote & bit != 0 {
                        out.push('"');
                        out.push_str(&f.replace('"', "\"\""));
                        out.push('"');
                    } else {
                        out.push_str(f);
                    }
                }
                out.push_str(if input.crlf { "\r\n" } else { "\n" });
            }
            (out.into_bytes(), conforming)
        }
    };
    crate::ingest_compared(
        "fuzz-tweets.csv",
        &bytes,
        input.flags,
        Some(Format::IoTweets),
        None,
        conforming,
    );
}
