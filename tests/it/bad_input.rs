//! Bad input: counted with reason and position, or a clear error; never a panic or a
//! silently dropped row.

use super::*;
use coordnet::dataset::TweetKind;
use coordnet::ErrorKind;

const HEADER: &str = "tweetid,userid,tweet_time,is_retweet,follower_count,hashtags";

fn archive(rows: &str) -> String {
    format!("{HEADER}\n{rows}")
}

#[test]
fn bad_rows_are_counted_with_reason_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = archive(
        "1,u1,2019-03-01 12:00,False,10,[a]\n\
         2,u2,2019-03-01 12:00,False\n\
         3,u3,yesterday,False,10,[]\n\
         4,u4,2019-03-01 12:00,maybe,10,[]\n\
         ,u5,2019-03-01 12:00,False,10,[]\n\
         6,,2019-03-01 12:00,False,10,[]\n\
         7,u7,2019-03-01 12:00,False,10,not-a-list\n\
         8,u8,2019-03-01 12:00,False,lots,[]\n\
         1,u1,2019-03-01 12:00,False,10,[a]\n",
    );
    let (d, r) = read(&[write(dir.path(), "t.csv", &csv)]);
    assert_balanced(&r);
    assert_eq!((r.rows_read, r.rows_accepted, r.rows_rejected), (9, 2, 7));
    let example = |reason: &str| r.rejected[reason].examples[0].clone();
    assert!(example("wrong number of fields")
        .contains("t.csv:3: found '4 fields where the header has 6'"));
    assert!(example("bad time").contains("t.csv:4, column 'tweet_time'"));
    assert!(example("bad boolean").contains("t.csv:5, column 'is_retweet': found 'maybe'"));
    assert!(example("missing tweet id").contains("t.csv:6"));
    assert!(example("missing account").contains("t.csv:7"));
    assert!(example("bad list").contains("t.csv:8"));
    assert!(
        example("duplicate record (same tweet id and account; the first kept)")
            .contains("t.csv:10")
    );
    // A malformed follower count costs the tweet nothing: the row stays, the count is unknown.
    assert_eq!(r.warnings["bad count"].count, 1);
    let row = row_of(&d, 8);
    assert_eq!(d.accounts.followers[d.account[row] as usize], u32::MAX);
}

/// Lines are counted in the file as an editor shows them: CRLF endings, blank lines and
/// quoted line breaks included. A stray quote inside an unquoted field (which the fast reader
/// would take as opening a quoted field) costs its own row and nothing after it.
#[test]
fn bad_rows_are_placed_on_their_lines_whatever_the_line_endings() {
    let dir = tempfile::tempdir().unwrap();
    let csv = archive(
        "1,u1,2019-03-01 12:00,False,10,[a]\r\n\
         \r\n\
         2,u2,2019-03-01 12:00,False,\"1\r\n0\",[]\r\n\
         3,u3,yesterday,False,10,[]\r\n\
         4,u4,2019-03-01 12:00,False,1\"0,[]\r\n\
         5,u5,2019-03-01 12:00,False,10,[]\r\n\
         6,u6,tomorrow,False,10,[]\r\n",
    );
    let (d, r) = read(&[write(dir.path(), "t.csv", &csv)]);
    assert_balanced(&r);
    assert_eq!((r.rows_read, r.rows_accepted, r.rows_rejected), (6, 3, 3));
    let bad_time = &r.rejected["bad time"].examples;
    assert!(bad_time[0].contains("t.csv:6,"), "{bad_time:?}");
    assert!(bad_time[1].contains("t.csv:9,"), "{bad_time:?}");
    // The stray quote makes its row's fields untrustworthy: that row is refused on its own
    // line, and it does not open a field that swallows the rows after it.
    let stray = &r.rejected["malformed CSV quoting"].examples;
    assert!(stray[0].contains("t.csv:7:"), "{stray:?}");
    let warned = &r.warnings["bad count"].examples;
    assert!(warned.iter().any(|w| w.contains("t.csv:4,")), "{warned:?}");
    assert_eq!(d.len(), 3);
}

#[test]
fn strict_stops_at_the_first_bad_row_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "t.csv",
        &archive("1,u1,2019-03-01 12:00,False,10,[]\n2,u2,2019-03-01 12:00,False,lots,[]\n"),
    );
    let opts = IngestOptions {
        strict: true,
        ..Default::default()
    };
    let e = ingest(&[p], &opts).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e.kind(), ErrorKind::BadRow { .. }), "{msg}");
    assert!(msg.contains("t.csv:3, column 'follower_count'"), "{msg}");
    assert!(
        msg.contains("found 'lots'") && msg.contains("expected a whole number"),
        "{msg}"
    );
}

