//! The hostile-input corpus: files that went through many hands. Each case has its expected
//! outcome (rejected with reason and position, accepted with a warning, accepted, or a clear
//! error for the whole file) and exact accounting: rows read = accepted + rejected, per reason.

use super::*;
use std::collections::{HashMap, HashSet};
use std::io::Write;

const HEADER: &str = "tweetid,userid,tweet_time,tweet_text";

fn archive_rows(rows: &[&str]) -> String {
    let mut s = format!("{HEADER}\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

/// Read `bytes` as one file; the stats, with the accounting checked.
fn outcome(name: &str, bytes: &[u8]) -> IngestStats {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    let (_, stats) = ingest(&[p], &counting()).unwrap();
    assert_balanced(&stats);
    stats
}

fn rejected(s: &IngestStats, reason: &str) -> (u64, Vec<String>) {
    s.rejected
        .get(reason)
        .map_or((0, Vec::new()), |r| (r.count, r.examples.clone()))
}

#[test]
fn ids_in_float_notation_or_cut_short() {
    let s = outcome(
        "ids.csv",
        archive_rows(&[
            "1233905627802103808,u1,2020-03-01 00:03,fine",
            "1.23390562780210E+18,u2,2020-03-01 00:00,excel",
            "1233905627802103808.0,u3,2020-03-01 00:00,pandas",
            "1233905627802104832,1.5e10,2020-03-01 00:03,user id too",
            "123390562780210,u5,2020-03-01 00:00,cut short",
        ])
        .as_bytes(),
    );
    assert_eq!((s.rows_read, s.rows_accepted, s.rows_rejected), (5, 2, 3));
    let (n, examples) = rejected(&s, "id in float notation");
    assert_eq!(n, 3);
    assert!(
        examples[0].contains("ids.csv:3, column 'tweetid'"),
        "{examples:?}"
    );
    assert!(
        examples[2].contains("ids.csv:5, column 'userid'"),
        "{examples:?}"
    );
    // An id cut short is still a number; its snowflake time disagrees with the written one,
    // which is counted, and the written time kept.
    assert_eq!(s.snowflake_mismatches, 1);
}

#[test]
fn stray_and_unbalanced_quotes_cost_their_own_rows() {
    let s = outcome(
        "quotes.csv",
        archive_rows(&[
            "\"unterminated\"1234095113580315134\",u1,2020-03-01 00:00,a",
            "2,u2,2020-03-01 00:00,\"fine, quoted \"\"inside\"\"\"",
            "3,u3,2020-03-01 00:00,a\"b",
            "4,\"u4,2020-03-01 00:00,never closed",
            "5,u5,2020-03-01 00:00,after",
            "6,u6,2020-03-01 00:00,after",
        ])
        .as_bytes(),
    );
    assert_eq!((s.rows_read, s.rows_accepted, s.rows_rejected), (6, 3, 3));
    let (n, examples) = rejected(&s, "malformed CSV quoting");
    assert_eq!(n, 3);
    for line in [2, 4, 5] {
        assert!(
            examples
                .iter()
                .any(|e| e.contains(&format!("quotes.csv:{line}:"))),
            "{examples:?}"
        );
    }
}

#[test]
fn headers_repeated_mid_file_and_a_byte_order_mark() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(
        archive_rows(&[
            "1,u1,2020-03-01 00:00,a",
            HEADER,
            "2,u2,2020-03-01 00:00,b",
            "TWEETID, userid ,tweet_time,tweet_text",
        ])
        .as_bytes(),
    );
    let s = outcome("joined.csv", &bytes);
    assert_eq!(
        s.files[0].format,
        Some(coordnet::Format::IoTweets),
        "the BOM is not in the header"
    );
    assert_eq!((s.rows_read, s.rows_accepted, s.rows_rejected), (4, 2, 2));
    let (n, examples) = rejected(&s, "header repeated mid-file");
    assert_eq!(n, 2);
    assert!(examples[0].contains("joined.csv:3:"), "{examples:?}");
}

#[test]
fn a_header_in_another_column_order_mid_file_stops_the_run() {
    // Two files joined, each with its header, the second's columns in another order: the
    // rows after it would be read with user ids as tweet ids, so the run stops there, in any
    // chunk size (one chunk, or the header at a chunk's start or in its middle).
    let bytes = archive_rows(&[
        "1,u1,2020-03-01 00:00,a",
        "2,u2,2020-03-01 00:00,b",
        "userid,tweetid,tweet_time,tweet_text",
        "u3,3,2020-03-01 00:00,c",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "joined.csv", &bytes);
    for chunk_bytes in [1 << 20, 60, 16] {
        let opts = IngestOptions {
            chunk_bytes,
            ..IngestOptions::default()
        };
        let e = ingest(std::slice::from_ref(&p), &opts)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("joined.csv:4") && e.contains("another order"),
            "{chunk_bytes}: {e}"
        );
        assert!(e.contains("split the file at this line"), "{e}");
    }
    // A data row whose first field happens to be a column's name is data.
    let s = outcome(
        "named.csv",
        archive_rows(&["1,userid,2020-03-01 00:00,tweet_text"]).as_bytes(),
    );
    assert_eq!((s.rows_read, s.rows_accepted), (1, 1));
}

#[test]
fn line_ends_crlf_read_and_lone_cr_refused() {
    let crlf =
        archive_rows(&["1,u1,2020-03-01 00:00,a", "2,u2,2020-03-01 00:00,b"]).replace('\n', "\r\n");
    let s = outcome("crlf.csv", crlf.as_bytes());
    assert_eq!((s.rows_read, s.rows_accepted), (2, 2));
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "cr.csv", &crlf.replace("\r\n", "\r"));
    let e = ingest(&[p], &IngestOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cr.csv: ends its lines with lone carriage returns"),
        "{e}"
    );
}

