//! API v2 tweets flattened into CSV as `twarc2 csv` (DocNow's twarc-csv) writes them: a tweet
//! a row, nested fields as dotted column names (`referenced_tweets.retweeted.id`,
//! `author.username`), entity lists as JSON (`["#a", "#b"]`), newlines in text written `\n`.
//! A retweet's row carries the retweeted tweet's text and entities (twarc-csv merges them in);
//! only co-retweet reads a retweet, through its `referenced_tweets.retweeted.id`.

use super::csv_rows::{column, id, required, soft_count, soft_date, Header, Row, RowResult};
use super::text::{hashtag_key, hashtags, normalize_url};
use super::time::tweet_time;
use crate::dataset::batch::*;
use crate::dataset::{ItemKind, TweetKind};
use std::borrow::Cow;
use std::ops::Range;

const CREATED_AT: &str = "a time like 2021-09-22T16:37:29.000Z";

#[derive(Debug)]
pub struct Columns {
    pub header: Header,
    id: usize,
    author_id: usize,
    created_at: usize,
    retweeted: Reference,
    replied_to: Reference,
    quoted: Reference,
    text: Option<usize>,
    lang: Option<usize>,
    source: Option<usize>,
    hashtags: Option<usize>,
    mentions: Option<usize>,
    urls: Option<usize>,
    username: Option<usize>,
    author_created_at: Option<usize>,
    followers: Option<usize>,
    following: Option<usize>,
}

/// Where a row names a tweet it points at, and that tweet's author.
#[derive(Debug)]
struct Reference {
    tweet: Option<usize>,
    tweet_column: &'static str,
    user_id: Option<usize>,
    user_id_column: &'static str,
    username: Option<usize>,
}

impl Reference {
    fn new(
        h: &[String],
        tweet_column: &'static str,
        user_id_column: &'static str,
        username: &str,
    ) -> Result<Reference, String> {
        Ok(Reference {
            tweet: column(h, tweet_column)?,
            tweet_column,
            user_id: column(h, user_id_column)?,
            user_id_column,
            username: column(h, username)?,
        })
    }

    /// The tweet pointed at, if the row names one.
    fn read(&self, r: &Row, b: &mut RecordBatch) -> RowResult<Option<RawRef>> {
        let tweet = r.get(self.tweet);
        let user = r.get(self.user_id);
        id(&user, self.user_id_column)?;
        if tweet.is_empty() {
            return Ok(None);
        }
        tweet_id(&tweet, self.tweet_column)?;
        Ok(Some(RawRef {
            tweet: b.push_id(&tweet),
            account: b.push_str(&user),
            screen_name: b.push_str(&r.get(self.username)),
        }))
    }
}

/// twarc2's flattened references: a CSV of API v2 tweets without one of them (a pandas or
/// tweepy dump keeps `referenced_tweets` whole; `--output-columns` may leave one out) would
/// have every retweet, reply or quote read as an original.
const REFERENCE_COLUMNS: [&str; 3] = [
    "referenced_tweets.retweeted.id",
    "referenced_tweets.replied_to.id",
    "referenced_tweets.quoted.id",
];

/// The column of a tweet's hashtags; a file without it has them taken from the text.
pub(super) const HASHTAGS: &str = "entities.hashtags";

impl Columns {
    /// Whether the header is twarc2's: a tweet's `id`, `author_id` (or `author.id`) and
    /// `created_at`, and its references flattened as twarc2 writes them.
    pub fn is_twarc_csv(header: &[String]) -> bool {
        Columns::is_v2_tweets(header)
            && REFERENCE_COLUMNS
                .iter()
                .any(|n| header.iter().any(|h| h == n))
    }

    /// Whether the header is of API v2 tweets flattened by some tool: a tweet's `id`,
    /// `author_id` (or `author.id`) and `created_at`.
    pub fn is_v2_tweets(header: &[String]) -> bool {
        let has = |n: &str| header.iter().any(|h| h == n);
        has("id") && (has("author_id") || has("author.id")) && has("created_at")
    }