#[test]
fn truncated_gzip_is_an_error_naming_the_file() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let body: String = (0..5_000)
        .map(|i| format!("{i},u{i},2019-03-01 12:00,False,1,[]\n"))
        .collect();
    e.write_all(archive(&body).as_bytes()).unwrap();
    let gz = e.finish().unwrap();
    let p = dir.path().join("cut.csv.gz");
    std::fs::write(&p, &gz[..gz.len() / 2]).unwrap();
    let e = ingest(&[p], &IngestOptions::default()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Io { .. }));
    assert!(
        e.to_string().contains("cut.csv.gz: the file ends early"),
        "{e}"
    );
}

/// Bytes after the compressed data (a damaged download, a note appended) stop the run saying
/// so, with how much came out before and what to do; the decoders' own words were "invalid
/// gzip header" and "Unknown frame descriptor". Members or frames joined whole still read.
#[test]
fn bytes_after_the_compressed_data_are_said_to_be_there() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let csv = archive("1,u1,2019-03-01 12:00,False,1,[]\n");
    let more = "2,u2,2019-03-01 12:01,False,1,[]\n";
    let gz = |bytes: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    };
    let zst = |bytes: &[u8]| zstd::encode_all(bytes, 3).unwrap();
    type Pack<'p> = &'p dyn Fn(&[u8]) -> Vec<u8>;
    let packers: [(&str, Pack, &str); 2] = [("t.csv.gz", &gz, "gzip"), ("t.csv.zst", &zst, "zstd")];
    for (name, pack, what) in packers {
        let p = dir.path().join(name);
        let note = b"a note appended to the file, not gzip or zstd\n";
        std::fs::write(&p, [pack(csv.as_bytes()), note.to_vec()].concat()).unwrap();
        let e = ingest(std::slice::from_ref(&p), &IngestOptions::default()).unwrap_err();
        let said = format!(
            "{name}: after {} bytes decompressed, bytes follow that are not {what}",
            csv.len()
        );
        assert!(e.to_string().contains(&said), "{e}");
        // Two members or frames joined whole, as `cat a.gz b.gz` writes them, read as one.
        let joined = [pack(csv.as_bytes()), pack(more.as_bytes())].concat();
        std::fs::write(&p, joined).unwrap();
        let (_, r) = ingest(&[p], &IngestOptions::default()).unwrap();
        assert_eq!((r.rows_read, r.rows_accepted), (2, 2));
    }
}

/// What a `.gz` holds, when it is not records, is named: a tar read as a CSV had its header
/// block listed as the columns ("no 'tweetid' column" while listing it), a program read as
/// lone carriage returns.
#[test]
fn a_gzip_holding_an_archive_a_program_or_another_gzip_is_named() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let gz = |bytes: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    };
    let csv = archive("1,u1,2019-03-01 12:00,False,1,[]\n");
    // A tar's first block: the entry's name, then "ustar" at byte 257, then the file.
    let mut tar = vec![0u8; 512];
    tar[..7].copy_from_slice(b"a.csv\0\0");
    tar[100..108].copy_from_slice(b"0000644\0");
    tar[257..263].copy_from_slice(b"ustar\0");
    tar.extend_from_slice(csv.as_bytes());
    let mut program = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0".to_vec();
    program.resize(4096, 0);
    for (name, bytes, said) in [
        ("tarred.csv.gz", gz(&tar), "is a tar archive: extract it"),
        (
            "program.csv.gz",
            gz(&program),
            "is not text: its first line holds NUL or other control bytes",
        ),
        // Bytes of no text with a CR before any NUL were taken for an old Mac export.
        (
            "noise.csv.gz",
            gz(b"\x9c\x03\xa7\x11\x1b\xe2\rq\x07\xf1\r\x05\n\x00"),
            "is not text: its first line holds NUL or other control bytes",
        ),
        (
            "twice.csv.gz",
            gz(&gz(csv.as_bytes())),
            "is compressed twice",
        ),
        (
            "zipped.csv.gz",
            gz(b"PK\x03\x04rest"),
            "holds a zip archive inside",
        ),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let e = ingest(&[p], &IngestOptions::default()).unwrap_err();
        assert!(e.to_string().contains(&format!("{name}: {said}")), "{e}");
    }
    // The CSV itself, compressed once, reads.
    let p = dir.path().join("plain.csv.gz");
    std::fs::write(&p, gz(csv.as_bytes())).unwrap();
    assert_eq!(ingest(&[p], &IngestOptions::default()).unwrap().0.len(), 1);
}

