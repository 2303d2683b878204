//! Rows out, in the archive's tweet CSV layout (either dialect), plus the truth files.

use super::accounts::Account;
use super::{Compression, SynthConfig};
use crate::dataset::time::format_minute;
use crate::error::{Error, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// One tweet to write.
pub struct Tweet {
    pub id: u64,
    pub account: u32,
    pub time_ms: i64,
    /// (tweet id, author) of the retweeted tweet.
    pub retweet_of: Option<(u64, u32)>,
    pub hashtags: Vec<u32>,
    pub url: Option<u32>,
    pub mention: Option<u32>,
    /// Seed of the words of the text (a retweet repeats its original's).
    pub text_seed: u64,
}

const COLUMNS_2019: [&str; 31] = [
    "tweetid",
    "userid",
    "user_display_name",
    "user_screen_name",
    "user_reported_location",
    "user_profile_description",
    "user_profile_url",
    "follower_count",
    "following_count",
    "account_creation_date",
    "account_language",
    "tweet_language",
    "tweet_text",
    "tweet_time",
    "tweet_client_name",
    "in_reply_to_userid",
    "in_reply_to_tweetid",
    "quoted_tweet_tweetid",
    "is_retweet",
    "retweet_userid",
    "retweet_tweetid",
    "latitude",
    "longitude",
    "quote_count",
    "reply_count",
    "like_count",
    "retweet_count",
    "hashtags",
    "urls",
    "user_mentions",
    "poll_choices",
];

/// Where rows go; a compressor's trailer is written by `finish`, where a failure can be
/// reported.
enum Sink {
    Plain(BufWriter<File>),
    Gzip(Box<flate2::write::GzEncoder<BufWriter<File>>>),
    #[cfg(feature = "zstd")]
    Zstd(Box<zstd::stream::write::Encoder<'static, BufWriter<File>>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
            #[cfg(feature = "zstd")]
            Sink::Zstd(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
            #[cfg(feature = "zstd")]
            Sink::Zstd(w) => w.flush(),
        }
    }
}

impl Sink {
    fn create(path: &Path, compression: Compression) -> Result<Sink> {
        // Written beside its place and renamed there when whole (see `report::safe`).
        let partial = crate::report::safe::partial(path);
        crate::report::safe::unfinished(&partial);
        let file = crate::report::safe::unless_stopped(|| File::create(&partial))
            .map_err(|e| Error::io(path, e))?;
        let buffered = BufWriter::with_capacity(1 << 20, file);
        Ok(match compression {
            Compression::None => Sink::Plain(buffered),
            Compression::Gzip => Sink::Gzip(Box::new(flate2::write::GzEncoder::new(
                buffered,
                flate2::Compression::fast(),
            ))),
            #[cfg(feature = "zstd")]
            Compression::Zstd => Sink::Zstd(Box::new(
                zstd::stream::write::Encoder::new(buffered, 3).map_err(|e| Error::io(path, e))?,
            )),
            #[cfg(not(feature = "zstd"))]
            Compression::Zstd => unreachable!("refused by SynthConfig::validate"),
        })
    }

    fn finish(self, path: &Path) -> Result<()> {
        let io = |e| Error::io(path, e);
        match self {
            Sink::Plain(mut w) => w.flush().map_err(io)?,
            Sink::Gzip(w) => w.finish().map_err(io)?.flush().map_err(io)?,
            #[cfg(feature = "zstd")]
            Sink::Zstd(w) => w.finish().map_err(io)?.flush().map_err(io)?,
        }
        let partial = crate::report::safe::partial(path);
        crate::report::safe::unless_stopped(|| {
            std::fs::rename(&partial, path)?;
            crate::report::safe::finished(&partial);
            // A part of a set not yet whole: a run stopped before its truth goes with its
            // parts.
            crate::report::safe::unfinished(path);
            Ok(())
        })
        .map_err(io)
    }
}

/// The tweet files: one, or `parts` files each holding a stretch of the period.
pub struct TweetWriter {
    out: csv::Writer<Sink>,
    path: PathBuf,
    dir: PathBuf,
    compression: Compression,
    /// The part being written (0-based), of `parts` spanning `start_ms` + `part_ms` each.
    part: u32,
    parts: u32,
    start_ms: i64,
    part_ms: i64,
    dialect_2018: bool,
    ids: Vec<String>,
    names: Vec<String>,
    text: String,
}

const WORDS: [&str; 48] = [
    "the",
    "people",
    "news",
    "today",
    "vote",
    "country",
    "truth",
    "media",
    "world",
    "must",
    "know",
    "now",
    "government",
    "freedom",
    "watch",
    "share",
    "breaking",
    "report",
    "new",
    "video",
    "they",
    "we",
    "never",
    "always",
    "real",
    "fake",
    "story",
    "time",
    "change",
    "hope",
    "power",
    "city",
    "school",
    "money",
    "health",
    "police",
    "war",
    "peace",
    "election",
    "support",
    "against",
    "why",
    "how",
    "what",
    "big",
    "small",
    "first",
    "last",
];

const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ra", "te", "su", "no", "vi", "da", "pe", "zu", "ri", "go", "ha", "ne", "bo",
    "ti", "ma", "ze", "fu", "li", "ya", "ko", "se",
];

