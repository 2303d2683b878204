//! Graph files: a CSV edge list, GraphML and GEXF, from one edge table and one node table.

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::graphs::{CoEdge, Projection, RetweetGraph};
use std::io::Write;
use std::path::Path;

/// Edges ready to write: endpoints (dataset account ids), a weight, and named numeric columns.
#[derive(Clone, Debug, Default)]
pub struct EdgeTable {
    pub kind: String,
    pub directed: bool,
    pub columns: Vec<&'static str>,
    pub edges: Vec<(u32, u32, f64, Vec<f64>)>,
    /// An example item per edge (same order as `edges`), if the kind has one.
    pub example: Vec<String>,
}

/// Node attributes: named columns of text, one value per node that appears in the graph.
#[derive(Clone, Debug, Default)]
pub struct NodeTable {
    pub columns: Vec<String>,
    pub values: hashbrown::HashMap<u32, Vec<String>>,
}

/// Which weight of a co-action edge a graph file carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EdgeWeight {
    /// Co-action pairs in the window (CooRTweet's weight).
    #[default]
    Pairs,
    /// Distinct shared items.
    Items,
    /// IDF-weighted shared items.
    Idf,
    /// TF-IDF cosine.
    Cosine,
    /// z-score against the shuffled null (floored at 0).
    Z,
}

impl EdgeWeight {
    pub const NAMES: [&'static str; 5] = ["pairs", "items", "idf", "cosine", "z"];

    pub fn of(self, e: &CoEdge) -> f64 {
        match self {
            EdgeWeight::Pairs => e.pairs as f64,
            EdgeWeight::Items => e.items as f64,
            EdgeWeight::Idf => e.idf_weight,
            EdgeWeight::Cosine => e.cosine,
            EdgeWeight::Z => e.z.max(0.0),
        }
    }
}

impl std::str::FromStr for EdgeWeight {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<EdgeWeight, String> {
        Ok(match s {
            "pairs" => EdgeWeight::Pairs,
            "items" => EdgeWeight::Items,
            "idf" => EdgeWeight::Idf,
            "cosine" => EdgeWeight::Cosine,
            "z" => EdgeWeight::Z,
            _ => {
                return Err(format!(
                    "unknown weight '{s}'; expected one of: {}",
                    EdgeWeight::NAMES.join(", ")
                ))
            }
        })
    }
}

impl EdgeTable {
    /// A co-action projection's edges that `keep` accepts, weighted by `weight`.
    pub fn coaction(
        data: &Dataset,
        p: &Projection,
        weight: EdgeWeight,
        keep: impl Fn(&CoEdge) -> bool,
    ) -> EdgeTable {
        let mut t = EdgeTable {
            kind: p.kind.name().to_string(),
            directed: false,
            columns: vec![
                "pairs",
                "items",
                "min_delay_s",
                "mean_delay_s",
                "idf_weight",
                "cosine",
                "expected_pairs",
                "z",
                "p_value",
            ],
            ..Default::default()
        };
        for e in p.edges.iter().filter(|e| keep(e)) {
            t.edges.push((
                e.a,
                e.b,
                weight.of(e),
                vec![
                    e.pairs as f64,
                    e.items as f64,
                    e.min_delay_ms as f64 / 1000.0,
                    e.mean_delay_ms / 1000.0,
                    e.idf_weight,
                    e.cosine,
                    e.expected_pairs,
                    e.z,
                    e.p_value,
                ],
            ));
            t.example
                .push(p.actions.item_label(data, e.exemplar_group as usize));
        }
        t
    }

    /// The retweet graph: amplifier -> source, weighted by retweets.
    pub fn retweet(g: &RetweetGraph, min_retweets: u32) -> EdgeTable {
        let mut t = EdgeTable {
            kind: "retweet".into(),
            directed: true,
            columns: vec!["retweets", "delays_known", "median_delay_s", "delay_iqr_s"],
            ..Default::default()
        };
        let secs = |x: Option<i64>| x.map_or(f64::NAN, |v| v as f64 / 1000.0);
        for e in g.edges.iter().filter(|e| e.retweets >= min_retweets) {
            t.edges.push((
                e.amplifier,
                e.source,
                e.retweets as f64,
                vec![
                    e.retweets as f64,
                    e.delays_known as f64,
                    secs(e.median_delay_ms),
                    secs(e.delay_iqr_ms),
                ],
            ));
        }
        t
    }

