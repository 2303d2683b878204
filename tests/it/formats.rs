//! Every format, both archive dialects, compression and input expansion.

use super::*;
use coordnet::dataset::time::format_iso;
use coordnet::dataset::{TimeResolution, TweetKind};

const HEADER_2019: &str = "tweetid,userid,user_display_name,user_screen_name,user_reported_location,user_profile_description,user_profile_url,follower_count,following_count,account_creation_date,account_language,tweet_language,tweet_text,tweet_time,tweet_client_name,in_reply_to_userid,in_reply_to_tweetid,quoted_tweet_tweetid,is_retweet,retweet_userid,retweet_tweetid,latitude,longitude,quote_count,reply_count,like_count,retweet_count,hashtags,urls,user_mentions,poll_choices";

/// Three rows in the 2019+ dialect: an original with a quoted newline and Python lists, a
/// retweet, and a reply that quotes (the reply columns in their 2019 order).
fn rows_2019() -> String {
    format!(
        "{HEADER_2019}\n\
\"1100000000000000001\",\"aaaa\",\"A\",\"alpha\",\"\",\"\",\"\",\"1200.0\",\"30.0\",\"2018-05-01\",\"en\",\"en\",\"line one\nline \"\"two\"\" #Vote\",\"2019-03-01 12:00\",\"web\",\"\",\"\",\"\",\"False\",\"\",\"\",\"absent\",\"absent\",\"0.0\",\"0.0\",\"2.0\",\"1.0\",\"['Vote', 'tcot']\",\"['https://www.Example.com/a/?utm_source=x']\",\"['bbbb']\",\"\"\n\
\"1100000000000000002\",\"bbbb\",\"B\",\"beta\",\"\",\"\",\"\",\"5\",\"6\",\"2018-06-01\",\"en\",\"en\",\"RT @alpha: line one\",\"2019-03-01 12:01\",\"web\",\"\",\"\",\"\",\"True\",\"aaaa\",\"1100000000000000001\",\"absent\",\"absent\",\"0.0\",\"0.0\",\"0.0\",\"0.0\",\"['Vote']\",\"[]\",\"['aaaa']\",\"\"\n\
\"1100000000000000003\",\"cccc\",\"C\",\"gamma\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"es\",\"@alpha si\",\"2019-03-01 12:02\",\"web\",\"aaaa\",\"1100000000000000001\",\"1100000000000000002\",\"False\",\"\",\"\",\"absent\",\"absent\",\"0.0\",\"0.0\",\"0.0\",\"0.0\",\"[]\",\"[]\",\"[]\",\"\"\n"
    )
}

#[test]
fn archive_2019_dialect() {
    let dir = tempfile::tempdir().unwrap();
    let (d, r) = read(&[write(dir.path(), "t.csv", &rows_2019())]);
    assert_balanced(&r);
    assert_eq!((r.rows_read, r.rows_accepted), (3, 3));
    let a = row_of(&d, 1100000000000000001);
    assert_eq!(d.text(a).as_deref(), Some("line one\nline \"two\" #Vote"));
    assert_eq!(hashtags_of(&d, a), vec!["vote", "tcot"]);
    assert_eq!(urls_of(&d, a), vec!["example.com/a"]);
    assert_eq!(mentions_of(&d, a), vec!["bbbb"]);
    assert_eq!(d.kind(a), TweetKind::Original);
    let acc = d.account[a];
    assert_eq!(d.accounts.screen_name(acc), Some("alpha"));
    assert_eq!(d.accounts.followers[acc as usize], 1200);
    assert_eq!(
        format_iso(d.accounts.created_ms[acc as usize]),
        "2018-05-01T00:00:00.000Z"
    );

    let rt = row_of(&d, 1100000000000000002);
    assert_eq!(d.kind(rt), TweetKind::Retweet);
    assert_eq!(d.target_tweet[rt], 1100000000000000001);
    assert_eq!(d.accounts.key(d.target_account[rt]), "aaaa");

    let reply = row_of(&d, 1100000000000000003);
    assert_eq!(d.kind(reply), TweetKind::Reply);
    assert_eq!(d.target_tweet[reply], 1100000000000000001);
    assert_eq!(d.accounts.key(d.target_account[reply]), "aaaa");
    assert_eq!(
        d.reply_quotes,
        vec![(reply as u32, 1100000000000000002, u32::MAX)]
    );
    // Ids this small are not snowflakes of 2019: the written minute is kept.
    assert_eq!(d.resolution(reply), TimeResolution::Minute);
}

