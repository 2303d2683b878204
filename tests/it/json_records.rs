//! Twitter API JSON: a field of the wrong type costs that field, or the one tweet that cannot
//! do without it, never the other tweets of a v2 page; stream notices and twarc2's error
//! lines before the first tweet do not hide a file's format.

use super::*;
use coordnet::dataset::TweetKind;
use coordnet::Format;
use serde_json::{json, Value};

fn brexit_page() -> Value {
    let text = std::fs::read_to_string(shared("fixtures/twitter-v2/brexit.jsonl")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn v1_lines() -> Vec<Value> {
    let text = std::fs::read_to_string(shared("fixtures/twitter-v1/original_format_examples.json"))
        .unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `lines` written one per line to a file named `name`, read.
fn read_lines(name: &str, lines: &[String]) -> (Dataset, IngestStats) {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), name, &(lines.join("\n") + "\n"));
    let (d, r) = read(&[p]);
    assert_balanced(&r);
    (d, r)
}

fn count(
    map: &std::collections::BTreeMap<String, coordnet::ingest::ReasonStats>,
    reason: &str,
) -> u64 {
    map.get(reason).map_or(0, |r| r.count)
}

fn examples(
    map: &std::collections::BTreeMap<String, coordnet::ingest::ReasonStats>,
    reason: &str,
) -> String {
    map.get(reason)
        .map_or(String::new(), |r| r.examples.join("\n"))
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn a_list_for_lang_costs_that_field_not_the_page() {
    let kpop = std::fs::read_to_string(shared("fixtures/twitter-v2/kpop.jsonl")).unwrap();
    let mut page = brexit_page();
    page["data"][57]["lang"] = json!(["en"]);
    let id: u64 = page["data"][57]["id"].as_str().unwrap().parse().unwrap();
    let (d, r) = read_lines("pages.jsonl", &[kpop.trim().to_string(), page.to_string()]);
    assert_eq!(
        (r.rows_read, r.rows_accepted, r.rows_rejected),
        (200, 200, 0),
        "{}",
        r.summary()
    );
    assert_eq!(count(&r.warnings, "wrong type"), 1, "{}", r.summary());
    let e = examples(&r.warnings, "wrong type");
    assert!(
        e.contains("pages.jsonl:2, column 'lang': found '[...]' (expected a string)"),
        "{e}"
    );
    assert_eq!(d.lang[row_of(&d, id)], 0, "the language is unknown");
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn a_negative_follower_count_costs_that_count_not_the_page() {
    let mut page = brexit_page();
    let user = &mut page["includes"]["users"][3];
    user["public_metrics"]["followers_count"] = json!(-1);
    let user_id = user["id"].as_str().unwrap().to_string();
    let following = user["public_metrics"]["following_count"].as_u64().unwrap();
    let (d, r) = read_lines("page.jsonl", &[page.to_string()]);
    assert_eq!(
        (r.rows_read, r.rows_accepted),
        (100, 100),
        "{}",
        r.summary()
    );
    assert_eq!(count(&r.warnings, "bad count"), 1, "{}", r.summary());
    let e = examples(&r.warnings, "bad count");
    assert!(
        e.contains("page.jsonl:1, column 'public_metrics.followers_count': found '-1'"),
        "{e}"
    );
    let a = d.accounts.lookup(&user_id).unwrap() as usize;
    assert_eq!(d.accounts.followers[a], u32::MAX, "unknown");
    assert_eq!(
        d.accounts.following[a] as u64, following,
        "the rest of the profile is kept"
    );
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn a_tweet_of_the_wrong_shape_costs_only_that_tweet() {
    let mut page = brexit_page();
    let data = &mut page["data"];
    data[5] = json!(42);
    data[6]["referenced_tweets"] = json!({"type": "retweeted"});
    data[7]["id"] = json!(["1"]);
    data[8]["author_id"] = json!(4.5);
    data[9]["created_at"] = json!({});
    let (_, r) = read_lines("page.jsonl", &[page.to_string()]);
    assert_eq!(
        (r.rows_read, r.rows_accepted, r.rows_rejected),
        (100, 95, 5),
        "{}",
        r.summary()
    );
    assert_eq!(count(&r.rejected, "wrong type"), 5, "{}", r.summary());
    let e = examples(&r.rejected, "wrong type");
    for (field, found, expected) in [
        ("data", "42", "a tweet object"),
        ("referenced_tweets", "{...}", "a list of objects"),
        ("id", "[...]", "an id"),
        ("author_id", "4.5", "an id"),
        ("created_at", "{...}", "a date-time"),
    ] {
        let want = format!("page.jsonl:1, column '{field}': found '{found}' (expected {expected}");
        assert!(e.contains(&want), "{want} not in\n{e}");
    }
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn a_bad_profile_count_or_a_float_id_beside_id_str_costs_the_v1_tweet_nothing() {
    let mut lines = v1_lines();
    let n = lines.len() as u64;
    lines[1]["user"]["followers_count"] = json!(-1);
    lines[2]["user"]["followers_count"] = json!("12");
    let float_id = lines[3]["id_str"].as_str().unwrap().parse::<u64>().unwrap();
    lines[3]["id"] = json!(float_id as f64);
    let lines: Vec<String> = lines.iter().map(Value::to_string).collect();
    let (d, r) = read_lines("v1.jsonl", &lines);
    assert_eq!((r.rows_read, r.rows_accepted), (n, n), "{}", r.summary());
    assert_eq!(count(&r.warnings, "bad count"), 2, "{}", r.summary());
    let e = examples(&r.warnings, "bad count");
    assert!(
        e.contains("v1.jsonl:2, column 'user.followers_count': found '-1'"),
        "{e}"
    );
    assert!(
        e.contains("v1.jsonl:3, column 'user.followers_count': found '\"12\"'"),
        "{e}"
    );
    // The id comes from `id_str`, exact, not from the float.
    row_of(&d, float_id);
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn a_v1_stream_starting_with_a_limit_notice_is_recognised() {
    let mut lines = vec![r#"{"limit":{"track":5,"timestamp_ms":"1500000000000"}}"#.to_string()];
    lines.extend(v1_lines().iter().map(Value::to_string));
    let (_, r) = read_lines("stream.jsonl", &lines);
    assert_eq!(r.files[0].format, Some(Format::TwitterV1));
    assert_eq!((r.rows_read, r.rows_accepted), (26, 25), "{}", r.summary());
    assert_eq!(count(&r.rejected, "stream notice, not a tweet"), 1);
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn twarcs_error_line_first_does_not_hide_a_v2_file() {
    let error = json!({"errors": [{"title": "Operational Disconnect", "detail": "This stream \
        has been disconnected", "type": "https://api.twitter.com/2/problems/operational-disconnect"}],
        "__twarc": {"version": "2.0.0"}});
    let (_, r) = read_lines("v2.jsonl", &[error.to_string(), brexit_page().to_string()]);
    assert_eq!(r.files[0].format, Some(Format::TwitterV2));
    assert_eq!(
        (r.rows_read, r.rows_accepted),
        (101, 100),
        "{}",
        r.summary()
    );
    let e = examples(&r.rejected, "API error, not a tweet");
    assert!(
        e.contains("v2.jsonl:1, column 'errors': found 'This stream has been disconnected'"),
        "{e}"
    );
}

const V1_TIME: &str = "Tue Jul 18 23:25:04 +0000 2017";

#[test]
fn a_file_of_notices_alone_is_read_as_their_api() {
    let (_, r) = read_lines(
        "notices.jsonl",
        &[
            r#"{"delete":{"status":{"id_str":"1"}}}"#.into(),
            r#"{"limit":{"track":1}}"#.into(),
        ],
    );
    assert_eq!(r.files[0].format, Some(Format::TwitterV1));
    assert_eq!((r.rows_read, r.rows_rejected), (2, 2));
    let (_, r) = read_lines(
        "empty_page.jsonl",
        &[r#"{"meta":{"result_count":0}}"#.into()],
    );
    assert_eq!(r.files[0].format, Some(Format::TwitterV2));
    assert_eq!((r.rows_read, r.rows_rejected), (1, 1));
}

#[test]
fn a_v1_id_of_the_wrong_type_or_beyond_64_bits_rejects_the_tweet_naming_the_field() {
    let tweet = |ids: &str| {
        format!(r#"{{{ids},"text":"x","created_at":"{V1_TIME}","user":{{"id_str":"1"}}}}"#)
    };
    let (d, r) = read_lines(
        "ids.jsonl",
        &[
            tweet(r#""id":887484712440483840"#),
            tweet(r#""id":8.872836379595620e17"#),
            tweet(
                r#""id":123456789012345678901234567890,"id_str":"123456789012345678901234567890""#,
            ),
            tweet(r#""id_str":["887484712440483841"]"#),
            "{not json".into(),
        ],
    );
    assert_eq!((r.rows_read, r.rows_accepted), (5, 1), "{}", r.summary());
    row_of(&d, 887484712440483840);
    let wrong = examples(&r.rejected, "wrong type");
    assert!(
        wrong.contains("ids.jsonl:2, column 'id': found '8.87283637959562e17'"),
        "{wrong}"
    );
    assert!(
        wrong.contains("ids.jsonl:4, column 'id_str': found '[...]'"),
        "{wrong}"
    );
    let big = examples(&r.rejected, "bad tweet id");
    assert!(
        big.contains("ids.jsonl:3, column 'id_str': found '123456789012345678901234567890'"),
        "{big}"
    );
    // Invalid JSON is kept for lines that are not JSON.
    assert_eq!(count(&r.rejected, "invalid JSON"), 1, "{}", r.summary());
    assert!(examples(&r.rejected, "invalid JSON").contains("ids.jsonl:5"));
}

#[test]
fn a_rejected_tweet_leaves_no_warning_about_its_fields() {
    let line = format!(
        r#"{{"id":1.5,"created_at":"{V1_TIME}","user":{{"id_str":"1","followers_count":-3}}}}"#
    );
    let (_, r) = read_lines("one.jsonl", &[line]);
    assert_eq!(r.rows_rejected, 1);
    assert!(r.warnings.is_empty(), "{}", r.summary());
}

#[test]
fn a_repeated_key_keeps_the_page() {
    let tweet = |id: u64, extra: &str| {
        format!(
            r#"{{"id":"{id}","author_id":"7","created_at":"2021-09-22T16:37:20.000Z","text":"hi"{extra}}}"#
        )
    };
    let page = format!(
        r#"{{"data":[{},{}],"includes":{{"users":[{{"id":"7","username":"seven"}}]}}}}"#,
        tweet(1440716856763977732, ""),
        tweet(1440716856763977733, r#","lang":"en","lang":"fr""#)
    );
    let (d, r) = read_lines("page.jsonl", &[page]);
    assert_eq!((r.rows_read, r.rows_accepted), (2, 2), "{}", r.summary());
    let row = row_of(&d, 1440716856763977733);
    assert_eq!(d.langs.get(d.lang[row] as u32), "fr", "the last copy wins");
    assert_eq!(d.accounts.screen_name(d.account[row]), Some("seven"));
}

#[test]
fn strict_stops_at_a_field_of_the_wrong_type_naming_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let line = r#"{"data":[{"id":"1440716856763977732","author_id":"7","created_at":"2021-09-22T16:37:20.000Z","lang":["en"]}]}"#;
    let p = write(dir.path(), "strict.jsonl", &format!("{line}\n"));
    let out = coordnet(&["stats", "--strict", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("strict.jsonl:1, column 'lang': wrong type"),
        "{err}"
    );
}

/// A flattened API v2 tweet that lost its id is refused as a tweet without one, not as a line
/// holding no tweet ("expected a `data` field with tweets" sent the user to the wrong fault).
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn a_flattened_v2_tweet_without_its_id_is_said_to_lack_it() {
    let page = brexit_page();
    let mut tweets: Vec<Value> = page["data"].as_array().unwrap()[..3].to_vec();
    tweets[1].as_object_mut().unwrap().remove("id");
    let lines: Vec<String> = tweets.iter().map(Value::to_string).collect();
    let (_, r) = read_lines("flat.jsonl", &lines);
    assert_eq!(
        (r.rows_accepted, r.rows_rejected),
        (2, 1),
        "{}",
        r.summary()
    );
    let e = examples(&r.rejected, "missing tweet id");
    assert!(e.contains("flat.jsonl:2, column 'id'"), "{}", r.summary());
}

/// A tweet that retweets, quotes or references another always carries its id: an embedded
/// tweet or a reference without one (or of a type no API writes) costs the tweet that holds
/// it, named, rather than being read as an original or a retweet of nothing.
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn a_referenced_tweet_without_its_id_costs_the_tweet_that_holds_it() {
    let mut page = brexit_page();
    let data = &mut page["data"];
    data[1]["referenced_tweets"][0]
        .as_object_mut()
        .unwrap()
        .remove("id");
    data[25]["referenced_tweets"][0]["type"] = json!("liked");
    let (_, r) = read_lines("page.jsonl", &[page.to_string()]);
    assert_eq!(
        (r.rows_accepted, r.rows_rejected),
        (98, 2),
        "{}",
        r.summary()
    );
    let e = examples(&r.rejected, "missing tweet id");
    assert!(
        e.contains("page.jsonl:1, column 'referenced_tweets.id'"),
        "{e}"
    );
    let e = examples(&r.rejected, "bad reference type");
    assert!(e.contains("found 'liked'"), "{e}");

    let mut lines = v1_lines();
    let n = lines.len() as u64;
    for (i, field) in [(2, "quoted_status"), (10, "retweeted_status")] {
        let carried = lines[i][field].as_object_mut().unwrap();
        carried.remove("id_str");
        carried.remove("id");
    }
    let lines: Vec<String> = lines.iter().map(Value::to_string).collect();
    let (_, r) = read_lines("v1.jsonl", &lines);
    assert_eq!(
        (r.rows_accepted, r.rows_rejected),
        (n - 2, 2),
        "{}",
        r.summary()
    );
    let e = examples(&r.rejected, "missing tweet id");
    for want in [
        "v1.jsonl:3, column 'quoted_status.id_str'",
        "v1.jsonl:11, column 'retweeted_status.id_str'",
    ] {
        assert!(e.contains(want), "{want} not in\n{e}");
    }

    let sn = |retweeted: &str| {
        format!(
            r#"{{"_type": "snscrape.modules.twitter.Tweet", "date": "2021-06-28T15:00:00+00:00", "rawContent": "RT @bob: hi", "id": 1409534906168246272, "user": {{"_type": "snscrape.modules.twitter.User", "username": "carol", "id": 777}}, "retweetedTweet": {retweeted}}}"#
        )
    };
    let bob = r#"{"_type": "snscrape.modules.twitter.User", "username": "bob", "id": 778}"#;
    let good = format!(r#"{{"id": 1409534906168246000, "user": {bob}}}"#);
    let cut = format!(r#"{{"user": {bob}}}"#);
    let (d, r) = read_lines("sn.jsonl", &[sn(&good), sn(&cut)]);
    assert_eq!(
        (r.rows_accepted, r.rows_rejected),
        (1, 1),
        "{}",
        r.summary()
    );
    assert_eq!(d.kind(0), TweetKind::Retweet);
    let e = examples(&r.rejected, "missing tweet id");
    assert!(e.contains("sn.jsonl:2, column 'retweetedTweet.id'"), "{e}");
}

/// A retweet's own entities are read from its text, `RT @name: ` and the retweeted text cut
/// to fit: its hashtags and links are those of the tweet it carries, whole (in v1.1's
/// `retweeted_status`, its `extended_tweet` where long), with its own mentions beyond them
/// (the account it retweets).
#[test]
fn a_v1_retweet_has_the_hashtags_and_links_of_the_tweet_it_carries() {
    let rt = json!({
        "id_str": "2", "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "text": "RT @alice: A long thread about the vote, with @bob and more words than fit in…",
        "user": {"id_str": "20", "screen_name": "carol"},
        "entities": {"hashtags": [], "urls": [],
            "user_mentions": [{"id_str": "10", "screen_name": "alice"},
                              {"id_str": "30", "screen_name": "bob"}]},
        "retweeted_status": {
            "id_str": "1", "created_at": "Wed Oct 10 20:00:00 +0000 2018", "truncated": true,
            "text": "A long thread about the vote, with @bob and more words than fit in a…",
            "user": {"id_str": "10", "screen_name": "alice"},
            "entities": {"hashtags": [], "urls": [],
                "user_mentions": [{"id_str": "30", "screen_name": "bob"}]},
            "extended_tweet": {
                "full_text": "A long thread about the vote, with @bob and more words than fit in a tweet #Vote2018 #Midterms https://t.co/x",
                "entities": {"hashtags": [{"text": "Vote2018"}, {"text": "Midterms"}],
                    "urls": [{"url": "https://t.co/x", "expanded_url": "https://example.org/vote"}],
                    "user_mentions": [{"id_str": "30", "screen_name": "bob"}]}}}
    });
    let (d, r) = read_lines("v1.jsonl", &[rt.to_string()]);
    assert_eq!(r.rows_accepted, 1);
    assert_eq!(d.kind(0), TweetKind::Retweet);
    assert_eq!(hashtags_of(&d, 0), ["vote2018", "midterms"]);
    assert_eq!(urls_of(&d, 0), ["example.org/vote"]);
    // Bob once, though both the retweet and the tweet it carries mention him; Alice from the
    // retweet's own `RT @alice`.
    assert_eq!(mentions_of(&d, 0), ["30", "10"]);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

/// v2 cuts a post longer than 280 characters: its whole text and entities are in
/// `note_tweet`. A retweet's whole entities are those of the tweet in `includes.tweets`; on the
/// real brexit page, that gives the hashtag and link uses twarc2's CSV of the same page gives
/// (`twarc2 csv`, twarc-csv 0.7.2: 306 and 82), where the retweets' own entities gave 157 and
/// 28.
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn v2_reads_note_tweets_and_a_retweets_entities_from_the_tweet_it_carries() {
    let note = json!({"data": [{
        "id": "1593000000000000000", "author_id": "1", "created_at": "2022-11-17T12:00:00.000Z",
        "text": "Long note start, cut here…",
        "entities": {"hashtags": [{"tag": "Cut"}]},
        "note_tweet": {"text": "Long note start, cut here in the text but whole in the note #LongTag https://t.co/N",
            "entities": {"hashtags": [{"tag": "LongTag"}],
                "urls": [{"url": "https://t.co/N", "expanded_url": "https://example.org/long"}]}}
    }]});
    let (d, r) = read_lines("note.jsonl", &[note.to_string()]);
    assert_eq!(r.rows_accepted, 1);
    assert_eq!(hashtags_of(&d, 0), ["longtag"]);
    assert_eq!(urls_of(&d, 0), ["example.org/long"]);
    assert!(d.text(0).unwrap().ends_with("#LongTag https://t.co/N"));

    let (d, r) = read_lines("brexit.jsonl", &[brexit_page().to_string()]);
    assert_eq!(r.rows_accepted, 100);
    let uses = |kind| {
        (0..d.len())
            .map(|i| items_of(&d, i, kind).len())
            .sum::<usize>()
    };
    use coordnet::dataset::ItemKind;
    assert_eq!((uses(ItemKind::Hashtag), uses(ItemKind::Url)), (306, 82));
}
