//! Reading a weighted edge list (CSV, plain or compressed) into the CSR store, so community
//! detection runs on graphs written by `coordnet graph` or by any other tool.

use super::Graph;
use crate::dataset::interner::Interner;
use crate::error::{Error, Position, Result, Setting};
use crate::ingest::source::{expand, with_reader};
use std::path::Path;

/// Which columns hold the endpoints and the weight.
#[derive(Clone, Debug)]
pub struct EdgeColumns {
    pub source: String,
    pub target: String,
    /// `None`: every edge weighs 1.
    pub weight: Option<String>,
}

impl Default for EdgeColumns {
    fn default() -> EdgeColumns {
        EdgeColumns {
            source: "source".into(),
            target: "target".into(),
            weight: Some("weight".into()),
        }
    }
}

/// An undirected graph read from an edge list, with the node names in id order.
pub struct EdgeList {
    pub graph: Graph,
    pub names: Interner,
    /// Rows that repeated an edge (their weights were added).
    pub repeated: u64,
    /// A file had no column of the default name `weight`: its edges weigh 1.
    pub unweighted: bool,
}

/// Read `path`: a header row naming the columns, then one edge per row. Node names are
/// any strings; repeated edges add up. A column is found by its name, or else by the one name
/// that matches it but for case (Gephi writes `Source`, `Target`, `Weight`). A weight column
/// that is absent from the header is an error unless it is the default `weight`, in which case
/// every edge weighs 1 (and `unweighted` says so).
pub fn read_edge_list(path: &Path, columns: &EdgeColumns) -> Result<EdgeList> {
    let sources = expand(&[path.to_path_buf()])?;
    let mut names = Interner::new();
    let mut edges: Vec<(u32, u32, f32)> = Vec::new();
    let mut unweighted = false;
    for source in &sources {
        let shown = source.display_path();
        unweighted |= with_reader(source, |r| {
            read_rows(r, &shown, columns, &mut names, &mut edges)
        })?;
    }
    finish(names, edges, unweighted)
}

/// [`read_edge_list`] of one stream already open (plain CSV), named `name` in messages.
pub fn read_edge_list_from(
    name: &Path,
    reader: &mut dyn std::io::Read,
    columns: &EdgeColumns,
) -> Result<EdgeList> {
    let mut names = Interner::new();
    let mut edges = Vec::new();
    let unweighted = read_rows(reader, name, columns, &mut names, &mut edges)?;
    finish(names, edges, unweighted)
}

/// The rows of one file into `names` and `edges`; whether its edges weigh 1 for want of a
/// `weight` column.
fn read_rows(
    r: &mut dyn std::io::Read,
    shown: &Path,
    columns: &EdgeColumns,
    names: &mut Interner,
    edges: &mut Vec<(u32, u32, f32)>,
) -> Result<bool> {
    // Flexible, so that a ragged row is named here with its field counts rather than by the
    // CSV reader's own message.
    let r = crate::ingest::source::CrlfAsLf::new(r);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(r);
    let at = find_columns(&mut rdr, columns, shown)?;
    let mut record = csv::StringRecord::new();
    // Over every file read so far: the graph adds them all up.
    let mut total: f64 = edges.iter().map(|&(_, _, w)| w as f64).sum();
    while read_row(&mut rdr, &mut record, shown)? {
        let line = record.position().map_or(0, |p| p.line());
        let pos = |col: &str| Position::new(shown, line).with_column(col);
        if record.len() != at.fields {
            return Err(Error::bad_row(
                Position::new(shown, line),
                format!("the row has {} fields", record.len()),
                format!("{} fields, as the header has", at.fields),
            ));
        }
        if names.len() >= MAX_NODES {
            return Err(Error::limit(format!(
                "{}: more than {MAX_NODES} nodes, the most an edge list may have",
                Position::new(shown, line)
            )));
        }
        let a = names.intern(node(&record, at.source, || pos(&columns.source))?);
        let b = names.intern(node(&record, at.target, || pos(&columns.target))?);
        let weight = match at.weight {
            None => 1.0,
            Some(i) => weight(&record, i, || pos(at.weight_name))?,
        };
        // Repeated edges, and the clusters Leiden merges, add weights up in the graph's f32:
        // a total past f32's largest would turn into infinity there.
        total += weight as f64;
        if total > f32::MAX as f64 {
            return Err(Error::bad_row(
                pos(at.weight_name),
                format!(
                    "the weights add up to {total:.2e} by this row, more than the graph holds \
                     (it keeps 32-bit weights, at most {:.1e}); divide the weights by a power \
                     of ten",
                    f32::MAX
                ),
                format!("weights adding up to at most {:.1e}", f32::MAX),
            ));
        }
        edges.push((a, b, weight));
    }
    Ok(columns.weight.is_some() && at.weight.is_none())
}