#[test]
fn archive_2018_dialect_and_column_order() {
    // 2018: reply tweet id before reply user id, lowercase booleans, unquoted lists.
    let header = HEADER_2019.replace(
        "in_reply_to_userid,in_reply_to_tweetid",
        "in_reply_to_tweetid,in_reply_to_userid",
    );
    let csv = format!(
        "{header}\n\
\"1100000000000000004\",\"dddd\",\"D\",\"delta\",\"\",\"\",\"\",\"7\",\"8\",\"2017-01-02\",\"en\",\"en\",\"reply\",\"2019-03-01 12:03\",\"web\",\"1100000000000000001\",\"aaaa\",\"\",\"false\",\"\",\"\",\"\",\"\",\"0\",\"0\",\"0\",\"0\",\"[maga, tcot]\",\"[http://x.org/p, http://y.org]\",\"[aaaa, bbbb]\",\"\"\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let (d, r) = read(&[write(dir.path(), "t.csv", &csv)]);
    assert_balanced(&r);
    assert_eq!(r.rows_accepted, 1);
    assert_eq!(d.kind(0), TweetKind::Reply);
    assert_eq!(d.target_tweet[0], 1100000000000000001);
    assert_eq!(d.accounts.key(d.target_account[0]), "aaaa");
    assert_eq!(hashtags_of(&d, 0), vec!["maga", "tcot"]);
    assert_eq!(urls_of(&d, 0), vec!["x.org/p", "y.org"]);
    assert_eq!(mentions_of(&d, 0), vec!["aaaa", "bbbb"]);
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn real_archive_rows_recover_milliseconds_from_snowflakes() {
    let dir = shared("fixtures/io-archive");
    let (d, r) = read(&[
        dir.join("ira_2018_two_rows.csv"),
        dir.join("ira_2018_two_users.csv"),
    ]);
    assert_balanced(&r);
    assert_eq!((r.rows_read, r.rows_accepted, r.profile_rows), (4, 4, 2));
    let rt = row_of(&d, 877919995476496385);
    assert_eq!(format_iso(d.time_ms[rt]), "2017-06-22T16:03:32.543Z");
    assert_eq!(d.resolution(rt), TimeResolution::Millisecond);
    assert_eq!(d.kind(rt), TweetKind::Retweet);
    assert_eq!(d.target_tweet[rt], 877917212119416832);
    assert_eq!(d.accounts.key(d.target_account[rt]), "2572896396");
    assert_eq!(urls_of(&d, rt), vec!["ru-open.livejournal.com/374284.html"]);
    assert_eq!(mentions_of(&d, rt), vec!["2572896396"]);
    // The users file adds profiles of accounts that did not tweet here.
    let user = d
        .accounts
        .lookup("94c383089f0dd9993020276bd01113ecb5935ad860bfa61e6079e7d548577f76")
        .unwrap();
    assert_eq!(d.accounts.followers[user as usize], 1541);
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn twitter_v2_pages_and_stream_lines() {
    let dir = shared("fixtures/twitter-v2");
    let (d, r) = read(std::slice::from_ref(&dir));
    assert_balanced(&r);
    // 100 + 100 tweets in two search pages, 7 stream lines and a truncated eighth, where the
    // file ends without a line break: cut short; empty.json is empty.
    assert_eq!(
        (r.rows_read, r.rows_accepted, r.rows_rejected),
        (208, 207, 1)
    );
    let cut = &r.rejected["record cut short at the end of the file"];
    assert_eq!(cut.count, 1);
    assert!(cut.examples[0].contains("streaming_output_with_error.jsonl:8"));
    let rt = row_of(&d, 1440716856763977732);
    assert_eq!(d.kind(rt), TweetKind::Retweet);
    assert_eq!(d.target_tweet[rt], 1440713161355583489);
    // The retweeted author comes from `includes.tweets`, the name from `includes.users`.
    assert_eq!(
        d.accounts.screen_name(d.target_account[rt]),
        Some("carolJhedges")
    );
    // Its own entities hold only `#BorisJohnson`, read from its text cut at "yo…"; the
    // retweeted tweet in `includes.tweets` holds them all.
    assert_eq!(
        hashtags_of(&d, rt),
        [
            "borisjohnson",
            "universalcredit",
            "brexit",
            "brexit",
            "johnsonout",
            "boristheliar"
        ]
    );
    assert_eq!(mentions_of(&d, rt), ["711945679"]);
    // Every retweet's source is known in v2 data.
    let unknown = (0..d.len())
        .filter(|&i| d.kind(i) == TweetKind::Retweet && d.target_account[i] == u32::MAX)
        .count();
    assert_eq!(unknown, 0);
    assert!((0..d.len()).all(|i| d.resolution(i) == TimeResolution::Millisecond));
}

#[test]
fn twitter_v2_flattened_lines() {
    let dir = tempfile::tempdir().unwrap();
    let line = r#"{"id":"1440716856763977732","author_id":"4100727022","created_at":"2021-09-22T16:37:20.000Z","text":"RT @carolJhedges: hi","referenced_tweets":[{"type":"retweeted","id":"1440713161355583489","author_id":"711945679","author":{"id":"711945679","username":"carolJhedges"}}],"author":{"id":"4100727022","username":"someone","created_at":"2015-01-01T00:00:00.000Z","public_metrics":{"followers_count":12,"following_count":3}},"entities":{"hashtags":[{"start":0,"end":5,"tag":"Brexit"}]}}"#;
    let (d, r) = read(&[write(dir.path(), "flat.jsonl", &format!("{line}\n"))]);
    assert_balanced(&r);
    assert_eq!(r.rows_accepted, 1);
    assert_eq!(d.kind(0), TweetKind::Retweet);
    assert_eq!(d.accounts.key(d.target_account[0]), "711945679");
    assert_eq!(d.accounts.screen_name(d.account[0]), Some("someone"));
    assert_eq!(d.accounts.followers[d.account[0] as usize], 12);
    assert_eq!(hashtags_of(&d, 0), vec!["brexit"]);
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn twitter_v1_objects() {
    let dir = shared("fixtures/twitter-v1");
    let (d, r) = read(&[dir.join("original_format_examples.json")]);
    assert_balanced(&r);
    assert_eq!(r.rows_accepted, 25);
    let kinds = |k| (0..d.len()).filter(|&i| d.kind(i) == k).count();
    assert_eq!(kinds(TweetKind::Retweet), 3);
    assert_eq!(
        kinds(TweetKind::Quote) + kinds(TweetKind::Reply) + kinds(TweetKind::Original),
        22
    );
    // An extended tweet keeps its whole text, not the 140-character cut.
    let ext = row_of(&d, 867479301360205824);
    assert!(
        d.text(ext).unwrap().chars().count() > 140,
        "{:?}",
        d.text(ext)
    );
    let rts: Vec<usize> = (0..d.len())
        .filter(|&i| d.kind(i) == TweetKind::Retweet)
        .collect();
    assert!(rts
        .iter()
        .all(|&i| d.target_account[i] != u32::MAX && d.target_tweet[i] != 0));
}

#[test]
fn generic_actions_with_a_column_mapping() {
    use coordnet::ingest::{ActionsMapping, ObjectKind};
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "a.csv",
        "who,when,tag\nu1,2021-06-16 21:24:51,#Vote\nu2,1623878692,vote\nu3,1623878693.5,Other\n",
    );
    let opts = IngestOptions {
        mapping: Some(ActionsMapping {
            account: "who".into(),
            time: "when".into(),
            object: "tag".into(),
            kind: ObjectKind::Hashtag,
            ..Default::default()
        }),
        ..Default::default()
    };
    let (d, r) = ingest(&[p], &opts).unwrap();
    assert_balanced(&r);
    assert_eq!(r.rows_accepted, 3);
    assert_eq!(hashtags_of(&d, 0), vec!["vote"]);
    assert_eq!(hashtags_of(&d, 1), vec!["vote"]);
    assert_eq!(d.resolution(2), TimeResolution::Millisecond);
    assert_eq!(d.time_ms[2] - d.time_ms[1], 1_500);
}

/// A mention is by screen name, as text writes it: `@Bob`, `@bob` and `BOB` are the account
/// `bob` that acts in the file, and accounts mentioning it in any case co-mention.
#[test]
fn action_mentions_name_one_account_in_any_case() {
    use coordnet::ingest::{ActionsMapping, ObjectKind};
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "m.csv",
        "who,when,whom\nu1,1600000000,@Bob\nu2,1600000010,@bob\nu3,1600000020,BOB\n\
         bob,1600000030,@u1\nu4,1600000040,@Carol\nu5,1600000050,@carol\n",
    );
    let opts = IngestOptions {
        mapping: Some(ActionsMapping {
            account: "who".into(),
            time: "when".into(),
            object: "whom".into(),
            kind: ObjectKind::Mention,
            ..Default::default()
        }),
        ..Default::default()
    };
    let (d, r) = ingest(&[p], &opts).unwrap();
    assert_balanced(&r);
    assert_eq!(r.rows_accepted, 6);
    let whom: Vec<Vec<String>> = (0..d.len()).map(|i| mentions_of(&d, i)).collect();
    // The account that acts keeps its key; one not in the file is named as first written.
    let bob = vec!["bob".to_string()];
    assert_eq!(
        &whom[..4],
        &[bob.clone(), bob.clone(), bob, vec!["u1".into()]]
    );
    assert_eq!(whom[4], whom[5]);
    assert_eq!(d.accounts.len(), 7, "u1-u5, bob and Carol");
}

/// CooRTweet's layout is recognised by its three columns without a mapping; its
/// `content_id` is read when there and not needed, with or without a mapping (a content
/// column the mapping names still is).
#[test]
fn coortweet_actions_without_their_content_ids() {
    let dir = tempfile::tempdir().unwrap();
    let rows = "o1,a,1600000000\no1,b,1600000005\no2,a,1600000100\n";
    let p = write(
        dir.path(),
        "act.csv",
        &format!("object_id,account_id,timestamp_share\n{rows}"),
    );
    let (d, r) = read(std::slice::from_ref(&p));
    assert_balanced(&r);
    assert_eq!(r.files[0].format, Some(coordnet::Format::Actions));
    assert_eq!((r.rows_accepted, r.rows_rejected), (3, 0));
    assert!((0..d.len()).all(|i| d.kind(i) == TweetKind::Retweet));
    let mapping = coordnet::ingest::ActionsMapping::coortweet();
    let opts = IngestOptions {
        mapping: Some(mapping.clone()),
        ..Default::default()
    };
    assert_eq!(
        ingest(std::slice::from_ref(&p), &opts)
            .unwrap()
            .1
            .rows_accepted,
        3
    );
    let named = coordnet::ingest::ActionsMapping {
        content: Some("content_id".into()),
        ..mapping
    };
    let opts = IngestOptions {
        mapping: Some(named),
        ..Default::default()
    };
    let e = ingest(&[p], &opts).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("'content_id'"), "{e}");
}

/// coordination-network-toolkit's layout: originals have no `repost_id`. They are posts, not
/// bad rows; only the reposts are shares.
#[test]
fn action_rows_without_an_object_are_original_posts() {
    use coordnet::ingest::{ActionsMapping, ObjectKind};
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "cnt.csv",
        "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n\
         1,u1,u1,,,hello,1583020801.411,\n\
         2,u2,u2,1,,hello,1583020802.5,\n\
         3,u3,u3,1,,hello,1583020803,\n",
    );
    let opts = IngestOptions {
        mapping: Some(ActionsMapping {
            account: "user_id".into(),
            time: "timestamp".into(),
            object: "repost_id".into(),
            content: Some("message_id".into()),
            kind: ObjectKind::Retweet,
            ..Default::default()
        }),
        ..Default::default()
    };
    let (d, r) = ingest(&[p], &opts).unwrap();
    assert_balanced(&r);
    assert_eq!((r.rows_accepted, r.rows_rejected), (3, 0));
    let kinds: Vec<TweetKind> = (0..d.len()).map(|i| d.kind(i)).collect();
    assert_eq!(
        kinds,
        vec![TweetKind::Original, TweetKind::Retweet, TweetKind::Retweet]
    );
    assert_eq!(d.target_tweet[1], d.tweet_id[0]);
    assert_eq!(d.time_ms[1] - d.time_ms[0], 1_089);
}