#[test]
fn corrupt_zip_missing_file_and_unknown_layout_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let zip = write(
        dir.path(),
        "bad.zip",
        "PK\u{3}\u{4}garbage that is no archive",
    );
    let e = ingest(&[zip], &IngestOptions::default()).unwrap_err();
    assert!(
        e.to_string().contains(
            "bad.zip: not a readable zip archive: its end, which lists its entries, is missing"
        ),
        "{e}"
    );

    let e = ingest(&[dir.path().join("nope.csv")], &IngestOptions::default()).unwrap_err();
    assert!(e.to_string().contains("nope.csv: no such file"), "{e}");

    let other = write(dir.path(), "other.csv", "a,b,c\n1,2,3\n");
    let e = ingest(&[other], &IngestOptions::default()).unwrap_err();
    // The library says what to name; the command line adds its flags (tests/it/cli.rs).
    assert!(
        e.to_string().contains("account, time and object columns")
            && e.setting() == Some(coordnet::error::Setting::ActionColumns),
        "{e}"
    );

    let json = write(dir.path(), "x.json", "{\"hello\": 1}\n");
    let e = ingest(&[json], &IngestOptions::default()).unwrap_err();
    assert!(e.to_string().contains("neither Twitter API v2"), "{e}");
}

#[test]
fn a_file_that_is_not_what_format_claims() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "t.jsonl", "{\"data\": []}\n");
    let opts = IngestOptions {
        format: Some(coordnet::Format::IoTweets),
        ..Default::default()
    };
    let e = ingest(&[p], &opts).unwrap_err();
    assert!(
        e.to_string().contains("is JSON, not the io-tweets CSV"),
        "{e}"
    );
    let p = write(
        dir.path(),
        "u.csv",
        "author,content,publish_date\nx,y,2016-10-01 00:00:00\n",
    );
    let e = ingest(&[p], &opts).unwrap_err();
    assert!(e.to_string().contains("has no 'tweetid' column"), "{e}");
}

#[test]
fn garbage_json_lines_are_rejected_rows_and_empty_files_are_empty() {
    let dir = tempfile::tempdir().unwrap();
    let good = r#"{"id":"1440716856763977732","author_id":"1","created_at":"2021-09-22T16:37:20.000Z","text":"x"}"#;
    let p = write(
        dir.path(),
        "t.jsonl",
        &format!("{good}\nnot json at all\n{{\"id\": \"5\"\n\n"),
    );
    let e = write(dir.path(), "empty.jsonl", "");
    let (d, r) = read(&[p, e]);
    assert_balanced(&r);
    assert_eq!((r.rows_read, r.rows_accepted), (3, 1));
    assert_eq!(r.rejected["invalid JSON"].count, 2);
    assert_eq!(d.len(), 1);
    assert_eq!(r.files[1].format, None);
}

#[test]
fn ids_never_go_through_floats() {
    let dir = tempfile::tempdir().unwrap();
    // 2^53 + 1 is not representable as an f64.
    let (d, _) = read(&[write(
        dir.path(),
        "t.csv",
        &archive("9007199254740993,u1,2019-03-01 12:00,False,1,[]\n"),
    )]);
    assert_eq!(d.tweet_id, vec![9007199254740993]);
}

/// An IRA file whose author column is `author_id` names that column when a row lacks one (it
/// named `author`, a column the file does not have).
#[test]
fn a_missing_ira_author_names_the_column_the_file_has() {
    let dir = tempfile::tempdir().unwrap();
    for column in ["author", "author_id"] {
        let csv = format!(
            "{column},content,publish_date\nx,hello,10/1/2016 19:58\n,hello,10/1/2016 19:59\n"
        );
        let (_, r) = read(&[write(dir.path(), "ira.csv", &csv)]);
        assert_balanced(&r);
        let example = &r.rejected["missing account"].examples[0];
        assert!(
            example.contains(&format!("ira.csv:3, column '{column}'")),
            "{example}"
        );
    }
}

/// A layout is known by a few of its own columns: a file of archive tweets or IRA rows that
/// lacks one it needs says which, rather than being taken for another layout or none. An
/// archive tweets file without `tweetid` was taken for the users file, and its tweets were
/// left out of a run beside other files without a word.
#[test]
fn a_layout_lacking_a_column_it_needs_names_that_column() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "good.csv",
        &archive("1,u1,2020-01-01 00:00,False,5,[]\n"),
    );
    let cases = [
        (
            "userid,account_creation_date,tweet_text,tweet_time\nu1,2019-01-01,hi,2020-01-01 00:00\n",
            "has no 'tweetid' column",
        ),
        (
            "tweetid,tweet_text,tweet_time\n1,hi,2020-01-01 00:00\n",
            "has no 'userid' column",
        ),
        (
            "author,region,publish_date,post_type\nx,US,10/1/2016 19:58,\n",
            "has no 'content' column",
        ),
        (
            "author,content,region,post_type\nx,hello,US,\n",
            "has no 'publish_date' column",
        ),
    ];
    for (csv, says) in cases {
        let lacking = write(dir.path(), "lacking.csv", csv);
        let e = ingest(&[good.clone(), lacking], &IngestOptions::default()).unwrap_err();
        let e = e.to_string();
        assert!(e.contains("lacking.csv") && e.contains(says), "{csv}: {e}");
    }
    // The users file is still the users file.
    let users = "userid,user_screen_name,account_creation_date\nu1,one,2019-01-01\n";
    let users = write(dir.path(), "users.csv", users);
    let (_, r) = read(&[good, users]);
    assert_eq!(r.files[1].format, Some(coordnet::Format::IoUsers));
}

