//! API v2 as twarc2 writes it: response pages with `data` and `includes`, stream lines with
//! one `data` object, or flattened one-tweet-per-line objects.

use super::*;
use crate::dataset::TweetKind;

#[derive(Deserialize, Debug, Default)]
struct V2Object<'a> {
    #[serde(borrow)]
    data: Option<Field<OneOrMany<V2Object<'a>>>>,
    #[serde(borrow)]
    includes: Option<Obj<V2Includes<'a>>>,
    /// twarc2 writes an API error it met as a line of its own.
    #[serde(borrow)]
    errors: Option<List<V2Error<'a>>>,
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
    #[serde(borrow)]
    referenced_tweets: Option<List<V2Ref<'a>>>,
    #[serde(borrow)]
    in_reply_to_user_id: Option<Str<'a>>,
    #[serde(borrow)]
    entities: Option<Obj<V2Entities<'a>>>,
    #[serde(borrow)]
    note_tweet: Option<Obj<V2Note<'a>>>,
    /// twarc2's flattened lines carry the author inline.
    #[serde(borrow)]
    author: Option<Obj<V2User<'a>>>,
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
    author: Option<Obj<V2User<'a>>>,
    /// twarc2's flattened lines carry the referenced tweet whole.
    #[serde(borrow)]
    entities: Option<Obj<V2Entities<'a>>>,
    #[serde(borrow)]
    note_tweet: Option<Obj<V2Note<'a>>>,
}

/// A post longer than 280 characters: its `text` and `entities` are cut, and whole here.
#[derive(Deserialize, Debug)]
struct V2Note<'a> {
    #[serde(borrow)]
    text: Option<Str<'a>>,
    #[serde(borrow)]
    entities: Option<Obj<V2Entities<'a>>>,
}

#[derive(Deserialize, Debug, Default)]
struct V2Entities<'a> {
    #[serde(borrow)]
    hashtags: Option<List<Tag<'a>>>,
    #[serde(borrow)]
    urls: Option<List<Link<'a>>>,
    #[serde(borrow)]
    mentions: Option<List<Mention<'a>>>,
}

#[derive(Deserialize, Debug, Default)]
struct V2Includes<'a> {
    #[serde(borrow)]
    users: Option<List<V2User<'a>>>,
    #[serde(borrow)]
    tweets: Option<List<V2Included<'a>>>,
}

#[derive(Deserialize, Debug)]
struct V2Included<'a> {
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    author_id: Option<Str<'a>>,
    #[serde(borrow)]
    entities: Option<Obj<V2Entities<'a>>>,
    #[serde(borrow)]
    note_tweet: Option<Obj<V2Note<'a>>>,
}

/// A tweet's entities: whole in `note_tweet` where its text was cut. `at` is where the
/// tweet sits in the line (`""` or `"includes.tweets."`), for messages.
fn whole_entities<'x, 'a>(
    (entities, note): (&'x Option<Obj<V2Entities<'a>>>, &'x Option<Obj<V2Note<'a>>>),
    at: [&'static str; 3],
    line: u64,
    b: &mut RecordBatch,
) -> Option<&'x V2Entities<'a>> {
    let note = soft_obj(note, at[0], line, b);
    match note.and_then(|n| soft_obj(&n.entities, at[1], line, b)) {
        Some(e) => Some(e),
        None => soft_obj(entities, at[2], line, b),
    }
}

fn v2_entities<'x, 'a>(e: &'x V2Entities<'a>) -> Entities<'x, 'a> {
    Entities {
        hashtags: &e.hashtags,
        urls: &e.urls,
        mentions: &e.mentions,
    }
}

#[derive(Deserialize, Debug, Default)]
struct V2User<'a> {
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    username: Option<Str<'a>>,
    #[serde(borrow)]
    created_at: Option<Str<'a>>,
    public_metrics: Option<Obj<V2Metrics>>,
}

#[derive(Deserialize, Debug, Default)]
struct V2Metrics {
    followers_count: Option<Count>,
    following_count: Option<Count>,
}

#[derive(Deserialize, Debug)]
struct V2Error<'a> {
    #[serde(borrow)]
    title: Option<Str<'a>>,
    #[serde(borrow)]
    detail: Option<Str<'a>>,
}