#[test]
fn bad_utf8_and_nul_bytes_are_kept_as_read() {
    let mut bytes = format!("{HEADER}\n1,u1,2020-03-01 00:00,caf").into_bytes();
    bytes.extend(b"\xE9 \x00 ok\n2,u\x002,2020-03-01 00:00,b\n");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bytes.csv");
    std::fs::write(&p, &bytes).unwrap();
    let (d, s) = ingest(&[p], &IngestOptions::default()).unwrap();
    assert_eq!((s.rows_read, s.rows_accepted), (2, 2));
    // The invalid byte is replaced, not dropped with its row.
    assert!(
        d.texts.iter().any(|t| t.contains('\u{FFFD}')),
        "no replacement character"
    );
}

/// A value quoted in a message cannot act on the terminal it is printed to: an escape sequence
/// in a bad field (which cleared the screen and recoloured it) and a mark that reorders the
/// line are written out, and so is a line end, so the example stays on its line.
#[test]
fn a_bad_value_is_quoted_with_what_a_terminal_would_act_on_written_out() {
    let s = outcome(
        "t.csv",
        archive_rows(&[
            "1,u1,\x1b[2J\x1b[31mFAKE OK\x1b[0m,hi",
            "2,u2,\"2019\u{202e}\n03\",hi",
        ])
        .as_bytes(),
    );
    let (n, examples) = rejected(&s, "bad time");
    assert_eq!(n, 2);
    assert!(
        examples[0].contains("found '\\u{1b}[2J\\u{1b}[31mFAKE OK\\u{1b}[0m'"),
        "{examples:?}"
    );
    assert!(
        examples[1].contains("found '2019\\u{202e}\\u{a}03'"),
        "{examples:?}"
    );
    for example in &examples {
        assert!(!example.contains(['\x1b', '\u{202e}', '\n']), "{example}");
    }
}

#[test]
fn a_20_mb_field_and_100000_columns() {
    let big = "x".repeat(20 << 20);
    let s = outcome(
        "big.csv",
        archive_rows(&[&format!("1,u1,2020-03-01 00:00,{big}")]).as_bytes(),
    );
    assert_eq!((s.rows_read, s.rows_accepted), (1, 1));
    let mut wide = String::from("tweetid,userid,tweet_time");
    let mut row = String::from("1,u1,2020-03-01 00:00");
    for i in 0..100_000 {
        wide.push_str(&format!(",c{i}"));
        row.push_str(",v");
    }
    let s = outcome("wide.csv", format!("{wide}\n{row}\n").as_bytes());
    assert_eq!((s.rows_read, s.rows_accepted), (1, 1));
}

#[test]
fn a_line_longer_than_the_limit_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("long.csv");
    let mut f = std::fs::File::create(&p).unwrap();
    writeln!(f, "{HEADER}").unwrap();
    writeln!(f, "1,u1,2020-03-01 00:00,a").unwrap();
    f.write_all(&vec![b'y'; 3 << 20]).unwrap();
    drop(f);
    let opts = IngestOptions {
        max_record_bytes: 1 << 20,
        chunk_bytes: 1 << 16,
        ..IngestOptions::default()
    };
    let e = ingest(&[p], &opts).unwrap_err();
    assert!(matches!(e.kind(), coordnet::ErrorKind::Limit { .. }));
    assert!(
        e.to_string()
            .contains("long.csv:3: a record longer than 1 MiB"),
        "{e}"
    );
}