/// A row with no time written takes its tweet id's (a snowflake id holds the millisecond it was
/// made), and says so: it was kept without a word. An id that holds no time leaves the row
/// without one, rejected.
#[test]
fn an_empty_time_is_taken_from_the_tweet_id_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let csv = archive(
        "877919995476496385,u1,,False,10,[]\n\
         877919995476496386,u2,2017-06-22 16:03,False,10,[]\n\
         5,u3,  ,False,10,[]\n",
    );
    let (d, r) = read(&[write(dir.path(), "t.csv", &csv)]);
    assert_balanced(&r);
    assert_eq!((r.rows_accepted, r.rows_rejected), (2, 1));
    assert_eq!(r.rejected["missing time"].examples.len(), 1);
    assert!(r.rejected["missing time"].examples[0]
        .starts_with(&format!("{}:4,", dir.path().join("t.csv").display())));
    let warned = &r.warnings[coordnet::ingest::TIME_FROM_ID];
    assert_eq!(warned.count, 1);
    assert!(
        warned.examples[0].contains("t.csv:2, column 'tweet_time'"),
        "{warned:?}"
    );
    // 2017-06-22 16:03:32.543 UTC, from the id's bits.
    assert_eq!(d.time_ms[0], 1_498_147_412_543);
}

/// A column the layout reads that two header cells name is refused with both positions: reading
/// the first threw away a whole archive as "bad time" when the second held the times, and read
/// the wrong accounts without a word when the first held something else. A name repeated among
/// columns nothing reads is no concern.
#[test]
fn a_column_named_twice_is_refused_when_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "tweetid,userid,account_language,tweet_time\n1,u1,en,2020-01-01 00:00\n",
            "tweetid,userid,tweet_time,tweet_time\n1,u1,en,2020-01-01 00:00\n",
            "two columns named 'tweet_time' (columns 3 and 4",
        ),
        (
            "object_id,account_id,content_id,timestamp_share,x\no,a,c,1600000000,b\n",
            "object_id,account_id,content_id,timestamp_share,account_id\no,a,c,1600000000,b\n",
            "two columns named 'account_id' (columns 2 and 5",
        ),
        (
            "author,content,publish_date,post_type\nx,hello,10/1/2016 19:58,\n",
            "author,content,publish_date,Author\nx,hello,10/1/2016 19:58,y\n",
            "two columns named 'author' (columns 1 and 4",
        ),
    ];
    for (fine, twice, says) in cases {
        let (_, r) = read(&[write(dir.path(), "fine.csv", fine)]);
        assert_eq!((r.rows_read, r.rows_accepted), (1, 1), "{fine}");
        let p = write(dir.path(), "twice.csv", twice);
        let e = ingest(&[p], &IngestOptions::default()).unwrap_err();
        let e = e.to_string();
        assert!(e.contains("twice.csv") && e.contains(says), "{twice}: {e}");
    }
    // Two columns nothing reads may share a name.
    let csv = "tweetid,userid,tweet_time,note,note\n1,u1,2020-01-01 00:00,a,b\n";
    let (_, r) = read(&[write(dir.path(), "notes.csv", csv)]);
    assert_eq!((r.rows_read, r.rows_accepted), (1, 1));
}