    pub fn new(h: &[String]) -> Result<Columns, String> {
        let lacks: Vec<&str> = (REFERENCE_COLUMNS.iter().copied())
            .filter(|n| !h.iter().any(|c| c == *n))
            .collect();
        if !lacks.is_empty() {
            let what: Vec<&str> = (lacks.iter())
                .map(|n| match *n {
                    "referenced_tweets.retweeted.id" => "retweets",
                    "referenced_tweets.replied_to.id" => "replies",
                    _ => "quotes",
                })
                .collect();
            return Err(format!(
                "has no {} column: its {} would be read as original posts. Write it with \
                 `twarc2 csv` and its default columns, or read it as an action CSV",
                lacks.join(", "),
                what.join(" and ")
            ));
        }
        Ok(Columns {
            header: Header::new(h),
            id: required(h, "id")?,
            author_id: required(h, "author_id").or_else(|_| required(h, "author.id"))?,
            created_at: required(h, "created_at")?,
            retweeted: Reference::new(
                h,
                "referenced_tweets.retweeted.id",
                "retweeted_user_id",
                "retweeted_username",
            )?,
            replied_to: Reference::new(
                h,
                "referenced_tweets.replied_to.id",
                "in_reply_to_user_id",
                "in_reply_to_username",
            )?,
            quoted: Reference::new(
                h,
                "referenced_tweets.quoted.id",
                "quoted_user_id",
                "quoted_username",
            )?,
            text: column(h, "text")?,
            lang: column(h, "lang")?,
            source: column(h, "source")?,
            hashtags: column(h, HASHTAGS)?,
            mentions: column(h, "entities.mentions")?,
            urls: column(h, "entities.urls")?,
            username: column(h, "author.username")?,
            author_created_at: column(h, "author.created_at")?,
            followers: column(h, "author.public_metrics.followers_count")?,
            following: column(h, "author.public_metrics.following_count")?,
        })
    }

