//! Integration tests, one binary, modules by theme.

mod archive;
mod bad_input;
mod benches;
mod chunk_edges;
mod cli;
mod communities;
mod detect;
mod determinism;
#[cfg(feature = "distributed")]
mod distributed;
mod formats;
mod fuzz_replay;
mod graphs;
mod hostile;
mod independent;
mod json_records;
mod report;
mod shared_data;
mod synth;

use coordnet::{ingest, Dataset, IngestOptions, IngestStats};
use std::path::{Path, PathBuf};

/// `../shared/data/<rel>`. Tests that call this carry
/// `#[cfg_attr(shared_data_absent, ignore = ...)]` (see build.rs), so without the data they
/// are counted as ignored; with the data, a missing file fails the test.
pub fn shared(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    assert!(p.exists(), "{} is missing from ../shared/data", p.display());
    p
}

/// Say on the terminal that a test is skipped, and why. Written to standard error itself, not
/// through `eprintln!`, which the test harness keeps to itself when the test passes.
pub fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
}

/// Run the `coordnet` binary as a user would.
pub fn coordnet(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_coordnet"))
        .args(args)
        .output()
        .unwrap()
}

/// The project's sample (`data-samples/tweets.csv.gz`), which the README's example runs on.
pub fn sample_tweets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/tweets.csv.gz")
}

/// Generated tweets into `data`, in `parts` files.
pub fn synth(data: &Path, tweets: usize, parts: usize, more: &[&str]) {
    let (tweets, parts) = (tweets.to_string(), parts.to_string());
    let mut args = vec!["synth", "-o", data.to_str().unwrap(), "--tweets", &tweets];
    args.extend(["--parts", &parts, "--quiet"]);
    args.extend(more);
    let o = coordnet(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Options that count bad records however many there are, as the tests of that counting need
/// (by default a run stops when most of its records are bad).
pub fn counting() -> IngestOptions {
    IngestOptions {
        max_rejected_share: 1.0,
        ..IngestOptions::default()
    }
}

pub fn read(paths: &[PathBuf]) -> (Dataset, IngestStats) {
    ingest(paths, &counting()).expect("ingest")
}

pub fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

/// The summary.json `detect`, `score` or `graph` wrote in `dir`.
pub fn summary_json(dir: &Path) -> serde_json::Value {
    let path = dir.join("summary.json");
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Row of the tweet with this id.
pub fn row_of(d: &Dataset, id: u64) -> usize {
    d.tweet_id
        .iter()
        .position(|&t| t == id)
        .unwrap_or_else(|| panic!("tweet {id} not found"))
}

/// The items of one kind that row `row` carries, as strings.
pub fn items_of(d: &Dataset, row: usize, kind: coordnet::dataset::ItemKind) -> Vec<String> {
    d.items(row)
        .iter()
        .filter(|i| i.kind() == kind)
        .map(|&i| d.item_str(i).to_string())
        .collect()
}

pub fn hashtags_of(d: &Dataset, row: usize) -> Vec<String> {
    items_of(d, row, coordnet::dataset::ItemKind::Hashtag)
}

pub fn urls_of(d: &Dataset, row: usize) -> Vec<String> {
    items_of(d, row, coordnet::dataset::ItemKind::Url)
}

pub fn mentions_of(d: &Dataset, row: usize) -> Vec<String> {
    items_of(d, row, coordnet::dataset::ItemKind::Mention)
}

/// The accounting identity every run must keep.
pub fn assert_balanced(r: &IngestStats) {
    assert_eq!(
        r.rows_read,
        r.rows_accepted + r.rows_rejected,
        "rows read != accepted + rejected"
    );
    let by_reason: u64 = r.rejected.values().map(|x| x.count).sum();
    assert_eq!(
        by_reason, r.rows_rejected,
        "rejections by reason do not add up"
    );
}

/// The attributes a GraphML or GEXF file declares, `(node|edge, name) -> type`, once every
/// value the file gives (a GEXF `attvalue`, a GraphML `data`) has been checked to be of its
/// attribute's declared type and for the element it is declared for.
pub fn graph_file_attributes(path: &Path) -> std::collections::HashMap<(String, String), String> {
    use quick_xml::events::Event;
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = quick_xml::Reader::from_str(&text);
    // Attribute id -> (element it is for, name, type).
    let mut declared = std::collections::HashMap::<String, (String, String, String)>::new();
    let (mut class, mut owner) = (String::new(), String::new());
    let mut data: Option<(String, String)> = None;
    let check = |declared: &std::collections::HashMap<String, (String, String, String)>,
                 owner: &str,
                 id: &str,
                 value: &str| {
        let (class, name, ty) = declared
            .get(id)
            .unwrap_or_else(|| panic!("{}: value of undeclared '{id}'", path.display()));
        assert_eq!(class, owner, "{}: '{name}' on a {owner}", path.display());
        let ok = match ty.as_str() {
            "string" => true,
            "int" | "integer" | "long" => value.parse::<i64>().is_ok(),
            "float" | "double" => value.parse::<f64>().is_ok_and(f64::is_finite),
            "boolean" => value == "true" || value == "false",
            _ => panic!("{}: '{name}' of unknown type '{ty}'", path.display()),
        };
        assert!(
            ok,
            "{}: {owner} attribute '{name}' is declared {ty} but has '{value}'",
            path.display()
        );
    };
    loop {
        let ev = reader.read_event().unwrap();
        match &ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let attr = |k: &str| {
                    e.try_get_attribute(k)
                        .unwrap()
                        .map(|a| a.unescape_value().unwrap().into_owned())
                        .unwrap_or_else(|| panic!("{}: no '{k}' on an element", path.display()))
                };
                match e.name().as_ref() {
                    // GEXF declarations, grouped by the class they are for.
                    b"attributes" => class = attr("class"),
                    b"attribute" => {
                        declared.insert(attr("id"), (class.clone(), attr("title"), attr("type")));
                    }
                    // GraphML declarations.
                    b"key" => {
                        let decl = (attr("for"), attr("attr.name"), attr("attr.type"));
                        declared.insert(attr("id"), decl);
                    }
                    b"node" => owner = "node".into(),
                    b"edge" => owner = "edge".into(),
                    b"attvalue" => check(&declared, &owner, &attr("for"), &attr("value")),
                    b"data" if matches!(ev, Event::Empty(_)) => {
                        check(&declared, &owner, &attr("key"), "")
                    }
                    b"data" => data = Some((attr("key"), String::new())),
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some((_, value)) = &mut data {
                    value.push_str(&t.unescape().unwrap());
                }
            }
            Event::End(e) if e.name().as_ref() == b"data" => {
                let (id, value) = data.take().unwrap();
                check(&declared, &owner, &id, &value);
            }
            _ => {}
        }
    }
    declared
        .into_values()
        .map(|(class, name, ty)| ((class, name), ty))
        .collect()
}
