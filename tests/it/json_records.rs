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