/// An action CSV's bad rows are placed in the columns the user named (header names are read
/// without case), not in the mapping's roles ("time", "account").
#[test]
fn an_action_csvs_bad_rows_name_the_files_own_columns() {
    use coordnet::ingest::{ActionsMapping, ObjectKind};
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "a.csv",
        "Who,When,Post,Shared\nu1,1623878692,1,9\nu2,yesterday,2,9\n,1623878693,3,9\nu4,1623878694,4,1.2e+18\nu5,1623878695,5.0e3,9\n",
    );
    let opts = IngestOptions {
        mapping: Some(ActionsMapping {
            account: "who".into(),
            time: "when".into(),
            object: "shared".into(),
            content: Some("post".into()),
            kind: ObjectKind::Retweet,
            ..Default::default()
        }),
        ..counting()
    };
    let (_, r) = ingest(&[p], &opts).unwrap();
    assert_balanced(&r);
    assert_eq!((r.rows_accepted, r.rows_rejected), (1, 4));
    let example = |reason: &str| r.rejected[reason].examples.join(" | ");
    assert!(
        example("bad time").contains("a.csv:3, column 'when'"),
        "{}",
        example("bad time")
    );
    assert!(example("missing account").contains("a.csv:4, column 'who'"));
    let floats = example("id in float notation");
    assert!(floats.contains("a.csv:5, column 'shared'"), "{floats}");
    assert!(floats.contains("a.csv:6, column 'post'"), "{floats}");
}

#[test]
fn ids_in_another_encoding_are_refused_not_merged_into_one_account() {
    // Windows-1251 screen names as account ids: replaced as text, they would all read
    // `����` and be one account.
    let dir = tempfile::tempdir().unwrap();
    let mut bytes =
        b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n".to_vec();
    for (i, name) in [&b"\xc8\xe2\xe0\xed"[..], b"\xcf\xe5\xf2\xf0", b"ok"]
        .iter()
        .enumerate()
    {
        bytes.extend(format!("{i},").as_bytes());
        bytes.extend(*name);
        bytes.extend(format!(",x,,,hi #a,{},\n", 1_600_000_000 + i).as_bytes());
    }
    let p = dir.path().join("cp1251.csv");
    std::fs::write(&p, bytes).unwrap();
    let (d, r) = read(&[p]);
    assert_balanced(&r);
    assert_eq!((r.rows_accepted, r.rows_rejected), (1, 2));
    let e = r.rejected["id not in UTF-8"].examples.join(" | ");
    assert!(e.contains("cp1251.csv:2, column 'user_id'"), "{e}");
    assert!(e.contains("iconv"), "{e}");
    assert_eq!(d.accounts.key(d.account[0]), "ok");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);

    // Latin-1 text in a row that is kept: read with its bytes replaced, and said, line by line.
    let mut bytes = b"tweetid,userid,user_screen_name,tweet_time,tweet_text\n".to_vec();
    bytes.extend(b"1,a,M\xfcller,2020-01-01 10:00,caf\xe9 #ni\xf1o\n");
    bytes.extend(b"2,b,plain,2020-01-01 10:01,hello\n");
    bytes.extend(b"3,c,x,2020-01-01 10:02,na\xefve\n");
    let p = dir.path().join("latin1.csv");
    std::fs::write(&p, bytes).unwrap();
    let (d, r) = read(&[p]);
    assert_balanced(&r);
    assert_eq!((r.rows_accepted, r.rows_rejected), (3, 0));
    let w = &r.warnings["text not in UTF-8 (row kept, the bytes replaced with U+FFFD)"];
    assert_eq!(w.count, 2);
    let e = w.examples.join(" | ");
    assert!(
        e.contains("latin1.csv:2: found 'M\u{FFFD}ller'") && e.contains("latin1.csv:4: found 'na"),
        "{e}"
    );
    assert_eq!(d.accounts.screen_name(d.account[0]), Some("M\u{FFFD}ller"));
}

#[test]
fn an_archive_without_is_retweet_takes_retweets_from_what_they_retweet() {
    // The flag left out, or one cell of it empty: the retweeted tweet says it.
    let dir = tempfile::tempdir().unwrap();
    let rows = "1,a,2020-01-01 10:00,,\n2,b,2020-01-01 10:01,1,a\n3,c,2020-01-01 10:02,,\n";
    let without = write(
        dir.path(),
        "without.csv",
        &format!("tweetid,userid,tweet_time,retweet_tweetid,retweet_userid\n{rows}"),
    );
    let empty = write(
        dir.path(),
        "empty.csv",
        "tweetid,userid,tweet_time,is_retweet,retweet_tweetid,retweet_userid\n\
         1,a,2020-01-01 10:00,false,,\n2,b,2020-01-01 10:01,,1,a\n3,c,2020-01-01 10:02,,,\n",
    );
    // A file cut to fewer columns, none about retweets: the text's `RT @name:` tells them,
    // and the name their source (every retweet was read as an original post).
    let cut = write(
        dir.path(),
        "cut.csv",
        "tweetid,userid,user_screen_name,tweet_time,tweet_text\n\
         1,a,alice,2020-01-01 10:00,hello #x\n\
         2,b,bob,2020-01-01 10:01,RT @Alice: hello #x\n\
         3,c,carol,2020-01-01 10:02,so RT @alice: hello #x\n",
    );
    let (d, _) = read(std::slice::from_ref(&cut));
    let found = coordnet::graphs::retweet::sources(&d);
    let source = found[row_of(&d, 2)]
        .as_ref()
        .map(|s| d.accounts.key(s.account()));
    assert_eq!(source, Some("a"));
    for p in [without, empty, cut] {
        let (d, r) = read(std::slice::from_ref(&p));
        assert_eq!(r.rows_accepted, 3, "{}", p.display());
        let kinds: Vec<TweetKind> = (0..d.len()).map(|i| d.kind(i)).collect();
        assert_eq!(
            kinds,
            [TweetKind::Original, TweetKind::Retweet, TweetKind::Original],
            "{}",
            p.display()
        );
    }
}