    /// Accounts at either end of some edge, in id order.
    pub fn nodes(&self) -> Vec<u32> {
        let mut n: Vec<u32> = self.edges.iter().flat_map(|e| [e.0, e.1]).collect();
        n.sort_unstable();
        n.dedup();
        n
    }
}

impl NodeTable {
    /// Screen name and number of tweets for every account in `nodes`.
    pub fn basic(data: &Dataset, nodes: &[u32]) -> NodeTable {
        let mut tweets = vec![0u32; data.accounts.len()];
        for &a in &data.account {
            tweets[a as usize] += 1;
        }
        let mut t = NodeTable {
            columns: vec!["screen_name".into(), "tweets".into()],
            values: Default::default(),
        };
        for &n in nodes {
            let name = data.accounts.screen_name(n).unwrap_or_default().to_string();
            t.values
                .insert(n, vec![name, tweets[n as usize].to_string()]);
        }
        t
    }

    /// Add a column; nodes missing from `values` get an empty value.
    pub fn add_column(&mut self, name: &str, values: impl Fn(u32) -> String) {
        self.columns.push(name.to_string());
        for (&n, row) in self.values.iter_mut() {
            row.push(values(n));
        }
    }
}

/// The graph file formats, chosen by the output's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Csv,
    GraphMl,
    Gexf,
}

impl GraphFormat {
    pub fn from_path(path: &Path) -> Result<GraphFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Ok(GraphFormat::Csv),
            "graphml" => Ok(GraphFormat::GraphMl),
            "gexf" => Ok(GraphFormat::Gexf),
            _ => Err(Error::config(format!(
                "cannot tell the graph format of '{}'; name the output .csv, .graphml or .gexf \
                 (or - for CSV on standard output)",
                path.display()
            ))),
        }
    }
}

/// Write `edges` (with `nodes` attributes) to `out` in `format`.
pub fn write_graph(
    out: &mut dyn Write,
    format: GraphFormat,
    data: &Dataset,
    edges: &EdgeTable,
    nodes: &NodeTable,
) -> std::io::Result<()> {
    match format {
        GraphFormat::Csv => write_csv(out, data, edges),
        GraphFormat::GraphMl => write_graphml(out, data, edges, nodes),
        GraphFormat::Gexf => write_gexf(out, data, edges, nodes),
    }
}

fn num(x: f64) -> String {
    let mut s = String::new();
    push_num(&mut s, x);
    s
}

/// Integers as integers, everything else with six decimals; NaN (undefined) as empty. Written
/// with `itoa` digits: `{:.6}` on floats, and then `write!` of integers, were most of a large
/// graph's write time.
fn push_num(out: &mut String, x: f64) {
    let mut digits = itoa::Buffer::new();
    if x.is_nan() {
    } else if x.is_infinite() {
        out.push_str(if x > 0.0 { "inf" } else { "-inf" });
    } else if x == x.trunc() && x.abs() < 1e15 {
        out.push_str(digits.format(x as i64));
    } else if x.abs() < 1e9 {
        // Below 1e9, x·1e6 is exact in an f64 to the last micro-unit.
        let micros = (x.abs() * 1e6).round() as u64;
        if x < 0.0 && micros > 0 {
            out.push('-');
        }
        out.push_str(digits.format(micros / 1_000_000));
        out.push('.');
        let frac = digits.format(micros % 1_000_000);
        for _ in frac.len()..6 {
            out.push('0');
        }
        out.push_str(frac);
    } else {
        use std::fmt::Write as _;
        let _ = write!(out, "{x:.6}");
    }
}