/// coordination-network-toolkit's CSV is recognised without a mapping: reposts and replies
/// by id, URLs from their column, hashtags and mentions from the message, times in seconds
/// (snowflake ids give their milliseconds); bad rows are told by line and column.
#[test]
fn cnt_layout_is_read_as_its_preprocess_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "cnt.csv",
        "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n\
         10,u1,alice,,,Vote #NOW with @bob,1583020801.411,https://www.Example.com/a?utm_source=x t.co/b\n\
         11,u2,bob,10,,RT @alice: Vote #NOW with @bob,1583020802.5,\n\
         12,u3,carol,,10,@alice no,1583020803,\n\
         13,u4,dave,,,late,yesterday,\n\
         14,u5,erin,1.2E+18,,float,1583020804,\n\
         1100000000000000001,u6,frank,,,snowflake,1551095411.6,\n",
    );
    let (d, r) = ingest(std::slice::from_ref(&p), &IngestOptions::default()).unwrap();
    assert_balanced(&r);
    assert_eq!(r.files[0].format, Some(coordnet::Format::Cnt));
    assert_eq!((r.rows_accepted, r.rows_rejected), (4, 2));
    let example = |reason: &str| r.rejected[reason].examples[0].clone();
    assert!(example("bad time").contains("cnt.csv:5, column 'timestamp': found 'yesterday'"));
    assert!(example("id in float notation").contains("cnt.csv:6, column 'repost_id'"));
    let kinds: Vec<TweetKind> = (0..d.len()).map(|i| d.kind(i)).collect();
    assert_eq!(
        kinds,
        [
            TweetKind::Original,
            TweetKind::Original,
            TweetKind::Retweet,
            TweetKind::Reply
        ]
    );
    // The snowflake id gives its milliseconds where the written time agrees.
    assert_eq!(d.time_ms[0], 1_551_095_411_668);
    assert_eq!(d.text(1).unwrap(), "Vote #NOW with @bob");
    assert_eq!(hashtags_of(&d, 1), ["now"]);
    assert_eq!(urls_of(&d, 1), ["example.com/a", "t.co/b"]);
    assert_eq!(mentions_of(&d, 1), ["u2"]);
    assert_eq!(d.target_tweet[2], d.tweet_id[1]);
    assert_eq!(d.target_tweet[3], d.tweet_id[1]);
    assert_eq!(d.time_ms[2] - d.time_ms[1], 1_089);
    assert_eq!(d.accounts.screen_name(d.account[3]), Some("carol"));
    // `--format cnt` reads it as its header does.
    let forced = IngestOptions {
        format: Some(coordnet::Format::Cnt),
        ..Default::default()
    };
    assert_eq!(ingest(&[p], &forced).unwrap().0.len(), 4);
    // CNT's preprocess reads its eight columns by position and skips the header: under
    // `--format cnt`, a header of other names is read so too (it was refused).
    let other = write(
        dir.path(),
        "renamed.csv",
        "id,author,screen_name,retweet_of,in_reply_to,text,created_at_epoch,links
         m1,u1,alice,,,hello #tag,1551441607,https://example.org/x
         m2,u2,bob,m1,,hello #tag,1551441620,
",
    );
    let (d, r) = ingest(std::slice::from_ref(&other), &forced).unwrap();
    assert_eq!(r.rows_accepted, 2);
    assert_eq!(d.kind(1), TweetKind::Retweet);
    assert_eq!(
        (hashtags_of(&d, 0), urls_of(&d, 0)),
        (vec!["tag".to_string()], vec!["example.org/x".to_string()])
    );
    assert_eq!(d.time_ms[1] - d.time_ms[0], 13_000);
    // Auto-detection does not guess by the count of columns.
    assert!(ingest(&[other], &IngestOptions::default()).is_err());
    let short = write(dir.path(), "short.csv", "a,b,c\n1,2,3\n");
    let e = ingest(&[short], &forced).unwrap_err().to_string();
    assert!(
        e.contains("read by position, CNT's CSV has 8 columns"),
        "{e}"
    );
}