#[test]
fn empty_and_header_only_files_warn_and_detect_refuses_to_run_on_nothing() {
    let s = outcome("empty.csv", b"");
    assert!(
        s.summary().contains("empty.csv is empty"),
        "{}",
        s.summary()
    );
    let s = outcome("header.csv", format!("{HEADER}\n").as_bytes());
    assert!(s
        .summary()
        .contains("header.csv holds a header and no records"));
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "header.csv", &format!("{HEADER}\n"));
    let o = coordnet(&[
        "detect",
        p.to_str().unwrap(),
        "-o",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing to detect"));
    assert!(!dir.path().join("out/clusters.csv").exists());
}

/// 100 MB of one byte, which compresses to a few hundred kB: read as a stream, it stops at
/// the record limit instead of holding the whole expansion.
#[test]
fn compressed_files_that_expand_far_are_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let expanded = {
        let mut v = format!("{HEADER}\n").into_bytes();
        v.extend(std::iter::repeat_n(b'z', 100 << 20));
        v
    };
    let gz = dir.path().join("bomb.csv.gz");
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::best(),
    );
    e.write_all(&expanded).unwrap();
    e.finish().unwrap();
    let zst = dir.path().join("bomb.csv.zst");
    std::fs::write(&zst, zstd::encode_all(&expanded[..], 19).unwrap()).unwrap();
    for p in [gz, zst] {
        assert!(std::fs::metadata(&p).unwrap().len() < 1 << 20);
        let err = ingest(std::slice::from_ref(&p), &IngestOptions::default()).unwrap_err();
        assert!(
            err.to_string().contains("a record longer than 64 MiB"),
            "{err}"
        );
    }
}