/// Rows are formatted in parallel chunks, then written in order.
fn write_csv(out: &mut dyn Write, data: &Dataset, t: &EdgeTable) -> std::io::Result<()> {
    use rayon::prelude::*;
    let mut header = vec!["source", "target", "weight", "kind"];
    header.extend(t.columns.iter().copied());
    if !t.example.is_empty() {
        header.push("example_item");
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&header)?;
    w.flush()?;
    let out = w.into_inner().map_err(|e| e.into_error())?;
    const CHUNK: usize = 8192;
    let starts: Vec<usize> = (0..t.edges.len()).step_by(CHUNK).collect();
    for group in starts.chunks(64) {
        let bufs: Vec<std::io::Result<Vec<u8>>> = group
            .par_iter()
            .map(|&start| {
                let mut w = csv::Writer::from_writer(Vec::with_capacity(CHUNK * 200));
                let mut field = String::new();
                let end = (start + CHUNK).min(t.edges.len());
                for i in start..end {
                    let (a, b, weight, cols) = &t.edges[i];
                    w.write_field(data.accounts.key(*a))?;
                    w.write_field(data.accounts.key(*b))?;
                    field.clear();
                    push_num(&mut field, *weight);
                    w.write_field(&field)?;
                    w.write_field(&t.kind)?;
                    for &x in cols {
                        field.clear();
                        push_num(&mut field, x);
                        w.write_field(&field)?;
                    }
                    if let Some(ex) = t.example.get(i) {
                        w.write_field(ex)?;
                    }
                    w.write_record(None::<&[u8]>)?;
                }
                w.into_inner().map_err(|e| e.into_error())
            })
            .collect();
        for buf in bufs {
            out.write_all(&buf?)?;
        }
    }
    Ok(())
}

fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // Characters XML 1.0 forbids (control codes in tweet text) are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