/// API v2 tweets flattened by `twarc2 csv`: references by their dotted columns, entity lists
/// as JSON (non-ASCII escaped), line breaks written `\n`, the author's profile inline; bad
/// rows are told by line and column.
#[test]
fn twarc_csv_layout_is_read_by_its_column_names() {
    let dir = tempfile::tempdir().unwrap();
    let header = "id,conversation_id,referenced_tweets.replied_to.id,referenced_tweets.retweeted.id,\
        referenced_tweets.quoted.id,author_id,in_reply_to_user_id,in_reply_to_username,\
        retweeted_user_id,retweeted_username,quoted_user_id,quoted_username,created_at,text,lang,\
        source,entities.hashtags,entities.mentions,entities.urls,author.id,author.created_at,\
        author.username,author.public_metrics.followers_count,author.public_metrics.following_count";
    let p = write(
        dir.path(),
        "tweets.csv",
        &format!(
            "{header}\n\
             10,10,,,,101,,,,,,,2021-09-22T16:37:20.000Z,Vote #Café\\nnow @bob,en,Twitter Web App,\
             \"[\"\"#Caf\\u00e9\"\"]\",\"[\"\"@bob\"\"]\",\"[\"\"https://www.Example.com/a?utm_source=x\"\"]\",\
             101,2015-01-01T00:00:00.000Z,alice,12,3\n\
             11,10,,10,,102,,,101,alice,,,2021-09-22T16:37:25.000Z,Vote #Café\\nnow @bob,en,,\
             \"[\"\"#Caf\\u00e9\"\"]\",,,102,,bob,,\n\
             12,10,10,,11,103,101,alice,,,102,bob,2021-09-22T16:38:00.000Z,@alice no,en,,,,,103,,carol,x,\n\
             13,13,,,10,104,,,,,101,alice,2021-09-22T16:39:00.000Z,look,en,,,,,104,,dave,,\n\
             14,14,,,,105,,,,,,,2021-09-22T16:40:00.000Z,bad,en,,['#a'],,,105,,erin,,\n\
             15,15,,,,106,,,,,,,yesterday,late,en,,,,,106,,frank,,\n"
        ),
    );
    let (d, r) = ingest(std::slice::from_ref(&p), &IngestOptions::default()).unwrap();
    assert_balanced(&r);
    assert_eq!(r.files[0].format, Some(coordnet::Format::TwarcCsv));
    assert_eq!((r.rows_accepted, r.rows_rejected), (4, 2));
    let example = |reason: &str| r.rejected[reason].examples[0].clone();
    assert!(example("bad list").contains("tweets.csv:6, column 'entities.hashtags'"));
    assert!(example("bad time").contains("tweets.csv:7, column 'created_at': found 'yesterday'"));
    let kinds: Vec<TweetKind> = (0..d.len()).map(|i| d.kind(i)).collect();
    assert_eq!(
        kinds,
        [
            TweetKind::Original,
            TweetKind::Retweet,
            TweetKind::Reply,
            TweetKind::Quote
        ]
    );
    assert_eq!(d.text(0).unwrap(), "Vote #Café\nnow @bob");
    assert_eq!(hashtags_of(&d, 0), ["café"]);
    assert_eq!(urls_of(&d, 0), ["example.com/a"]);
    // `@bob` is the account whose row names it `bob`.
    assert_eq!(mentions_of(&d, 0), ["102"]);
    assert_eq!(
        (d.target_tweet[1], d.accounts.key(d.target_account[1])),
        (10, "101")
    );
    assert_eq!(d.time_ms[1] - d.time_ms[0], 5_000);
    // A reply that quotes keeps both.
    assert_eq!(
        (d.target_tweet[2], d.accounts.key(d.target_account[2])),
        (10, "101")
    );
    assert_eq!(d.reply_quotes, [(2, 11, d.account[1])]);
    assert_eq!(d.target_tweet[3], 10);
    let alice = d.account[0] as usize;
    assert_eq!(d.accounts.screen_name(d.account[0]), Some("alice"));
    assert_eq!(
        (d.accounts.followers[alice], d.accounts.following[alice]),
        (12, 3)
    );
    assert_eq!(
        format_iso(d.accounts.created_ms[alice]),
        "2015-01-01T00:00:00.000Z"
    );
    // A bad follower count costs the field, with a warning, not the tweet.
    assert_eq!(r.warnings["bad count"].count, 1);
}