/// The graph of the rows read, repeated edges added up.
fn finish(names: Interner, edges: Vec<(u32, u32, f32)>, unweighted: bool) -> Result<EdgeList> {
    let before = edges.len() as u64;
    let graph = Graph::undirected(names.len(), &edges)?;
    let repeated = before.saturating_sub(graph.edges() as u64);
    Ok(EdgeList {
        graph,
        names,
        repeated,
        unweighted,
    })
}

/// Node ids are `u32`, and two are taken at each row.
const MAX_NODES: usize = u32::MAX as usize - 2;

/// Where the endpoint and weight columns are in a file, and how many fields a row has.
struct At<'a> {
    fields: usize,
    source: usize,
    target: usize,
    weight: Option<usize>,
    weight_name: &'a str,
}

/// The columns named in `columns`, found in the header.
fn find_columns<'a, R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    columns: &'a EdgeColumns,
    shown: &Path,
) -> Result<At<'a>> {
    let header = rdr
        .headers()
        .map_err(|e| Error::format(shown, format!("cannot read the header: {e}")))?
        .clone();
    if header.is_empty() {
        return Err(Error::format(
            shown,
            "the file is empty (expected an edge list with a header naming its source, target \
             and weight columns)",
        ));
    }
    let find = |name: &str| {
        let exact = header.iter().position(|h| h.trim() == name);
        let mut alike = (header.iter().enumerate())
            .filter(|(_, h)| h.trim().eq_ignore_ascii_case(name))
            .map(|(i, _)| i);
        exact.or_else(|| match (alike.next(), alike.next()) {
            (Some(i), None) => Some(i),
            _ => None,
        })
    };
    let missing = |name: &str| {
        Error::format(
            shown,
            format!(
                "no column '{name}' in the header ({}); name the source, target and weight \
                 columns",
                header.iter().collect::<Vec<_>>().join(", ")
            ),
        )
        .with_setting(Setting::EdgeColumns)
    };
    let source = find(&columns.source).ok_or_else(|| missing(&columns.source))?;
    let target = find(&columns.target).ok_or_else(|| missing(&columns.target))?;
    let weight = match &columns.weight {
        Some(name) => match find(name) {
            Some(i) => Some(i),
            None if name == "weight" => None,
            None => return Err(missing(name)),
        },
        None => None,
    };
    Ok(At {
        fields: header.len(),
        source,
        target,
        weight,
        weight_name: columns.weight.as_deref().unwrap_or("weight"),
    })
}

/// The next row into `record`; `false` at the end.
fn read_row<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    record: &mut csv::StringRecord,
    shown: &Path,
) -> Result<bool> {
    rdr.read_record(record).map_err(|e| {
        let line = e.position().map_or(0, |p| p.line());
        Error::bad_row(
            Position::new(shown, line),
            format!("unreadable CSV: {e}"),
            "a CSV row",
        )
    })
}

/// The node name in field `i`.
fn node(record: &csv::StringRecord, i: usize, pos: impl Fn() -> Position) -> Result<&str> {
    record
        .get(i)
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .ok_or_else(|| Error::bad_row(pos(), "empty or missing field", "a node name"))
}

/// The weight in field `i`: a finite number, not negative (Leiden, the list's reader, adds
/// weights as strengths of ties), read as f64 and kept as the graph's f32 where it fits.
fn weight(record: &csv::StringRecord, i: usize, pos: impl Fn() -> Position) -> Result<f32> {
    let raw = record.get(i).unwrap_or("").trim();
    let Ok(x) = raw.parse::<f64>() else {
        return Err(Error::bad_row(
            pos(),
            format!("weight '{raw}' is not a number"),
            "a finite number",
        ));
    };
    let refuse = |why: String, expected: &str| Err(Error::bad_row(pos(), why, expected));
    let largest = f32::MAX as f64;
    if !x.is_finite() {
        refuse(
            format!("weight '{raw}' is not a finite number"),
            "a finite number",
        )
    } else if x < 0.0 {
        refuse(
            format!(
                "weight '{raw}' is negative; Leiden needs weights >= 0 (in a `coordnet graph` \
                 file, name a column such as pairs, items, idf_weight or cosine with --weight-column)"
            ),
            "a number >= 0",
        )
    } else if x > largest {
        refuse(
            format!(
                "weight '{raw}' is more than the graph holds (it keeps 32-bit weights, at most \
                 {largest:.1e}); divide the weights by a power of ten"
            ),
            &format!("a number from 0 to {largest:.1e}"),
        )
    } else if x > 0.0 && (x as f32) == 0.0 {
        refuse(
            format!(
                "weight '{raw}' is too small for the graph's 32-bit weights (it would be 0); \
                 multiply the weights by a power of ten"
            ),
            "0 or a number from 1e-45",
        )
    } else {
        Ok(x as f32)
    }
}