#[test]
fn an_action_on_no_hashtag_is_refused_and_a_share_of_nothing_is_a_post() {
    use coordnet::ingest::{ActionsMapping, ObjectKind};
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "a.csv",
        "object_id,account_id,content_id,timestamp_share\no1,a1,1,1623881091\n,a2,2,1623881092\n",
    );
    for (kind, accepted) in [(ObjectKind::Hashtag, 1), (ObjectKind::Retweet, 2)] {
        let opts = IngestOptions {
            mapping: Some(ActionsMapping {
                account: "account_id".into(),
                time: "timestamp_share".into(),
                object: "object_id".into(),
                content: Some("content_id".into()),
                kind,
                ..Default::default()
            }),
            ..Default::default()
        };
        let (d, r) = ingest(std::slice::from_ref(&p), &opts).unwrap();
        assert_balanced(&r);
        assert_eq!(r.rows_accepted, accepted, "{kind:?}");
        if kind == ObjectKind::Hashtag {
            let e = r.rejected["missing object"].examples.join(" | ");
            assert!(e.contains("a.csv:3, column 'object_id'"), "{e}");
        } else {
            assert_eq!(d.kind(1), TweetKind::Original);
        }
    }
}

#[test]
fn compressions_and_encodings_coordnet_does_not_read_are_named_with_what_to_do() {
    // bzip2 read as lone carriage returns, xz and UTF-16 as CSV of an unknown layout.
    let dir = tempfile::tempdir().unwrap();
    let utf16 = |bom: bool| {
        let mut b: Vec<u8> = if bom { vec![0xff, 0xfe] } else { vec![] };
        b.extend(
            "tweetid,userid\n1,a\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        b
    };
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("a.csv.bz2", b"BZh91AY&SY\x00\x01".to_vec(), "bunzip2"),
        ("a.csv.xz", b"\xfd7zXZ\x00\x00\x04".to_vec(), "unxz"),
        ("bom.csv", utf16(true), "iconv -f UTF-16 -t UTF-8"),
        ("le.csv", utf16(false), "iconv -f UTF-16LE"),
    ];
    for (name, bytes, hint) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let e = ingest(std::slice::from_ref(&p), &IngestOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains(name) && e.contains(hint), "{name}: {e}");
    }
}

/// A date far from the rest (a missing one written as the epoch's zero, a mistyped year) is
/// kept and named: the tweet, its account and how far it lies from the middle of the rows;
/// a month of ordinary dates is not.
#[test]
fn rows_dated_far_from_the_rest_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = String::new();
    for i in 0..300 {
        let day = 1 + i % 30;
        rows.push_str(&format!(
            "{i},u{},2019-03-{day:02} 12:00,False,10,[]\n",
            i % 7
        ));
    }
    let month = write(dir.path(), "month.csv", &archive(&rows));
    let (_, r) = read(std::slice::from_ref(&month));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    rows.push_str("900,u1,1970-01-01 00:00,False,10,[]\n2000,u2,2091-03-01 12:00,False,10,[]\n");
    let path = write(dir.path(), "t.csv", &archive(&rows));
    let (d, r) = read(std::slice::from_ref(&path));
    assert_balanced(&r);
    assert_eq!(r.rows_accepted, 302, "both rows are kept");
    assert_eq!(d.len(), 302);
    let far =
        &r.warnings["dated far from the other rows (a placeholder for a missing date?); row kept"];
    assert_eq!(far.count, 2);
    assert!(
        far.examples[0].starts_with("1970-01-01T00:00:00.000Z: tweet 900 by u1, 17956 days before"),
        "{:?}",
        far.examples
    );
    assert!(far.examples[1].starts_with("2091-03-01T12:00:00.000Z: tweet 2000 by u2,"));
    assert!(far.examples[1].contains("after the middle 98% of rows (2019-03-01 to 2019-03-30)"));
    // What a person reads.
    let o = coordnet(&["stats", path.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("warning          2  dated far from the other rows"),
        "{out}"
    );
    // A placeholder in a file too small to have a middle is still one.
    let small = "1,u1,2019-03-01 12:00,False,10,[]\n2,u2,1970-01-01 00:00,False,10,[]\n";
    let (_, r) = read(&[write(dir.path(), "small.csv", &archive(small))]);
    assert_eq!(r.warnings.values().map(|w| w.count).sum::<u64>(), 1);
}