/// A `twarc2 csv` file without the `entities.hashtags` column has its hashtags taken from
/// the text, as the layouts that never have one do.
#[test]
fn twarc_csv_without_its_hashtags_column_takes_them_from_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let header = "id,referenced_tweets.retweeted.id,referenced_tweets.replied_to.id,\
                  referenced_tweets.quoted.id,author_id,retweeted_user_id,created_at,text";
    let p = write(
        dir.path(),
        "tweets.csv",
        &format!("{header}\n10,,,,101,,2021-09-22T16:37:20.000Z,Vote #Café\\nnow #Go\n"),
    );
    let (d, r) = ingest(std::slice::from_ref(&p), &IngestOptions::default()).unwrap();
    assert_eq!(r.files[0].format, Some(coordnet::Format::TwarcCsv));
    assert_eq!(hashtags_of(&d, 0), vec!["café", "go"]);
}

/// The same records read plain, gzipped, zstd-compressed, zipped, from a directory and by
/// glob give the same dataset.
#[test]
fn compressed_and_expanded_inputs_agree() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let csv = rows_2019();
    let plain = write(dir.path(), "t.csv", &csv);
    let gz = dir.path().join("t.csv.gz");
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    e.write_all(csv.as_bytes()).unwrap();
    e.finish().unwrap();
    let zst = dir.path().join("t.csv.zst");
    std::fs::write(&zst, zstd::encode_all(csv.as_bytes(), 3).unwrap()).unwrap();
    let zip_path = dir.path().join("archive.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    z.start_file::<_, ()>("part1.csv", Default::default())
        .unwrap();
    z.write_all(csv.as_bytes()).unwrap();
    z.finish().unwrap();

    let reference = read(std::slice::from_ref(&plain)).0;
    for p in [&gz, &zst, &zip_path] {
        let (d, r) = read(std::slice::from_ref(p));
        assert_balanced(&r);
        assert_eq!(d.tweet_id, reference.tweet_id, "{}", p.display());
        assert_eq!(d.time_ms, reference.time_ms);
        assert_eq!(d.items, reference.items);
    }
    // The same bytes in memory (an HTTP body, say), compressed as the files are; a zip's
    // entries are inputs of their own, so its bytes are refused saying so.
    let opts = IngestOptions::default();
    for p in [&plain, &gz, &zst] {
        let bytes = std::fs::read(p).unwrap();
        let (d, r) = coordnet::ingest_bytes("body", &bytes, &opts).unwrap();
        assert_balanced(&r);
        assert_eq!(d.tweet_id, reference.tweet_id, "{}", p.display());
        assert_eq!(d.items, reference.items);
    }
    let e = coordnet::ingest_bytes("body", &std::fs::read(&zip_path).unwrap(), &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("body: is a zip archive: give the bytes of each entry"),
        "{e}"
    );
    // The directory holds all four copies: the plain file's own .gz and .zst are left out as
    // the same content once decompressed, and each row of the zip is a duplicate.
    let (d, r) = read(&[dir.path().to_path_buf()]);
    assert_balanced(&r);
    assert_eq!(r.files.len(), 2);
    let left_out: Vec<&Path> = (r.skipped_entries.iter())
        .map(|s| s.path.as_path())
        .collect();
    assert_eq!(left_out, [gz.as_path(), zst.as_path()]);
    assert_eq!(d.len(), 3);
    assert_eq!(
        r.rejected["duplicate record (same tweet id and account; the first kept)"].count,
        3
    );
    let pattern = dir.path().join("t.csv.*");
    let (_, r) = read(&[pattern]);
    assert_eq!(r.files.len(), 2);
    // A folder a glob matches that holds nothing to read is named as left out.
    let empty = dir.path().join("t.csv.parts");
    std::fs::create_dir(&empty).unwrap();
    let (_, r) = read(&[dir.path().join("t.csv.*")]);
    assert_eq!(r.files.len(), 2);
    assert_eq!(r.skipped_entries.len(), 1, "{:?}", r.skipped_entries);
    assert_eq!(r.skipped_entries[0].path, empty);
    assert!(r.summary().contains("t.csv.parts not read: a folder"));
}

/// Parsing in many small chunks (in parallel) gives exactly what one chunk gives.
#[test]
fn chunked_parallel_parse_matches_single_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = coordnet::synth::SynthConfig::new(20_000);
    c.seed = 7;
    coordnet::synth::generate(&c, dir.path()).unwrap();
    let path = dir.path().join("tweets.csv");
    let whole = ingest(
        std::slice::from_ref(&path),
        &IngestOptions {
            chunk_bytes: 1 << 30,
            ..Default::default()
        },
    )
    .unwrap()
    .0;
    let (small, r) = ingest(
        &[path],
        &IngestOptions {
            chunk_bytes: 4096,
            ..Default::default()
        },
    )
    .unwrap();
    assert_balanced(&r);
    assert_eq!(r.rows_rejected, 0);
    assert_eq!(small.tweet_id, whole.tweet_id);
    assert_eq!(small.account, whole.account);
    assert_eq!(small.items, whole.items);
    assert_eq!(small.text, whole.text);
}