fn write_graphml(
    out: &mut dyn Write,
    data: &Dataset,
    t: &EdgeTable,
    n: &NodeTable,
) -> std::io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns">"#
    )?;
    writeln!(
        out,
        r#"  <key id="account_id" for="node" attr.name="account_id" attr.type="string"/>"#
    )?;
    for (i, c) in n.columns.iter().enumerate() {
        writeln!(
            out,
            r#"  <key id="n{i}" for="node" attr.name="{}" attr.type="string"/>"#,
            xml(c)
        )?;
    }
    writeln!(
        out,
        r#"  <key id="weight" for="edge" attr.name="weight" attr.type="double"/>"#
    )?;
    writeln!(
        out,
        r#"  <key id="kind" for="edge" attr.name="kind" attr.type="string"/>"#
    )?;
    for (i, c) in t.columns.iter().enumerate() {
        writeln!(
            out,
            r#"  <key id="e{i}" for="edge" attr.name="{c}" attr.type="double"/>"#
        )?;
    }
    let dir = if t.directed { "directed" } else { "undirected" };
    writeln!(out, r#"  <graph id="G" edgedefault="{dir}">"#)?;
    for v in t.nodes() {
        writeln!(out, r#"    <node id="n{v}">"#)?;
        writeln!(
            out,
            r#"      <data key="account_id">{}</data>"#,
            xml(data.accounts.key(v))
        )?;
        if let Some(vals) = n.values.get(&v) {
            for (i, x) in vals.iter().enumerate() {
                writeln!(out, r#"      <data key="n{i}">{}</data>"#, xml(x))?;
            }
        }
        writeln!(out, "    </node>")?;
    }
    for (a, b, w, cols) in &t.edges {
        writeln!(out, r#"    <edge source="n{a}" target="n{b}">"#)?;
        writeln!(out, r#"      <data key="weight">{}</data>"#, num(*w))?;
        writeln!(out, r#"      <data key="kind">{}</data>"#, xml(&t.kind))?;
        for (i, x) in cols.iter().enumerate() {
            if x.is_finite() {
                writeln!(out, r#"      <data key="e{i}">{}</data>"#, num(*x))?;
            }
        }
        writeln!(out, "    </edge>")?;
    }
    writeln!(out, "  </graph>\n</graphml>")
}

fn write_gexf(
    out: &mut dyn Write,
    data: &Dataset,
    t: &EdgeTable,
    n: &NodeTable,
) -> std::io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<gexf xmlns="http://gexf.net/1.3" version="1.3">"#)?;
    writeln!(out, r#"  <meta><creator>coordnet</creator></meta>"#)?;
    let dir = if t.directed { "directed" } else { "undirected" };
    writeln!(out, r#"  <graph mode="static" defaultedgetype="{dir}">"#)?;
    writeln!(out, r#"    <attributes class="node">"#)?;
    writeln!(
        out,
        r#"      <attribute id="account_id" title="account_id" type="string"/>"#
    )?;
    for (i, c) in n.columns.iter().enumerate() {
        writeln!(
            out,
            r#"      <attribute id="n{i}" title="{}" type="string"/>"#,
            xml(c)
        )?;
    }
    writeln!(out, "    </attributes>")?;
    writeln!(out, r#"    <attributes class="edge">"#)?;
    // Declared defaults keep edges short (a 1M-tweet detection writes ~400k edges): the
    // file's one kind, and 0 for columns where nothing is missing, so zeros can be left out.
    writeln!(
        out,
        r#"      <attribute id="kind" title="kind" type="string"><default>{}</default></attribute>"#,
        xml(&t.kind)
    )?;
    let zero_default: Vec<bool> = (0..t.columns.len())
        .map(|i| t.edges.iter().all(|e| e.3[i].is_finite()))
        .collect();
    for (i, c) in t.columns.iter().enumerate() {
        let default = if zero_default[i] {
            "<default>0</default>"
        } else {
            ""
        };
        writeln!(
            out,
            r#"      <attribute id="e{i}" title="{c}" type="double">{default}</attribute>"#
        )?;
    }
    writeln!(out, "    </attributes>")?;
    writeln!(out, "    <nodes>")?;
    for v in t.nodes() {
        let key = data.accounts.key(v);
        let label = data.accounts.screen_name(v).unwrap_or(key);
        writeln!(out, r#"      <node id="n{v}" label="{}">"#, xml(label))?;
        writeln!(out, "        <attvalues>")?;
        writeln!(
            out,
            r#"          <attvalue for="account_id" value="{}"/>"#,
            xml(key)
        )?;
        if let Some(vals) = n.values.get(&v) {
            for (i, x) in vals.iter().enumerate() {
                writeln!(
                    out,
                    r#"          <attvalue for="n{i}" value="{}"/>"#,
                    xml(x)
                )?;
            }
        }
        writeln!(out, "        </attvalues>\n      </node>")?;
    }
    writeln!(out, "    </nodes>\n    <edges>")?;
    for (id, (a, b, w, cols)) in t.edges.iter().enumerate() {
        writeln!(
            out,
            r#"      <edge id="{id}" source="n{a}" target="n{b}" weight="{}">"#,
            num(*w)
        )?;
        writeln!(out, "        <attvalues>")?;
        for (i, x) in cols.iter().enumerate() {
            if x.is_finite() && !(zero_default[i] && *x == 0.0) {
                writeln!(
                    out,
                    r#"          <attvalue for="e{i}" value="{}"/>"#,
                    num(*x)
                )?;
            }
        }
        writeln!(out, "        </attvalues>\n      </edge>")?;
    }
    writeln!(out, "    </edges>\n  </graph>\n</gexf>")
}

#[cfg(test)]
mod tests {
    use super::push_num;

    fn num(x: f64) -> String {
        let mut s = String::new();
        push_num(&mut s, x);
        s
    }

    #[test]
    fn numbers_read_as_printf_would_write_them() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(-42.0), "-42");
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(f64::INFINITY), "inf");
        assert_eq!(num(-0.0000001), "0.000000");
        for x in [
            0.5,
            20.865,
            7.6423281,
            -0.068038,
            0.000_001,
            123_456.000_000_4,
            1e-7,
            2.5e8 + 0.25,
            2.5e11 + 0.25,
        ] {
            assert_eq!(num(x), format!("{x:.6}"), "{x}");
        }
    }
}