/// Slash dates are read month/day/year unless `--day-first`; a date that reads only the other
/// way stops the run naming it, since the file's dates with a day of 12 or less would
/// otherwise be read the wrong way round without a word.
#[test]
fn slash_dates_in_the_other_order_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "object_id,account_id,timestamp_share\n\
               o1,a,03/04/2019 10:00\n\
               o2,b,13/04/2019 10:00\n";
    let path = write(dir.path(), "dm.csv", csv);
    let p = path.to_str().unwrap();
    let o = coordnet(&["stats", p]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("dm.csv:3, column 'timestamp_share'")
            && err.contains("'13/04/2019 10:00'")
            && err.contains("--day-first"),
        "{err}"
    );
    // Read day first: 3 April and 13 April.
    let opts = IngestOptions {
        slash_dates: coordnet::ingest::SlashOrder::DayFirst,
        ..IngestOptions::default()
    };
    let (d, r) = ingest(std::slice::from_ref(&path), &opts).unwrap();
    assert_eq!(r.rows_accepted, 2);
    let days: Vec<String> = (d.time_ms.iter())
        .map(|&t| coordnet::dataset::time::format_iso(t)[..10].to_string())
        .collect();
    assert_eq!(days, ["2019-04-03", "2019-04-13"]);
    assert!(coordnet(&["stats", "--day-first", p]).status.success());
    // A US file given --day-first stops the same way.
    let us = write(dir.path(), "md.csv", &csv.replace("13/04", "04/13"));
    let o = coordnet(&["stats", "--day-first", us.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("md.csv:3") && err.contains("leave it out"),
        "{err}"
    );
}

/// In tweet formats a tweet id is one tweet: given twice with other items (a twarc2 JSON and
/// its CSV, which writes a retweet's entities from the tweet it carries) it is kept once. An
/// action CSV's rows may share an id, one share acting on several objects, and stay.
#[test]
fn a_tweet_given_twice_in_two_forms_is_one_tweet() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.csv",
        &archive("1,u1,2019-03-01 12:00,False,10,[a]\n"),
    );
    let b = write(
        dir.path(),
        "b.csv",
        &archive("1,u1,2019-03-01 12:00,False,10,\"[a, b]\"\n"),
    );
    let (d, r) = read(&[a, b]);
    assert_balanced(&r);
    assert_eq!(
        (r.rows_accepted, r.rows_rejected, r.reused_tweet_ids),
        (1, 1, 0)
    );
    assert_eq!(d.len(), 1);
    let actions = "object_id,account_id,content_id,timestamp_share\n\
                   #a,u1,1,1551441600\n\
                   #b,u1,1,1551441600\n";
    let opts = IngestOptions {
        mapping: Some(coordnet::ingest::ActionsMapping {
            object: "object_id".into(),
            kind: coordnet::ingest::ObjectKind::Hashtag,
            ..coordnet::ingest::ActionsMapping::coortweet()
        }),
        format: Some(coordnet::Format::Actions),
        ..IngestOptions::default()
    };
    let (d, r) = ingest(&[write(dir.path(), "actions.csv", actions)], &opts).unwrap();
    assert_eq!((r.rows_accepted, r.reused_tweet_ids), (2, 1));
    assert_eq!(d.len(), 2);
}