/// Texts go to their temporary file after the first batch when the whole input would pass
/// their budget at that batch's rate, even if their distinct bytes end below it: every text
/// is written twice here, so the distinct texts are half the projection. Below the projection
/// they stay in memory. Each text reads back the same either way.
#[test]
fn texts_go_to_disk_at_once_when_the_input_would_pass_their_budget() {
    let mut csv = String::from("tweetid,userid,tweet_time,tweet_text\n");
    let mut raw_text = 0u64;
    for i in 0..4_000u64 {
        let text = format!("text {:>5} {}", i / 2, "x".repeat(80));
        raw_text += text.len() as u64;
        csv.push_str(&format!(
            "{},u{},2020-01-01 00:{:02},{text}\n",
            1000 + i,
            i % 50,
            i % 60
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let read = |max_text_memory: u64| {
        let opts = IngestOptions {
            chunk_bytes: 4096,
            max_text_memory,
            temp_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let (d, r) = coordnet::ingest::ingest_bytes("t.csv", csv.as_bytes(), &opts).unwrap();
        assert_eq!(r.rows_accepted, 4_000);
        let texts: Vec<String> = (0..d.len())
            .map(|row| d.text(row).unwrap().into())
            .collect();
        (d.texts.on_disk(), d.texts.text_bytes(), texts)
    };
    let (on_disk, distinct, texts) = read(raw_text * 3 / 4);
    assert!(on_disk, "the projection passes the budget");
    assert_eq!(distinct, raw_text / 2);
    let (in_memory, _, same) = read(raw_text * 2);
    assert!(!in_memory, "the projection stays below the budget");
    assert_eq!(texts, same);
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn the_posting_app_is_read_from_every_layout_that_has_it() {
    let apps = |path: PathBuf| -> std::collections::BTreeSet<String> {
        let (d, _) = read(&[path]);
        (0..d.len())
            .filter_map(|r| d.client(r).map(String::from))
            .collect()
    };
    // API v1.1 writes it as an HTML link; the link's text is the app.
    let v1 = apps(shared("fixtures/twitter-v1/original_format_examples.json"));
    assert!(
        v1.contains("Twitter Web Client") && v1.contains("Twitter for iPhone"),
        "{v1:?}"
    );
    assert!(v1.iter().all(|a| !a.contains('<')), "{v1:?}");
    let v2 = apps(shared("fixtures/twitter-v2/brexit.jsonl"));
    assert!(
        v2.contains("Twitter for Android") && v2.contains("Twitter Web App"),
        "{v2:?}"
    );
    // The archive's tweet_client_name.
    let dir = tempfile::tempdir().unwrap();
    let archive = write(
        dir.path(),
        "a.csv",
        "tweetid,userid,tweet_time,tweet_client_name\n877919995476496385,u1,2017-06-22 16:03,TweetDeck\n",
    );
    assert_eq!(apps(archive).into_iter().collect::<Vec<_>>(), ["TweetDeck"]);
}

/// API v2 tweets written to CSV by another tool (a pandas or tweepy dump keeps
/// `referenced_tweets` whole) have `id, author_id, created_at` too: taken for twarc2's, every
/// retweet would be read as an original post. They are refused, saying why; twarc2's CSV
/// without `author_id` reads its `author.id`, and a tweet id that is not one is rejected.
#[test]
fn v2_tweets_in_csv_without_twarc2s_references_are_refused_not_misread() {
    let dir = tempfile::tempdir().unwrap();
    let dump = write(
        dir.path(),
        "tweepy.csv",
        "id,text,author_id,created_at,referenced_tweets,entities\n\
         1440716856763977732,RT @a: hi,4100727022,2021-09-22T16:37:20.000Z,\"[{'type': 'retweeted', 'id': '1'}]\",\n",
    );
    for format in [None, Some(coordnet::Format::TwarcCsv)] {
        let opts = IngestOptions {
            format,
            ..Default::default()
        };
        let e = ingest(std::slice::from_ref(&dump), &opts)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("tweepy.csv") && e.contains("referenced_tweets.retweeted.id"),
            "{e}"
        );
        assert!(e.contains("read as original posts"), "{e}");
    }
    // One reference column left out (`twarc2 csv --output-columns`): its tweets would read
    // as originals too, so the file is refused naming it.
    let partial = write(
        dir.path(),
        "partial.csv",
        "id,author_id,created_at,referenced_tweets.replied_to.id,referenced_tweets.quoted.id\n\
         10,101,2021-09-22T16:37:20.000Z,,\n",
    );
    let e = ingest(std::slice::from_ref(&partial), &IngestOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("partial.csv: has no referenced_tweets.retweeted.id column: its retweets"),
        "{e}"
    );
    let p = write(
        dir.path(),
        "twarc.csv",
        "id,author.id,created_at,referenced_tweets.retweeted.id,retweeted_user_id,\
         referenced_tweets.replied_to.id,referenced_tweets.quoted.id\n\
         10,101,2021-09-22T16:37:20.000Z,,,,\n\
         11,102,2021-09-22T16:37:25.000Z,10,101,,\n\
         abc,103,2021-09-22T16:37:26.000Z,,,,\n\
         12,104,2021-09-22T16:37:27.000Z,99999999999999999999999,101,,\n",
    );
    let (d, r) = read(std::slice::from_ref(&p));
    assert_balanced(&r);
    assert_eq!(r.files[0].format, Some(coordnet::Format::TwarcCsv));
    assert_eq!((r.rows_accepted, r.rows_rejected), (2, 2));
    assert_eq!(r.rejected["bad tweet id"].count, 2);
    assert!(r.rejected["bad tweet id"].examples[0].contains("twarc.csv:4, column 'id'"));
    assert_eq!(d.accounts.key(d.account[1]), "102");
    assert_eq!((d.kind(1), d.target_tweet[1]), (TweetKind::Retweet, 10));
}

/// The real v2 fixtures flattened by DocNow's own `twarc2 csv` read as their JSON does: every
/// tweet with its author, time, kind and target, and the same edges in every graph. (Its rows
/// give a retweet the retweeted tweet's text and entities, which no graph reads.)
#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
#[cfg_attr(
    twarc2_absent,
    ignore = "needs twarc2 (pip install twarc-csv), absent from PATH"
)]
fn twarc2_csv_of_the_v2_fixtures_reads_as_their_json() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["brexit", "kpop"] {
        let json = shared(&format!("fixtures/twitter-v2/{name}.jsonl"));
        let csv = dir.path().join(format!("{name}.csv"));
        let out = std::process::Command::new("twarc2")
            .current_dir(dir.path())
            .args(["--bearer-token", "unused", "csv"])
            .args([&json, &csv])
            .output()
            .unwrap();
        assert!(
            out.status.success() && csv.is_file(),
            "twarc2 csv {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (dj, rj) = read(std::slice::from_ref(&json));
        let (dc, rc) = read(std::slice::from_ref(&csv));
        assert_eq!(rc.files[0].format, Some(coordnet::Format::TwarcCsv));
        assert_eq!((rc.rows_accepted, rc.rows_rejected), (rj.rows_accepted, 0));
        let tweets = |d: &Dataset| {
            let mut t: Vec<_> = (0..d.len())
                .map(|i| {
                    let target = (d.target_account[i] != u32::MAX)
                        .then(|| d.accounts.key(d.target_account[i]).to_string());
                    let author = d.accounts.key(d.account[i]).to_string();
                    (
                        d.tweet_id[i],
                        author,
                        d.time_ms[i],
                        d.kind(i),
                        d.target_tweet[i],
                        target,
                    )
                })
                .collect();
            t.sort();
            t
        };
        assert_eq!(tweets(&dc), tweets(&dj), "{name}");
        // Both given together (the JSON and its CSV side by side): each tweet once.
        let (db, rb) = read(&[json.clone(), csv.clone()]);
        assert_eq!(
            (rb.rows_accepted, rb.rows_rejected),
            (rj.rows_accepted, rj.rows_accepted)
        );
        assert_eq!(tweets(&db), tweets(&dj), "{name}");
        for kind in [
            "retweet",
            "co-retweet",
            "co-hashtag",
            "co-url",
            "co-mention",
            "co-reply",
        ] {
            let edges = |input: &Path, tag: &str| {
                let out = dir.path().join(format!("{name}.{kind}.{tag}.csv"));
                let mut args = vec!["graph", "--kind", kind, "-q", "-o", out.to_str().unwrap()];
                if kind != "retweet" {
                    // Every co-action edge within a day, significant or not.
                    args.extend(["--pvalue", "1", "--window", "1d"]);
                }
                args.push(input.to_str().unwrap());
                let run = coordnet(&args);
                assert!(
                    run.status.success(),
                    "{}",
                    String::from_utf8_lossy(&run.stderr)
                );
                let mut lines: Vec<String> = std::fs::read_to_string(out)
                    .unwrap()
                    .lines()
                    .map(String::from)
                    .collect();
                lines.sort();
                lines
            };
            let (from_json, from_csv) = (edges(&json, "json"), edges(&csv, "csv"));
            assert_eq!(from_csv, from_json, "{name} {kind}");
            if kind == "retweet" || kind == "co-hashtag" {
                assert!(from_json.len() > 50, "{name} {kind}: {}", from_json.len());
            }
        }
    }
}

/// snscrape's JSON lines (`tests/fixtures/snscrape-0.7.jsonl` was written by snscrape
/// 0.7.0.20230622's own serialiser): the author inline, retweets and quotes whole, replies by
/// id; not read as API v1.1 for their `user` field. A `TweetRef` line holds no tweet; lines of
/// releases before 0.5 (`content`, `outlinks`, no `hashtags`) read too.
#[test]
fn snscrape_lines_are_recognised_and_read() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snscrape-0.7.jsonl");
    let (d, r) = read(std::slice::from_ref(&fixture));
    assert_balanced(&r);
    assert_eq!(r.files[0].format, Some(coordnet::Format::Snscrape));
    assert_eq!((r.rows_accepted, r.rows_rejected), (4, 1));
    assert!(r.rejected["no tweet in line"].examples[0].contains("snscrape-0.7.jsonl:5"));
    let kinds: Vec<TweetKind> = (0..d.len()).map(|i| d.kind(i)).collect();
    let want = [
        TweetKind::Original,
        TweetKind::Retweet,
        TweetKind::Reply,
        TweetKind::Quote,
    ];
    assert_eq!(kinds, want);
    assert!((0..d.len()).all(|i| d.resolution(i) == TimeResolution::Millisecond));
    assert_eq!(r.snowflake_mismatches, 0);
    assert_eq!(d.time_ms[1] - d.time_ms[0], 5_000);
    assert_eq!(hashtags_of(&d, 0), ["now"]);
    assert_eq!(urls_of(&d, 0), ["example.com/a"]);
    assert_eq!(mentions_of(&d, 0), ["23456"]);
    let (alice, bob) = (d.account[0], d.account[1]);
    assert_eq!(
        (d.accounts.key(alice), d.accounts.key(bob)),
        ("12345", "23456")
    );
    assert_eq!(d.accounts.screen_name(bob), Some("bob"));
    assert_eq!(d.accounts.followers[alice as usize], 10);
    assert_eq!(d.accounts.following[bob as usize], 400);
    assert_eq!(
        (d.target_tweet[1], d.target_account[1]),
        (d.tweet_id[0], alice)
    );
    assert_eq!(
        (d.target_tweet[2], d.target_account[2]),
        (d.tweet_id[0], alice)
    );
    assert_eq!(d.reply_quotes, [(2, d.tweet_id[1], bob)]);
    assert_eq!(
        (d.target_tweet[3], d.target_account[3]),
        (d.tweet_id[1], bob)
    );
    assert_eq!(d.client(0), Some("Twitter for iPhone"));
    // The retweet lists no links of its own: they are in the tweet it carries.
    assert_eq!(hashtags_of(&d, 1), ["now"]);
    assert_eq!(urls_of(&d, 1), ["example.com/a"]);

    let dir = tempfile::tempdir().unwrap();
    let old = r#"{"_type": "snscrape.modules.twitter.Tweet", "url": "https://twitter.com/carol/status/1409534906168246272", "date": "2021-06-28T15:00:00+00:00", "content": "Old #Style http://a.example/x", "id": 1409534906168246272, "user": {"_type": "snscrape.modules.twitter.User", "username": "carol", "id": 777, "created": "2012-03-04T05:06:07+00:00"}, "outlinks": ["http://a.example/x"], "tcooutlinks": ["https://t.co/y"], "retweetedTweet": null, "quotedTweet": null, "mentionedUsers": null}"#;
    let (d, r) = read(&[write(dir.path(), "old.jsonl", &format!("{old}\n"))]);
    assert_eq!(
        (r.files[0].format, r.rows_accepted),
        (Some(coordnet::Format::Snscrape), 1)
    );
    assert_eq!(d.text(0).unwrap(), "Old #Style http://a.example/x");
    assert_eq!(hashtags_of(&d, 0), ["style"]);
    assert_eq!(urls_of(&d, 0), ["a.example/x"]);
    // A quote of a tweet deleted since (a Tombstone, no id) is a quote of an unknown tweet.
    let tomb = old.replace(
        r#""quotedTweet": null"#,
        r#""quotedTweet": {"_type": "snscrape.modules.twitter.Tombstone", "text": "This Tweet was deleted by the Tweet author."}"#,
    );
    let (d, r) = read(&[write(dir.path(), "tomb.jsonl", &format!("{tomb}\n"))]);
    assert_eq!(
        (r.rows_accepted, r.rows_rejected),
        (1, 0),
        "{}",
        r.summary()
    );
    assert_eq!(d.kind(0), coordnet::dataset::TweetKind::Quote);
    assert_eq!(d.target_tweet[0], coordnet::dataset::NO_TWEET);
    assert_eq!(hashtags_of(&d, 0), ["style"]);
}

/// FiveThirtyEight's own files (`IRAhandle_tweets_N.csv`): the author by name, times as
/// M/D/YYYY H:MM, and `post_type` written out (RETWEET, QUOTE_TWEET) where the per-author
/// redistribution in ../shared/data writes R and Q.
#[test]
fn ira_fivethirtyeight_release() {
    let csv = "external_author_id,author,content,region,language,publish_date,harvested_date,following,followers,updates,post_type,account_type,retweet,account_category,new_june_2018,alt_external_id,tweet_id,article_url,tco1_step1,tco2_step1,tco3_step1\n\
906000000000000000,10_GOP,We have a sitting Democrat US Senator on trial #tcot,Unknown,English,10/1/2017 19:58,10/1/2017 19:59,1052,9636,253,,Right,0,RightTroll,0,905874659358453760,914580356430536707,http://twitter.com/905874659358453760/statuses/914580356430536707,,,\n\
906000000000000000,10_GOP,\"19,000 RESPECTING our National Anthem! #StandForOurAnthem\",Unknown,English,10/1/2017 2:13,10/1/2017 2:13,1050,9645,246,RETWEET,Right,1,RightTroll,0,905874659358453760,914312219952861184,http://twitter.com/905874659358453760/statuses/914312219952861184,,,\n\
906000000000000000,10_GOP,Is this real? https://t.co/QUTSZc3quW,Unknown,English,10/13/2017 0:39,10/13/2017 0:40,1071,10414,328,QUOTE_TWEET,Right,0,RightTroll,0,905874659358453760,918637394051715072,http://twitter.com/905874659358453760/statuses/918637394051715072,,,\n";
    let dir = tempfile::tempdir().unwrap();
    let (d, r) = read(&[write(dir.path(), "IRAhandle_tweets_1.csv", csv)]);
    assert_balanced(&r);
    assert_eq!(r.files[0].format, Some(coordnet::Format::Ira));
    assert_eq!((r.rows_read, r.rows_accepted), (3, 3), "{}", r.summary());
    let kinds: Vec<TweetKind> = (0..d.len()).map(|i| d.kind(i)).collect();
    // Rows in time order: the retweet (2:13), the original (19:58), the quote (13 October).
    assert_eq!(
        kinds,
        [TweetKind::Retweet, TweetKind::Original, TweetKind::Quote]
    );
    assert_eq!(d.accounts.screen_name(d.account[0]), Some("10_GOP"));
    // Their `tweet_id` is read: its snowflake bits give the second and millisecond the
    // written minute lacks (19:58 is 19:58:43.711 UTC), and a row repeated whole is one tweet.
    assert_eq!(d.tweet_id[1], 914580356430536707);
    assert_eq!(d.time_ms[1] % 60_000, 43_711);
    assert!((0..d.len()).all(|i| d.resolution(i) == TimeResolution::Millisecond));
    assert_eq!(r.snowflake_mismatches, 0);
    let repeated = csv.to_string() + csv.lines().nth(1).unwrap() + "\n";
    let (d, r) = read(&[write(dir.path(), "IRAhandle_tweets_2.csv", &repeated)]);
    assert_eq!((d.len(), r.rows_read), (3, 4), "{}", r.summary());
    // Two accounts share one article, each through a t.co link of its own: `tco1_step1` says
    // where each leads, so they share the link. A link the cut text lost is kept too.
    let header = csv.lines().next().unwrap();
    let shared_article = format!(
        "{header}\n         1,ann,Read https://t.co/aaa1,US,English,10/1/2017 10:00,10/1/2017 10:01,1,1,1,,Right,0,RightTroll,0,1,,,https://www.example.com/story?utm_source=tw,,\n\
         2,bob,Must read https://t.co/bbb2 #x…,US,English,10/1/2017 10:05,10/1/2017 10:06,1,1,1,,Right,0,RightTroll,0,2,,,http://example.com/story,http://other.example/y,\n"
    );
    let (d, r) = read(&[write(dir.path(), "IRAhandle_tweets_3.csv", &shared_article)]);
    assert_eq!(r.rows_accepted, 2, "{}", r.summary());
    assert_eq!(urls_of(&d, 0), ["example.com/story"]);
    assert_eq!(urls_of(&d, 1), ["example.com/story", "other.example/y"]);
}
