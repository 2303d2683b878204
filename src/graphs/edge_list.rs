//! Reading a weighted edge list (CSV, plain or compressed) into the CSR store, so community
//! detection runs on graphs written by `coordnet graph` or by any other tool.

use super::Graph;
use crate::dataset::interner::Interner;
use crate::error::{Error, Position, Result};
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
}

/// Read `path`: a header row naming the columns, then one edge per row. Node names are
/// any strings; repeated edges add up. A weight column that is absent from the header is an
/// error unless it is the default `weight`, in which case every edge weighs 1.
pub fn read_edge_list(path: &Path, columns: &EdgeColumns) -> Result<EdgeList> {
    let sources = expand(&[path.to_path_buf()])?;
    let mut names = Interner::new();
    let mut edges: Vec<(u32, u32, f32)> = Vec::new();
    for source in &sources {
        let shown = source.display_path();
        with_reader(source, |r| {
            let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(r);
            let header = rdr
                .headers()
                .map_err(|e| Error::format(&shown, format!("cannot read the header: {e}")))?
                .clone();
            let find = |name: &str| header.iter().position(|h| h.trim() == name);
            let missing = |name: &str| {
                Error::format(
                    &shown,
                    format!(
                        "no column '{name}' in the header ({}); name the columns with \
                         --source, --target and --weight-column",
                        header.iter().collect::<Vec<_>>().join(", ")
                    ),
                )
            };
            let s = find(&columns.source).ok_or_else(|| missing(&columns.source))?;
            let t = find(&columns.target).ok_or_else(|| missing(&columns.target))?;
            let w = match &columns.weight {
                Some(name) => match find(name) {
                    Some(i) => Some(i),
                    None if name == "weight" => None,
                    None => return Err(missing(name)),
                },
                None => None,
            };
            let mut record = csv::StringRecord::new();
            loop {
                match rdr.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {}
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line());
                        return Err(Error::bad_row(
                            Position::new(&shown, line),
                            format!("unreadable CSV: {e}"),
                            "a CSV row",
                        ));
                    }
                }
                let line = record.position().map_or(0, |p| p.line());
                let field = |i: usize, col: &str| {
                    record
                        .get(i)
                        .map(str::trim)
                        .filter(|x| !x.is_empty())
                        .ok_or_else(|| {
                            Error::bad_row(
                                Position::new(&shown, line).with_column(col),
                                "empty or missing field",
                                "a node name",
                            )
                        })
                };
                let a = names.intern(field(s, &columns.source)?);
                let b = names.intern(field(t, &columns.target)?);
                let weight = match w {
                    None => 1.0,
                    Some(i) => {
                        let col = columns.weight.as_deref().unwrap_or("weight");
                        let raw = record.get(i).unwrap_or("").trim();
                        match raw.parse::<f32>() {
                            Ok(x) if x.is_finite() => x,
                            _ => {
                                return Err(Error::bad_row(
                                    Position::new(&shown, line).with_column(col),
                                    format!("weight '{raw}' is not a number"),
                                    "a finite number",
                                ))
                            }
                        }
                    }
                };
                edges.push((a, b, weight));
            }
            Ok(())
        })?;
    }
    if names.len() >= u32::MAX as usize {
        return Err(Error::config(
            "edge lists of 2^32 - 1 nodes or more are not supported",
        ));
    }
    let before = edges.len() as u64;
    let graph = Graph::undirected(names.len(), &edges);
    let repeated = before.saturating_sub(graph.edges() as u64);
    Ok(EdgeList {
        graph,
        names,
        repeated,
    })
}