#[test]
fn zips_holding_zips_and_other_files_read_their_data_and_say_what_they_left() {
    let dir = tempfile::tempdir().unwrap();
    let inner = {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        z.start_file("inner.csv", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(archive_rows(&["9,u9,2020-03-01 00:00,inner"]).as_bytes())
            .unwrap();
        z.finish().unwrap().into_inner()
    };
    let p = dir.path().join("outer.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("tweets.csv", opts).unwrap();
    z.write_all(archive_rows(&["1,u1,2020-03-01 00:00,a", "2,u2,2020-03-01 00:00,b"]).as_bytes())
        .unwrap();
    z.start_file("nested.zip", opts).unwrap();
    z.write_all(&inner).unwrap();
    z.start_file("README.txt", opts).unwrap();
    z.write_all(b"not data").unwrap();
    // An answer key named as data: left out as it would be in a folder, though the zip is
    // named (it stopped the run).
    z.start_file("answers.csv", opts).unwrap();
    z.write_all(b"account_id,network,role\nu1,n1,core\n")
        .unwrap();
    z.finish().unwrap();
    let (d, s) = ingest(&[p], &IngestOptions::default()).unwrap();
    assert_eq!(d.len(), 2);
    let left: Vec<String> = s
        .skipped_entries
        .iter()
        .map(|e| e.path.display().to_string())
        .collect();
    assert!(
        left.iter().any(|e| e.ends_with("outer.zip!/nested.zip")),
        "{left:?}"
    );
    assert!(
        left.iter().any(|e| e.ends_with("outer.zip!/README.txt")),
        "{left:?}"
    );
    assert!(s.summary().contains("nested.zip not read"));
    assert!(
        s.summary()
            .contains("outer.zip!/answers.csv not read: unknown CSV layout"),
        "{}",
        s.summary()
    );
}

/// The zip crate keeps one entry per name: of two entries named alike, one entry's rows were
/// silently lost. Such an archive is refused, naming the archive and the repeated name.
#[test]
fn a_zip_with_two_entries_of_one_name_is_refused_not_read_as_one() {
    let dir = tempfile::tempdir().unwrap();
    // The writer refuses a repeated name, so the second entry is written as `part_b.csv` and
    // renamed in the bytes (local header and central directory; the data holds no such text).
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("part_a.csv", opts).unwrap();
    z.write_all(archive_rows(&["1,u1,2020-03-01 00:00,a"]).as_bytes())
        .unwrap();
    z.start_file("part_b.csv", opts).unwrap();
    z.write_all(archive_rows(&["2,u2,2020-03-01 00:00,b", "3,u3,2020-03-01 00:00,c"]).as_bytes())
        .unwrap();
    let mut bytes = z.finish().unwrap().into_inner();
    let (from, to) = (b"part_b.csv", b"part_a.csv");
    let mut renamed = 0;
    for i in 0..bytes.len() - from.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            renamed += 1;
        }
    }
    assert_eq!(
        renamed, 2,
        "the name in the local header and the central directory"
    );
    let p = dir.path().join("dup.zip");
    std::fs::write(&p, &bytes).unwrap();

    let e = ingest(std::slice::from_ref(&p), &IngestOptions::default())
        .map(|(d, _)| d.len())
        .expect_err("an archive whose rows cannot all be read is refused");
    let msg = e.to_string();
    assert!(
        msg.contains("dup.zip") && msg.contains("'part_a.csv'") && msg.contains("unzip"),
        "{msg}"
    );
    let o = coordnet(&["stats", p.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("dup.zip") && err.contains("'part_a.csv'"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn json_nested_deep_and_numbers_beyond_64_bits() {
    let deep = format!(
        "{{\"data\":{}{}}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let huge = "{\"id\":123456789012345678901234567890,\"id_str\":\"123456789012345678901234567890\",\"text\":\"x\",\
                \"created_at\":\"Tue Jul 18 23:25:04 +0000 2017\",\"user\":{\"id_str\":\"1\"}}\n";
    let fine = "{\"id_str\":\"887484712440483840\",\"text\":\"ok\",\"created_at\":\"Tue Jul 18 23:25:04 +0000 2017\",\
                \"user\":{\"id_str\":\"2\"}}\n";
    let s = outcome("v1.jsonl", format!("{fine}{deep}{huge}").as_bytes());
    assert_eq!(s.rows_read, 3);
    assert_eq!(s.rows_accepted + s.rows_rejected, 3);
    // Valid JSON with an id past 64 bits: the tweet's id is refused, not the line's JSON.
    let (n, examples) = rejected(&s, "bad tweet id");
    assert!(n >= 1, "{}", s.summary());
    assert!(
        examples.iter().any(|e| e.contains("v1.jsonl:3")),
        "{examples:?}"
    );
    // 100 000 nested arrays in an unknown field neither overflow the stack nor hide the row.
    assert_eq!(rejected(&s, "missing tweet id").0, 1, "{}", s.summary());
}

/// Names that would run in a spreadsheet, break XML or reverse the text around them.
const HOSTILE_NAMES: [&str; 5] = [
    "=HYPERLINK(\"http://x.example\",\"open\")",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+\u{202E}dlrow ]]><!-- ",
    "-2+3\t\"quoted\"\r\n",
    "\u{7}bell & <b>bold</b>",
];

/// The sample with every account renamed to one of [`HOSTILE_NAMES`] (its id kept, so names
/// stay unique) and every tweet prefixed with one; the new names by account id.
fn hostile_names_sample(dir: &Path) -> (PathBuf, HashMap<String, String>) {
    let sample = sample_tweets();
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&sample).unwrap()),
        &mut text,
    )
    .unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (user, screen, display, tweet) = (
        col("userid"),
        col("user_screen_name"),
        col("user_display_name"),
        col("tweet_text"),
    );
    let path = dir.join("hostile_names.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&header).unwrap();
    let mut names = HashMap::new();
    for rec in r.records() {
        let mut rec: Vec<String> = rec.unwrap().iter().map(String::from).collect();
        let k = names.len() % HOSTILE_NAMES.len();
        let name = names
            .entry(rec[user].clone())
            .or_insert_with(|| format!("{}{}", HOSTILE_NAMES[k], &rec[user][..8]))
            .clone();
        rec[screen] = name.clone();
        rec[display] = name.clone();
        rec[tweet] = format!("{} {}", HOSTILE_NAMES[k], rec[tweet]);
        w.write_record(&rec).unwrap();
    }
    w.flush().unwrap();
    (path, names)
}

/// Every cell of a CSV output, read back with the csv crate: none a spreadsheet would run.
fn assert_no_formula_cells(path: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let mut rows = vec![r.headers().unwrap().clone()];
    for rec in r.records() {
        rows.push(rec.unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    }
    for (i, rec) in rows.iter().enumerate() {
        for cell in rec {
            let runs = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
            assert!(
                !runs || cell.trim().parse::<f64>().is_ok(),
                "{} row {i}: a spreadsheet would run {cell:?}",
                path.display()
            );
        }
    }
    rows
}

/// Every attribute (name, value) and text ("", value) of an XML output, read back with
/// quick-xml, which fails on anything ill-formed.
fn xml_strings(path: &Path) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().check_end_names = true;
    let mut out = Vec::new();
    let mut depth = 0i64;
    loop {
        let ev = reader
            .read_event()
            .unwrap_or_else(|e| panic!("{} is not well-formed XML: {e}", path.display()));
        match &ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                depth += i64::from(matches!(ev, Event::Start(_)));
                for a in e.attributes() {
                    let a = a.unwrap();
                    let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                    out.push((key, a.unescape_value().unwrap().into_owned()));
                }
            }
            Event::End(_) => depth -= 1,
            Event::Text(t) => out.push((String::new(), t.unescape().unwrap().into_owned())),
            _ => {}
        }
    }
    assert_eq!(depth, 0, "{}: unbalanced elements", path.display());
    out
}