/// Extracts without tweet ids that overlap (a month's file given beside its half-year's) keep
/// each shared row once, the later file's copy counted as rejected with its line; a row
/// repeated within one file stays, as two tweets alike in the same minute may be.
#[test]
fn overlapping_files_without_tweet_ids_keep_shared_rows_once() {
    let dir = tempfile::tempdir().unwrap();
    let header = "author_id,content,region,language,publish_date,harvested_date,following,\
                  followers,updates,post_type,retweet\n";
    let row = |who: &str, text: &str, day: u32| {
        format!("{who},{text},US,English,10/{day}/2016 10:00,10/{day}/2016 11:00,1,2,3,,0\n")
    };
    let month = [
        row("a", "one", 1),
        row("b", "two #x", 2),
        row("c", "three", 3),
    ]
    .concat();
    let half = [
        row("b", "two #x", 2),
        row("c", "three", 3),
        row("c", "three again", 3),
        row("d", "four", 4),
        row("d", "four", 4),
    ]
    .concat();
    let a = write(dir.path(), "month.csv", &format!("{header}{month}"));
    let b = write(dir.path(), "half.csv", &format!("{header}{half}"));
    let (d, r) = read(&[a.clone(), b.clone()]);
    assert_balanced(&r);
    assert_eq!((r.rows_read, r.rows_accepted, r.rows_rejected), (8, 6, 2));
    let shared = &r.rejected["record an earlier file holds too (no tweet id; first copy kept)"];
    assert_eq!(shared.count, 2);
    assert!(
        shared.examples[0].contains("half.csv:2"),
        "{:?}",
        shared.examples
    );
    assert!(
        shared.examples[1].contains("half.csv:3"),
        "{:?}",
        shared.examples
    );
    assert_eq!(d.len(), 6);
    assert_eq!(r.duplicates, 2);
    assert!(
        r.summary().starts_with(
            "read 8 records from 2 file(s): 6 accepted, 2 rejected (2 of them copies of \
             records already read, each kept once)"
        ),
        "{}",
        r.summary()
    );
    // Without `post_type`, a quote's `retweet` flag cannot be told from a retweet's: said.
    assert!(!r.summary().contains("no post_type column"));
    let bare = write(
        dir.path(),
        "bare.csv",
        "author,content,publish_date,retweet\nx,hello,10/1/2016 19:58,1\n",
    );
    let (_, r) = read(std::slice::from_ref(&bare));
    assert!(
        r.summary()
            .contains("bare.csv has no post_type column: its rows with retweet = 1"),
        "{}",
        r.summary()
    );
    // Each file alone loses nothing, its own repeat included.
    let (_, r) = read(std::slice::from_ref(&b));
    assert_eq!((r.rows_accepted, r.rows_rejected), (5, 0));
    assert!(!r.summary().contains("copies"), "{}", r.summary());
    // A strict run stops at the first shared row, naming it.
    let opts = IngestOptions {
        strict: true,
        ..Default::default()
    };
    let msg = ingest(&[a, b], &opts).unwrap_err().to_string();
    assert!(
        msg.contains("half.csv:2") && msg.contains("is in an earlier file too"),
        "{msg}"
    );
}

/// Most of an input unreadable is a damaged file or a layout misread: the run stops once every
/// row is counted, naming the file, its main reason and the setting, rather than finding
/// clusters in what was left. Records read before, and stream notices, are no damage.
#[test]
fn most_records_rejected_stops_the_run_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "t.csv",
        &archive(
            "1,u1,2019-03-01 12:00,False,10,[a]\n\
             2,u2,yesterday,False,10,[]\n\
             3,u3,2019-03-01 12:01,False,10,[]\n\
             4,u4,today,False,10,[]\n\
             5,u5,tomorrow,False,10,[]\n",
        ),
    );
    let e = ingest(std::slice::from_ref(&p), &IngestOptions::default()).unwrap_err();
    let said = e.to_string();
    assert!(
        said.contains("t.csv: 3 of its 5 records were rejected (3 bad time, e.g. ")
            && said.contains("t.csv:3, column 'tweet_time'")
            && said.contains("more than the 50% a run may reject"),
        "{said}"
    );
    assert_eq!(e.setting(), Some(coordnet::error::Setting::MaxRejected));
    // Allowed more, the same file reads, its bad rows counted.
    let opts = IngestOptions {
        max_rejected_share: 0.6,
        ..IngestOptions::default()
    };
    let (d, r) = ingest(std::slice::from_ref(&p), &opts).unwrap();
    assert_eq!((d.tweets(), r.rows_rejected), (2, 3));

    // Copies of rows read before are kept once, not damage: 4 of 5 rejected, and read.
    let copies = write(
        dir.path(),
        "copies.csv",
        &archive(&"1,u1,2019-03-01 12:00,False,10,[a]\n".repeat(5)),
    );
    let (d, r) = ingest(&[copies], &IngestOptions::default()).unwrap();
    assert_eq!((d.tweets(), r.rows_rejected, r.duplicates), (1, 4, 4));

    // Nor are a stream's notices, which a collection holds as it was sent them.
    let stream = write(
        dir.path(),
        "stream.jsonl",
        "{\"id_str\":\"5\",\"created_at\":\"Wed Oct 10 20:19:24 +0000 2018\",\"text\":\"hi\",\
         \"user\":{\"id_str\":\"7\",\"screen_name\":\"a\"}}\n\
         {\"limit\":{\"track\":12,\"timestamp_ms\":\"1600000000000\"}}\n\
         {\"delete\":{\"status\":{\"id\":1,\"user_id\":2}}}\n",
    );
    let (d, r) = ingest(&[stream], &IngestOptions::default()).unwrap();
    assert_eq!((d.tweets(), r.rows_rejected), (1, 2));
}