impl<'l> Record<'l> for V2Object<'l> {
    fn from_value(v: serde_json::Value) -> serde_json::Result<V2Object<'l>> {
        V2Object::deserialize(v)
    }
}

pub fn parse_v2(chunk: &RawChunk, b: &mut RecordBatch) {
    for_each_line(chunk, b, |line, line_no, b| match parse::<V2Object>(line) {
        Ok(obj) => v2_line(obj, line_no, b),
        Err(e) => invalid_json(b, line_no, e),
    });
}

/// One line: each tweet of its `data` is a record, read or rejected on its own; a line
/// without tweets is one rejected record.
fn v2_line(obj: V2Object, line: u64, b: &mut RecordBatch) {
    let includes = soft_obj(&obj.includes, "includes", line, b);
    let mut included: Included = HashMap::new();
    let mut names: HashMap<&str, &str> = HashMap::new();
    if let Some(inc) = includes {
        for t in soft_list(&inc.tweets, "includes.tweets", line, b) {
            let id = soft(&t.id, "includes.tweets.id", line, b);
            let author = soft(&t.author_id, "includes.tweets.author_id", line, b);
            let at = [
                "includes.tweets.note_tweet",
                "includes.tweets.note_tweet.entities",
                "includes.tweets.entities",
            ];
            let entities = whole_entities((&t.entities, &t.note_tweet), at, line, b);
            included.insert(id, (author, entities));
        }
        for u in soft_list(&inc.users, "includes.users", line, b) {
            if let Some((id, name)) = v2_profile(u, line, b) {
                names.insert(id, name);
            }
        }
    }
    let read = |t: Result<&V2Object, &Wrong>, b: &mut RecordBatch| {
        b.read_record(line, |b| match t {
            Ok(t) => v2_tweet(t, line, &included, &names, b),
            Err(w) => Err(wrong_type("data", "a tweet object", w)),
        });
    };
    match &obj.data {
        Some(Field::Ok(OneOrMany(tweets))) => {
            for t in tweets {
                match t {
                    Field::Ok(t) => read(Ok(t), b),
                    Field::Wrong(w) => read(Err(w), b),
                }
            }
        }
        Some(Field::Wrong(w)) => {
            b.rows_read += 1;
            let e = wrong_type("data", "a tweet object or a list of them", w);
            b.reject(line, e);
        }
        // A flattened line is the tweet itself; one that lost its id is still a tweet (its
        // author, time or text say so), refused as one without an id.
        None if obj.id.is_some()
            || obj.author_id.is_some()
            || obj.created_at.is_some()
            || obj.text.is_some() =>
        {
            read(Ok(&obj), b)
        }
        None => {
            b.rows_read += 1;
            b.reject(line, no_tweet(&obj));
        }
    }
}

/// Why a line without `data` holds no tweet: twarc2's record of an API error says what the
/// error was.
fn no_tweet(obj: &V2Object) -> RowError {
    let error = obj
        .errors
        .as_ref()
        .and_then(Field::ok)
        .and_then(|errors| errors.iter().find_map(Field::ok));
    match error {
        Some(e) => {
            let said = text_of(&e.detail)
                .or(text_of(&e.title))
                .unwrap_or("an error");
            RowError::new(
                crate::ingest::stats::API_ERROR,
                "errors",
                "a `data` field with tweets",
                said,
            )
        }
        None => RowError::new(
            "no tweet in line",
            "data",
            "a `data` field with tweets",
            "a line without one",
        ),
    }
}

/// Record an account's profile; its id and name, if it has an id.
fn v2_profile<'x>(u: &'x V2User, line: u64, b: &mut RecordBatch) -> Option<(&'x str, &'x str)> {
    let id = soft(&u.id, "users.id", line, b);
    if id.is_empty() {
        return None;
    }
    let name = soft(&u.username, "users.username", line, b);
    let created = soft(&u.created_at, "users.created_at", line, b);
    let created_ms = parse_datetime(created).map(|t| t.0);
    if created_ms.is_none() && !created.is_empty() {
        b.warn(
            line,
            RowError::new("bad date", "created_at", "an ISO date-time", created),
        );
    }
    let metrics = soft_obj(&u.public_metrics, "users.public_metrics", line, b);
    let (followers, following) = match metrics {
        Some(m) => (
            soft_count(
                &m.followers_count,
                "public_metrics.followers_count",
                line,
                b,
            ),
            soft_count(
                &m.following_count,
                "public_metrics.following_count",
                line,
                b,
            ),
        ),
        None => (None, None),
    };
    let profile = RawAccount {
        key: b.push_str(id),
        screen_name: b.push_str(name),
        created_ms,
        followers,
        following,
    };
    b.add_account(profile);
    Some((id, name))
}