    pub fn row(&self, r: &Row, b: &mut RecordBatch) -> RowResult<()> {
        let id_text = r.get(Some(self.id));
        if id_text.is_empty() {
            return Err(RowError::new("missing tweet id", "id", "a tweet id", ""));
        }
        let tweet = b.push_id(tweet_id(&id_text, "id")?);
        let user = r.get(Some(self.author_id));
        id(&user, "author_id")?;
        if user.is_empty() {
            let e = RowError::new("missing account", "author_id", "an author id", "");
            return Err(e);
        }
        let written = r.get(Some(self.created_at));
        let (time_ms, resolution) =
            tweet_time(tweet, &written, ("created_at", CREATED_AT), r.line, b)?;
        let retweeted = self.retweeted.read(r, b)?;
        let replied_to = self.replied_to.read(r, b)?;
        let quoted = self.quoted.read(r, b)?;
        // As the JSON reader takes a tweet's references: a retweet is a retweet whatever else
        // it names; a reply keeps the tweet it quotes.
        let (kind, target, quote) = match (retweeted, replied_to, quoted) {
            (Some(t), _, _) => (TweetKind::Retweet, t, None),
            (None, Some(t), quote) => (TweetKind::Reply, t, quote),
            (None, None, Some(t)) => (TweetKind::Quote, t, None),
            (None, None, None) => (TweetKind::Original, RawRef::default(), None),
        };
        let items = self.items(r, b)?;
        let account = b.push_str(&user);
        let text = r.get(self.text);
        let text = b.push_str(&unescape_newlines(&text));
        let lang = b.push_str(&r.get(self.lang));
        let client = b.push_str(&r.get(self.source));
        b.tweets.push(RawTweet {
            line: r.line,
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
        self.profile(r, account, b);
        Ok(())
    }

    /// Hashtags (`#tag`), mentions (`@name`) and expanded URLs from the entity columns.
    fn items(&self, r: &Row, b: &mut RecordBatch) -> RowResult<Range<u32>> {
        let items_start = b.items.len();
        match self.hashtags {
            Some(_) => json_list(&r.get(self.hashtags), HASHTAGS, &["tag"], |h| {
                let h = hashtag_key(h);
                b.push_item(ItemKind::Hashtag, &h)
            })?,
            // A file without the column: its hashtags are in its text.
            None => hashtags(&unescape_newlines(&r.get(self.text)), |h| {
                b.push_item(ItemKind::Hashtag, h)
            }),
        }
        json_list(
            &r.get(self.mentions),
            "entities.mentions",
            &["username"],
            |m| b.push_item(ItemKind::MentionName, m.trim_start_matches('@')),
        )?;
        let urls = ["unwound_url", "expanded_url", "url"];
        json_list(&r.get(self.urls), "entities.urls", &urls, |u| {
            b.push_item(ItemKind::Url, &normalize_url(u))
        })?;
        Ok(b.items_from(items_start))
    }

    /// The author's profile as the row tells it (every row's fields read, as in the archive's
    /// layout, so chunk boundaries change nothing).
    fn profile(&self, r: &Row, account: Span, b: &mut RecordBatch) {
        let created = r.get(self.author_created_at);
        let created_ms = soft_date(&created, "author.created_at", CREATED_AT, r.line, b);
        let profile = RawAccount {
            key: account,
            screen_name: Span::EMPTY,
            created_ms,
            followers: soft_count(
                &r.get(self.followers),
                "author.public_metrics.followers_count",
                r.line,
                b,
            ),
            following: soft_count(
                &r.get(self.following),
                "author.public_metrics.following_count",
                r.line,
                b,
            ),
        };
        b.add_row_account(profile, |b| b.push_str(&r.get(self.username)));
    }
}

/// A tweet id as the API gives it: digits, below 2^63.
fn tweet_id<'s>(s: &'s str, column: &'static str) -> RowResult<&'s str> {
    let s = id(s, column)?;
    match parse_decimal_id(s) {
        Some(_) => Ok(s),
        None => Err(RowError::new(
            "bad tweet id",
            column,
            "a tweet id: digits, below 2^63",
            s,
        )),
    }
}

/// A list as twarc-csv writes it: JSON (`["#a", "#b"]`, non-ASCII as `\u` escapes), or empty.
/// With `--no-process-entities` it writes the API's objects instead (`[{"start": 0, "end": 6,
/// "tag": "Vote"}]`): each gives the first of `keys` it has.
fn json_list(
    s: &str,
    column: &'static str,
    keys: &[&str],
    mut f: impl FnMut(&str),
) -> RowResult<()> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Entry<'a> {
        #[serde(borrow)]
        Text(Cow<'a, str>),
        Entity(serde_json::Map<String, serde_json::Value>),
    }
    if s.is_empty() {
        return Ok(());
    }
    let expected = r##"a JSON list like ["#a", "#b"], or of the API's entity objects"##;
    let items: Vec<Entry> =
        serde_json::from_str(s).map_err(|_| RowError::new("bad list", column, expected, s))?;
    for item in &items {
        let text: &str = match item {
            Entry::Text(t) => t,
            Entry::Entity(o) => {
                let given = keys
                    .iter()
                    .find_map(|k| o.get(*k)?.as_str().filter(|v| !v.is_empty()));
                match given {
                    Some(v) => v,
                    None => continue,
                }
            }
        };
        if !text.is_empty() {
            f(text);
        }
    }
    Ok(())
}

/// twarc-csv writes a text's line breaks as `\n` (and drops `\r`); the text is read with them
/// back, as the API gave it.
fn unescape_newlines(text: &str) -> Cow<'_, str> {
    if text.contains("\\n") {
        Cow::Owned(text.replace("\\n", "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_json_with_escapes() {
        let mut seen = Vec::new();
        json_list(
            r##"["#caf\u00e9", "#Brexit"]"##,
            "entities.hashtags",
            &[],
            |h| seen.push(h.to_string()),
        )
        .unwrap();
        assert_eq!(seen, ["#café", "#Brexit"]);
        assert!(json_list("['#a']", "entities.hashtags", &[], |_| {}).is_err());
        assert!(json_list("", "entities.hashtags", &[], |_| panic!()).is_ok());
    }

    /// `twarc2 csv --no-process-entities` writes the API's entity objects.
    #[test]
    fn lists_of_the_apis_entity_objects_give_their_tags_names_and_links() {
        let mut seen = Vec::new();
        let tags = r#"[{"start": 68, "end": 80, "tag": "PeoplesVote"}, {"start": 1, "end": 2}]"#;
        json_list(tags, HASHTAGS, &["tag"], |h| seen.push(h.to_string())).unwrap();
        let urls = r#"[{"url": "https://t.co/x", "expanded_url": "https://example.org/a"},
                       {"url": "https://t.co/y", "expanded_url": ""}]"#;
        let keys = ["unwound_url", "expanded_url", "url"];
        json_list(urls, "entities.urls", &keys, |u| seen.push(u.to_string())).unwrap();
        assert_eq!(
            seen,
            ["PeoplesVote", "https://example.org/a", "https://t.co/y"]
        );
        assert!(json_list("[1, 2]", HASHTAGS, &["tag"], |_| {}).is_err());
    }

    #[test]
    fn line_breaks_come_back() {
        assert_eq!(unescape_newlines(r"a\n\nb"), "a\n\nb");
        assert!(matches!(unescape_newlines("plain"), Cow::Borrowed(_)));
    }
}