/// A readable, unique word for each index (bijective base-24 syllables).
/// The app an account posts with: ordinary accounts each keep one of the common apps (by a
/// hash of the account, so the draw takes nothing from the generator's sequence); every
/// planted network posts with one scheduling tool of its own.
fn client_app(account: u32, a: &Account) -> &'static str {
    const ORDINARY: [(&str, u64); 3] = [
        ("Twitter for iPhone", 45),
        ("Twitter for Android", 35),
        ("Twitter Web App", 20),
    ];
    const TOOLS: [&str; 5] = ["TweetDeck", "Hootsuite Inc.", "IFTTT", "Buffer", "dlvr.it"];
    match a.network {
        Some(n) => TOOLS[n as usize % TOOLS.len()],
        None => {
            let mut x = crate::hash::splitmix(account as u64 ^ 0xA44) % 100;
            for (app, share) in ORDINARY {
                if x < share {
                    return app;
                }
                x -= share;
            }
            ORDINARY[0].0
        }
    }
}

pub fn hashtag_name(mut index: u32) -> String {
    let mut s = String::new();
    loop {
        s.push_str(SYLLABLES[(index % 24) as usize]);
        index /= 24;
        if index == 0 {
            break;
        }
        index -= 1;
    }
    s
}

pub fn url_of(index: u32) -> String {
    format!(
        "https://{}.example/{}",
        hashtag_name(index / 64 + 7),
        index % 64 * 131 + index / 64
    )
}

impl TweetWriter {
    pub fn create(
        dir: &Path,
        c: &SynthConfig,
        ids: Vec<String>,
        names: Vec<String>,
    ) -> Result<TweetWriter> {
        let period_ms = c.days as i64 * 24 * 3_600_000;
        let (out, path) = Self::open(dir, c.compression, 0, c.parts, c.dialect_2018)?;
        Ok(TweetWriter {
            out,
            path,
            dir: dir.to_path_buf(),
            compression: c.compression,
            part: 0,
            parts: c.parts,
            start_ms: c.start_ms,
            part_ms: (period_ms / c.parts as i64).max(1),
            dialect_2018: c.dialect_2018,
            ids,
            names,
            text: String::new(),
        })
    }

    /// Part `part`'s file, with its header written.
    fn open(
        dir: &Path,
        compression: Compression,
        part: u32,
        parts: u32,
        dialect_2018: bool,
    ) -> Result<(csv::Writer<Sink>, PathBuf)> {
        let ext = compression.extension();
        let path = match parts {
            1 => dir.join(format!("tweets.{ext}")),
            _ => dir.join(format!("tweets_{}.{ext}", part + 1)),
        };
        let mut out = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(Sink::create(&path, compression)?);
        let mut header = COLUMNS_2019;
        if dialect_2018 {
            // The 2018 release put the replied-to tweet before the replied-to user.
            header.swap(15, 16);
        }
        out.write_record(header)
            .map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
        Ok((out, path))
    }

    /// Close the part being written and open the next.
    fn next_part(&mut self) -> Result<()> {
        let (out, path) = Self::open(
            &self.dir,
            self.compression,
            self.part + 1,
            self.parts,
            self.dialect_2018,
        )?;
        let done = std::mem::replace(&mut self.out, out);
        let done_path = std::mem::replace(&mut self.path, path);
        self.part += 1;
        Self::close(done, &done_path)
    }