#[test]
fn hostile_names_and_texts_come_back_whole_from_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let (input, names) = hostile_names_sample(dir.path());
    let out = dir.path().join("out");
    let o = coordnet(&[
        "detect",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // CSV: no cell runs, and each name reads back as given once the apostrophe is off.
    let accounts = assert_no_formula_cells(&out.join("accounts.csv"));
    let column = |n: &str| accounts[0].iter().position(|h| h == n).unwrap();
    let (id, screen) = (column("account_id"), column("screen_name"));
    assert_eq!(accounts.len() - 1, names.len());
    for rec in &accounts[1..] {
        let back = coordnet::report::safe::unguard(&rec[screen]);
        assert_eq!(back, names[&rec[id]], "account {}", &rec[id]);
    }
    assert!(assert_no_formula_cells(&out.join("clusters.csv")).len() > 1);
    assert!(assert_no_formula_cells(&out.join("edges.csv")).len() > 1);
    let summary = summary_json(&out);
    assert!(summary.is_object());

    // XML: well-formed, and every node label is a name less what XML 1.0 cannot hold.
    let xml_form = |s: &str| -> String {
        s.chars()
            .filter(|c| *c >= ' ' || "\t\n\r".contains(*c))
            .collect()
    };
    let expected: HashSet<String> = names.values().map(|n| xml_form(n)).collect();
    let mut files = vec![out.join("network.gexf")];
    for file in ["g.gexf", "g.graphml"] {
        let path = dir.path().join(file);
        let o = coordnet(&[
            "graph",
            input.to_str().unwrap(),
            "-o",
            path.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        files.push(path);
    }
    for file in files {
        let strings = xml_strings(&file);
        let labels: Vec<&String> = strings
            .iter()
            .filter(|(k, _)| k == "label")
            .map(|(_, v)| v)
            .collect();
        let named = strings.iter().filter(|(_, v)| expected.contains(v)).count();
        assert!(
            named > 10,
            "{}: {named} names come back whole",
            file.display()
        );
        for l in labels {
            assert!(expected.contains(l), "{}: label {l:?}", file.display());
        }
    }
}

/// `detect` on `input` with `flags`: its log and summary.json.
fn detect_summary(input: &Path, out: &Path, flags: &[&str]) -> (String, serde_json::Value) {
    let mut args = vec![
        "detect",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(flags);
    let o = coordnet(&args);
    let log = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{log}");
    (log, summary_json(out))
}

#[test]
fn limits_hit_are_reported_and_can_be_changed() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_tweets();
    // The neighbour cap: the default leaves the sample whole; a cap of 2 cuts pairs, and says so.
    let capped = |s: &serde_json::Value| -> u64 {
        let graphs = s["graphs"].as_array().unwrap();
        graphs
            .iter()
            .map(|g| g["pairs_capped"].as_u64().unwrap())
            .sum()
    };
    let (log, whole) = detect_summary(&sample, &dir.path().join("a"), &[]);
    assert_eq!(capped(&whole), 0, "{log}");
    assert!(!log.contains("--max-neighbors"), "{log}");
    let (log, cut) = detect_summary(&sample, &dir.path().join("b"), &["--max-neighbors", "2"]);
    assert!(capped(&cut) > 0, "{log}");
    assert!(log.contains("left out by --max-neighbors 2"), "{log}");

    // The archive's common items: a limit of 2 accounts per item makes most items too common.
    let archive = dir.path().join("archive");
    let config = coordnet::synth::SynthConfig::archive(20_000);
    coordnet::synth::generate(&config, &archive).unwrap();
    let tweets = archive.join("tweets.csv");
    let (log, s) = detect_summary(&tweets, &dir.path().join("c"), &[]);
    assert_eq!(s["input"]["kind"], "archive", "{log}");
    let default_common = s["counts"]["items_too_common"].as_u64().unwrap();
    let (log, s) = detect_summary(
        &tweets,
        &dir.path().join("d"),
        &["--max-item-accounts", "2"],
    );
    let common = s["counts"]["items_too_common"].as_u64().unwrap();
    assert!(
        common > default_common,
        "{common} vs {default_common}: {log}"
    );
    assert!(log.contains("--max-item-accounts 2"), "{log}");
    let o = coordnet(&[
        "detect",
        tweets.to_str().unwrap(),
        "--max-item-accounts",
        "1",
        "-o",
        "x",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("try 5000"));
}

#[test]
fn a_folder_reads_its_data_and_skips_files_of_no_known_layout_that_it_holds() {
    // data-samples holds the tweets and, beside them, the truth and the traps.
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples");
    let dir = tempfile::tempdir().unwrap();
    let (folder_log, folder) = detect_summary(&samples, &dir.path().join("folder"), &[]);
    let tweets = samples.join("tweets.csv.gz");
    let (_, alone) = detect_summary(&tweets, &dir.path().join("alone"), &[]);
    let skipped = folder["ingest"]["skipped_entries"].as_array().unwrap();
    let names: Vec<&str> = (skipped.iter())
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert!(
        names.len() == 2 && names[0].ends_with("traps.csv") && names[1].ends_with("truth.csv"),
        "{skipped:?}"
    );
    for s in skipped {
        let why = s["why"].as_str().unwrap();
        assert!(
            why.contains("unknown CSV layout") && why.contains("--format"),
            "{why}"
        );
    }
    assert!(
        folder_log.contains("traps.csv not read: unknown CSV layout"),
        "{folder_log}"
    );
    for part in ["counts", "graphs"] {
        assert_eq!(folder[part], alone[part], "{part}");
    }
    let clusters = |run: &str| std::fs::read(dir.path().join(run).join("clusters.csv")).unwrap();
    assert_eq!(clusters("folder"), clusters("alone"));

    // Named, or under --strict, such a file stops the run.
    let (out, truth) = (dir.path().join("x"), samples.join("truth.csv"));
    let (out, truth, samples) = (
        out.to_str().unwrap(),
        truth.to_str().unwrap(),
        samples.to_str().unwrap(),
    );
    for args in [
        vec!["stats", tweets.to_str().unwrap(), truth],
        vec!["stats", "--strict", samples],
        vec!["detect", "--strict", samples, "-o", out],
    ] {
        let o = coordnet(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("unknown CSV layout"), "{args:?}: {err}");
    }
}

#[test]
fn a_json_file_of_no_known_layout_in_a_folder_is_skipped_named_it_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    write(
        &data,
        "t.csv",
        &archive_rows(&["1233905627802103808,u1,2020-03-01 00:03,hello"]),
    );
    let config = write(&data, "config.json", "{\"settings\": {\"a\": 1}}\n");
    let (_, stats) = ingest(&[data], &IngestOptions::default()).unwrap();
    assert_eq!(stats.rows_accepted, 1);
    assert_eq!(stats.files.len(), 1);
    let skipped = &stats.skipped_entries;
    assert!(
        skipped.len() == 1 && skipped[0].path == config && skipped[0].why.contains("--format"),
        "{skipped:?}"
    );
    assert!(ingest(&[config], &IngestOptions::default()).is_err());
}

#[test]
fn a_copy_under_another_name_is_read_once_not_doubled() {
    // The IRA layout has no tweet id: repeated rows cannot be found after reading.
    let dir = tempfile::tempdir().unwrap();
    let ira =
        "author,content,publish_date\nann,hello #a,10/1/2016 19:58\nbob,hello #a,10/1/2016 19:59\n";
    let first = write(dir.path(), "ira.csv", ira);
    let copy = dir.path().join("copy.csv");
    std::fs::copy(&first, &copy).unwrap();
    // As long, other content: read (rows of its own: a row another file holds is kept once).
    let other = write(
        dir.path(),
        "other.csv",
        &ira.replace("ann", "cat").replace("bob", "dan"),
    );
    let (data, stats) = ingest(
        &[first.clone(), copy.clone(), other],
        &IngestOptions::default(),
    )
    .unwrap();
    assert_balanced(&stats);
    assert_eq!((data.len(), stats.files.len()), (4, 2));
    let skipped = &stats.skipped_entries;
    assert!(
        skipped.len() == 1
            && skipped[0].path == copy
            && skipped[0].why.contains("the same content as")
            && skipped[0].why.contains(first.to_str().unwrap()),
        "{skipped:?}"
    );
    let o = coordnet(&["stats", first.to_str().unwrap(), copy.to_str().unwrap()]);
    let log = String::from_utf8_lossy(&[o.stdout, o.stderr].concat()).into_owned();
    assert!(o.status.success(), "{log}");
    assert!(
        log.contains(&format!(
            "{} not read: the same content as {}",
            copy.display(),
            first.display()
        )),
        "{log}"
    );
}

/// A folder holding a file and its gzip copy (`gunzip -k` leaves both) read every id-less row
/// twice; the copy is read once decompressed and compared, and left out when the same. A
/// compressed file of other content beside it is read. So for a zip unzipped beside itself.
#[test]
fn a_file_beside_its_own_compressed_copy_is_read_once() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let ira =
        "author,content,publish_date\nann,hello #a,10/1/2016 19:58\nbob,hello #a,10/1/2016 19:59\n";
    let gz = |text: &str| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(text.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    let folder = dir.path().join("slice");
    std::fs::create_dir(&folder).unwrap();
    let plain = write(&folder, "tweets.csv", ira);
    let copy = folder.join("tweets.csv.gz");
    std::fs::write(&copy, gz(ira)).unwrap();
    let (data, stats) = ingest(std::slice::from_ref(&folder), &IngestOptions::default()).unwrap();
    assert_balanced(&stats);
    assert_eq!((data.len(), stats.files.len()), (2, 1));
    let skipped = &stats.skipped_entries;
    assert!(
        skipped.len() == 1
            && skipped[0].path == copy
            && skipped[0].why.contains("once decompressed")
            && skipped[0].why.contains(plain.to_str().unwrap()),
        "{skipped:?}"
    );
    // Another slice under the compressed name: both read.
    std::fs::write(&copy, gz(&ira.replace("ann", "cat").replace("bob", "dan"))).unwrap();
    let (data, stats) = ingest(std::slice::from_ref(&folder), &IngestOptions::default()).unwrap();
    assert_eq!((data.len(), stats.files.len()), (4, 2));
    assert!(stats.skipped_entries.is_empty());
    // A release's zip unzipped beside itself: the entry that is the loose file is read once,
    // one of other content is read.
    std::fs::remove_file(&copy).unwrap();
    let zipped = folder.join("release.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zipped).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    z.start_file("release/tweets.csv", options).unwrap();
    z.write_all(ira.as_bytes()).unwrap();
    z.start_file("release/more.csv", options).unwrap();
    z.write_all(ira.replace("ann", "cat").replace("bob", "dan").as_bytes())
        .unwrap();
    z.finish().unwrap();
    let (data, stats) = ingest(&[folder], &IngestOptions::default()).unwrap();
    assert_balanced(&stats);
    assert_eq!((data.len(), stats.files.len()), (4, 2));
    let skipped = &stats.skipped_entries;
    assert!(
        skipped.len() == 1
            && skipped[0].path.ends_with("release.zip!/release/tweets.csv")
            && skipped[0].why.contains(plain.to_str().unwrap()),
        "{skipped:?}"
    );
}

/// Tab- and semicolon-separated files are not read as CSV: named, one is refused saying how to
/// convert it; in a folder, a `.tsv` is not data by its name and is left out, named.
#[test]
fn a_tab_separated_file_is_refused_saying_how_to_convert_it() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = write(
        dir.path(),
        "tweets.tsv",
        "tweetid\tuserid\ttweet_time\n1\t2\t2020-01-01 00:00\n",
    );
    let o = coordnet(&["stats", tsv.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("tweets.tsv: tab-separated values") && err.contains("csvformat -t"),
        "{err}"
    );
    // As a spreadsheet with a comma for decimals saves it.
    let semi = write(
        dir.path(),
        "semi.csv",
        "tweetid;userid;tweet_time
1;2;2020-01-01 00:00
",
    );
    let o = coordnet(&["stats", semi.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("semi.csv: semicolon-separated values") && err.contains("csvformat -d ';'"),
        "{err}"
    );
    std::fs::remove_file(&semi).unwrap();
    // A folder of nothing but it: the refusal names what was passed over.
    let o = coordnet(&["stats", dir.path().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("holds no input files")
            && err.contains("passed over 1: ")
            && err.contains("tweets.tsv (name a file"),
        "{err}"
    );
    write(
        dir.path(),
        "t.csv",
        &archive_rows(&["5,6,2020-01-01 00:00,hi"]),
    );
    let o = coordnet(&["stats", dir.path().to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        out.contains("tweets.tsv not read: not a data file by its name"),
        "{out}"
    );
}

/// A JSON array of tweets (a saved API response, some scrapers' output), on one line or
/// pretty-printed, is refused with the conversion to JSON lines, which is then read.
#[test]
fn a_json_array_is_refused_saying_how_to_make_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let tweet = |id: u32, user: u32| {
        format!(
            r#"{{"id_str":"{id}","created_at":"Wed Oct 10 20:19:24 +0000 2018","text":"hi","user":{{"id_str":"{user}","screen_name":"u{user}"}}}}"#
        )
    };
    let (a, b) = (tweet(1, 9), tweet(2, 8));
    for (name, text) in [
        ("one-line.json", format!("[{a},{b}]\n")),
        ("pretty.json", format!("[\n  {a},\n  {b}\n]\n")),
    ] {
        let p = write(dir.path(), name, &text);
        let o = coordnet(&["stats", p.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("{name}: is a JSON array")) && err.contains("jq -c '.[]'"),
            "{err}"
        );
    }
    // One record pretty-printed (a v2 page saved from a browser): the conversion too.
    let page = write(
        dir.path(),
        "page.json",
        "{\n  \"data\": [{\"id\": \"1\", \"author_id\": \"2\", \"text\": \"x\"}]\n}\n",
    );
    let o = coordnet(&["stats", page.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("page.json: is pretty-printed JSON") && err.contains("jq -c ."),
        "{err}"
    );
    let lines = write(dir.path(), "lines.jsonl", &format!("{a}\n{b}\n"));
    let o = coordnet(&["stats", "--json", lines.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["tweets"], 2, "{v}");
    // JSON lines whose first line was cut short (a file split by bytes) are JSON lines: the
    // line is rejected as any later one would be, where it was taken for pretty-printing.
    let cut = write(
        dir.path(),
        "cut.jsonl",
        &format!("{}\n{b}\n{a}\n", &a[a.len() / 2..]),
    );
    let o = coordnet(&["stats", "--json", cut.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["tweets"], 2, "{v}");
    let rejected = v.to_string();
    assert!(rejected.contains("cut.jsonl:1"), "{v}");
}

/// Parts of one archive should share their columns: a part without `hashtags` or `urls` was
/// read without a word, and its rows carried none of that evidence (helper review at 5M
/// tweets: a part's 101,406 hashtag uses gone).
#[test]
fn a_part_lacking_columns_the_others_have_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("part_1.csv");
    let thin = dir.path().join("part_2.csv");
    std::fs::write(
        &full,
        "tweetid,userid,tweet_time,tweet_text,hashtags,urls\n\
         1,a,2020-01-01 00:00,hello #x,[x],[]\n",
    )
    .unwrap();
    std::fs::write(
        &thin,
        "tweetid,userid,tweet_time,tweet_text\n2,b,2020-01-01 00:01,hello #Y and #x\n",
    )
    .unwrap();
    let (data, stats) = ingest(&[full.clone(), thin.clone()], &IngestOptions::default()).unwrap();
    let missing = stats.missing_columns();
    assert_eq!(missing, vec![(thin.as_path(), vec!["urls"])]);
    assert!(stats.summary().contains("part_2.csv has no urls column,"));
    // Its hashtags are taken from its text, as for the layouts that never have the column.
    assert_eq!(hashtags_of(&data, 1), vec!["y", "x"]);
    assert_eq!(hashtags_of(&data, 0), vec!["x"]);
    // Parts alike say nothing.
    let twin = dir.path().join("part_3.csv");
    std::fs::copy(&full, &twin).unwrap();
    let (_, stats) = ingest(&[full, twin], &IngestOptions::default()).unwrap();
    assert!(stats.missing_columns().is_empty());
    assert!(!stats.summary().contains("column"), "{}", stats.summary());
}