/// The tweets in `includes`, by id: their authors, and their entities.
type Included<'a> = HashMap<&'a str, (&'a str, Option<&'a V2Entities<'a>>)>;

fn v2_tweet(
    t: &V2Object,
    line: u64,
    included: &Included,
    names: &HashMap<&str, &str>,
    b: &mut RecordBatch,
) -> Result<(), RowError> {
    let id = required_id(&[(&t.id, "id")])?;
    let author = hard_obj(&t.author, "author")?;
    let no_id = None;
    let author_id = either(
        (&t.author_id, "author_id"),
        (author.map_or(&no_id, |a| &a.id), "author.id"),
    )?;
    if author_id.is_empty() {
        return Err(RowError::new(
            "missing account",
            "author_id",
            "an author id",
            "",
        ));
    }
    let created_at = hard(&t.created_at, "created_at", CREATED_AT)?;
    let refs = hard_list(&t.referenced_tweets, "referenced_tweets")?;
    if let Some(a) = author {
        v2_profile(a, line, b);
    }
    let tweet = b.push_id(id);
    let (time_ms, resolution) = tweet_time(tweet, created_at, ("created_at", CREATED_AT), line, b)?;

    let mut kind = TweetKind::Original;
    let mut target = RawRef::default();
    let mut quote = None;
    let mut retweeted = None;
    for r in refs {
        let rid = required_id(&[(&r.id, "referenced_tweets.id")])?;
        const KINDS: &str = "retweeted, replied_to or quoted";
        let ref_kind = match hard(&r.kind, "referenced_tweets.type", KINDS)? {
            k @ ("retweeted" | "replied_to" | "quoted") => k,
            k => {
                let e = RowError::new("bad reference type", "referenced_tweets.type", KINDS, k);
                return Err(e);
            }
        };
        let ref_author = soft_obj(&r.author, "referenced_tweets.author", line, b);
        let account = either(
            (&r.author_id, "referenced_tweets.author_id"),
            (
                ref_author.map_or(&no_id, |a| &a.id),
                "referenced_tweets.author.id",
            ),
        )
        .unwrap_or_else(|e| {
            b.warn(line, e);
            ""
        });
        let account = match account {
            "" => included.get(rid).map_or("", |i| i.0),
            a => a,
        };
        let account = if account.is_empty() && ref_kind == "replied_to" {
            soft(&t.in_reply_to_user_id, "in_reply_to_user_id", line, b)
        } else {
            account
        };
        let reference = RawRef {
            tweet: b.push_id(rid),
            account: b.push_str(account),
            screen_name: b.push_str(names.get(account).copied().unwrap_or("")),
        };
        match ref_kind {
            "retweeted" => {
                (kind, target) = (TweetKind::Retweet, reference);
                let at = [
                    "referenced_tweets.note_tweet",
                    "referenced_tweets.note_tweet.entities",
                    "referenced_tweets.entities",
                ];
                retweeted = whole_entities((&r.entities, &r.note_tweet), at, line, b)
                    .or_else(|| included.get(rid).and_then(|i| i.1));
            }
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
    let at = ["note_tweet", "note_tweet.entities", "entities"];
    let own = whole_entities((&t.entities, &t.note_tweet), at, line, b);
    retweet_entities(
        own.map(v2_entities),
        retweeted.map(v2_entities),
        names,
        line,
        b,
    );
    let items = b.items_from(items_start);
    let account = b.push_str(author_id);
    let note = t.note_tweet.as_ref().and_then(Field::ok);
    let text = match note.map(|n| soft(&n.text, "note_tweet.text", line, b)) {
        Some(whole) if !whole.is_empty() => whole,
        _ => soft(&t.text, "text", line, b),
    };
    let text = b.push_str(text);
    let lang = soft(&t.lang, "lang", line, b);
    let lang = b.push_str(lang);
    let client = soft(&t.source, "source", line, b);
    let client = b.push_str(client);
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