    fn close(out: csv::Writer<Sink>, path: &Path) -> Result<()> {
        let sink = out
            .into_inner()
            .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
        sink.finish(path)
    }

    fn err(&self, e: csv::Error) -> Error {
        Error::io(&self.path, std::io::Error::other(e))
    }

    fn list(&self, items: &[String]) -> String {
        if self.dialect_2018 {
            format!("[{}]", items.join(", "))
        } else if items.is_empty() {
            "[]".to_string()
        } else {
            let quoted: Vec<String> = items.iter().map(|s| format!("'{s}'")).collect();
            format!("[{}]", quoted.join(", "))
        }
    }

    fn words(&mut self, seed: u64, hashtags: &[String], url: Option<&str>) {
        self.text.clear();
        let mut x = seed;
        let n = 6 + (seed % 9) as usize;
        for i in 0..n {
            x = crate::hash::splitmix(x);
            if i > 0 {
                self.text.push(' ');
            }
            self.text.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
        }
        for h in hashtags {
            self.text.push_str(" #");
            self.text.push_str(h);
        }
        if url.is_some() {
            self.text
                .push_str(&format!(" https://t.co/{:x}", seed % 0xFFFF_FFFF));
        }
    }

    pub fn write(&mut self, t: &Tweet, accounts: &[Account]) -> Result<()> {
        // Rows come in time order; a part's stretch of the period is never reopened.
        let part = ((t.time_ms - self.start_ms) / self.part_ms).clamp(0, self.parts as i64 - 1);
        while (self.part as i64) < part {
            self.next_part()?;
        }
        let a = &accounts[t.account as usize];
        let hashtags: Vec<String> = t.hashtags.iter().map(|&h| hashtag_name(h)).collect();
        let url = t.url.map(url_of);
        self.words(t.text_seed, &hashtags, url.as_deref());
        if let Some((_, author)) = t.retweet_of {
            let body: String = self.text.chars().take(110).collect();
            self.text = format!("RT @{}: {body}", self.names[author as usize]);
        }
        let (is_rt, rt_user, rt_tweet) = match t.retweet_of {
            Some((id, author)) => (true, self.ids[author as usize].clone(), id.to_string()),
            None => (false, String::new(), String::new()),
        };
        let yes_no = |b: bool| match (b, self.dialect_2018) {
            (true, true) => "true",
            (false, true) => "false",
            (true, false) => "True",
            (false, false) => "False",
        };
        let zero = if self.dialect_2018 { "0" } else { "0.0" };
        let nowhere = if self.dialect_2018 { "" } else { "absent" };
        let mentions: Vec<String> = t
            .mention
            .iter()
            .map(|&m| self.ids[m as usize].clone())
            .collect();
        let urls: Vec<String> = url.into_iter().collect();
        let record: [&str; 31] = [
            &t.id.to_string(),
            &self.ids[t.account as usize],
            &self.names[t.account as usize],
            &self.names[t.account as usize],
            "",
            "",
            "",
            &a.followers.to_string(),
            &a.following.to_string(),
            &format_minute(a.created_ms)[..10],
            a.lang,
            a.lang,
            &self.text,
            &format_minute(t.time_ms),
            client_app(t.account, a),
            "",
            "",
            "",
            yes_no(is_rt),
            &rt_user,
            &rt_tweet,
            nowhere,
            nowhere,
            zero,
            zero,
            zero,
            zero,
            &self.list(&hashtags),
            &self.list(&urls),
            &self.list(&mentions),
            "",
        ];
        self.out.write_record(record).map_err(|e| self.err(e))
    }

    /// Close the last part; parts the period left empty are written with their header.
    pub fn finish(mut self) -> Result<()> {
        while self.part + 1 < self.parts {
            self.next_part()?;
        }
        Self::close(self.out, &self.path)
    }
}

/// A small CSV file written whole (truth, traps).
pub fn write_csv(
    path: &Path,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<()> {
    crate::report::safe::write_file(path, |out| {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(header)?;
        for r in rows {
            w.write_record(&r)?;
        }
        w.flush()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtag_names_are_unique() {
        let names: std::collections::HashSet<String> = (0..100_000).map(hashtag_name).collect();
        assert_eq!(names.len(), 100_000);
    }
}
