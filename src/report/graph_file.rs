//! Graph files: a CSV edge list, GraphML and GEXF, from one edge table and one node table.

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::graphs::{CoEdge, Projection, RetweetGraph};
use std::io::Write;
use std::path::Path;

/// Edges ready to write: endpoints (dataset account ids), a weight, and named numeric columns.
///
/// The columns are kept row after row in one vector, and examples in one string, so a large
/// graph costs a few allocations rather than two per edge.
#[derive(Clone, Debug, Default)]
pub struct EdgeTable {
    pub kind: String,
    pub directed: bool,
    pub columns: Vec<&'static str>,
    /// (source, target, weight), one per edge.
    pub edges: Vec<(u32, u32, f64)>,
    /// `columns.len()` values per edge, in edge order.
    values: Vec<f64>,
    /// An example item per edge (same order as `edges`), if the kind has one.
    example: TextColumn,
}

/// Strings stored end to end, with where each one ends.
#[derive(Clone, Debug, Default)]
struct TextColumn {
    text: String,
    ends: Vec<usize>,
}

impl TextColumn {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }

    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.text[start..end])
    }

    fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
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

/// The evidence columns of a co-action edge, after source, target, weight and kind.
const COACTION_COLUMNS: [&str; 9] = [
    "pairs",
    "items",
    "min_delay_s",
    "mean_delay_s",
    "idf_weight",
    "cosine",
    "expected_pairs",
    "z",
    "p_value",
];

/// A co-action edge's values for `COACTION_COLUMNS`.
fn coaction_values(e: &CoEdge) -> [f64; 9] {
    [
        e.pairs as f64,
        e.items as f64,
        e.min_delay_ms as f64 / 1000.0,
        e.mean_delay_ms / 1000.0,
        e.idf_weight,
        e.cosine,
        e.expected_pairs,
        e.z,
        e.p_value,
    ]
}

impl EdgeTable {
    /// A co-action projection's edges that `keep` accepts, weighted by `weight`. (`graph`
    /// writes CSV straight from the projection; this table serves GraphML and GEXF.)
    pub fn coaction(
        data: &Dataset,
        p: &Projection,
        weight: EdgeWeight,
        keep: impl Fn(&CoEdge) -> bool,
    ) -> EdgeTable {
        let mut t = EdgeTable {
            kind: p.kind.name().to_string(),
            directed: false,
            columns: COACTION_COLUMNS.to_vec(),
            ..Default::default()
        };
        for e in p.edges.iter().filter(|e| keep(e)) {
            t.edges.push((e.a, e.b, weight.of(e)));
            t.values.extend(coaction_values(e));
            t.example
                .push(&p.actions.item_label(data, e.exemplar_item as usize));
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
            t.edges.push((e.amplifier, e.source, e.retweets as f64));
            t.values.extend_from_slice(&[
                e.retweets as f64,
                e.delays_known as f64,
                secs(e.median_delay_ms),
                secs(e.delay_iqr_ms),
            ]);
        }
        t
    }

    /// A table of `columns`, each edge given as (source, target, weight, one value per column).
    pub fn new(
        kind: &str,
        directed: bool,
        columns: Vec<&'static str>,
        edges: impl IntoIterator<Item = (u32, u32, f64, Vec<f64>)>,
    ) -> EdgeTable {
        let mut t = EdgeTable {
            kind: kind.to_string(),
            directed,
            columns,
            ..Default::default()
        };
        for (a, b, w, values) in edges {
            assert_eq!(values.len(), t.columns.len(), "one value per column");
            t.edges.push((a, b, w));
            t.values.extend(values);
        }
        t
    }

    /// Edge `i`'s column values.
    pub fn row(&self, i: usize) -> &[f64] {
        let n = self.columns.len();
        &self.values[i * n..(i + 1) * n]
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
    let mut s = Vec::new();
    push_num(&mut s, x);
    String::from_utf8(s).expect("digits are ASCII")
}

/// Integers as integers, everything else with six decimals; NaN (undefined) as empty. Written
/// with `itoa` digits and no libm calls (`trunc` and `round` are calls on baseline x86-64):
/// `{:.6}` on floats, and then `write!` of integers, were most of a large graph's write time.
fn push_num(out: &mut Vec<u8>, x: f64) {
    let mut digits = itoa::Buffer::new();
    let whole = x as i64; // saturating: equal to x only when x is a whole number in range
    if x.is_nan() {
    } else if x.is_infinite() {
        out.extend_from_slice(if x > 0.0 { b"inf" } else { b"-inf" });
    } else if whole as f64 == x && x.abs() < 1e15 {
        out.extend_from_slice(digits.format(whole).as_bytes());
    } else if x.abs() < 1e9 && !near_half(x.abs() * 1e6) {
        // x·1e6 is within half an ulp of the exact product, so away from a half the rounding
        // below (half away from zero, exact since m - floor(m) is) picks what printf would.
        let m = x.abs() * 1e6;
        let floor = m as u64;
        let micros = floor + u64::from(m - floor as f64 > 0.5);
        // Digits written right to left into one buffer, the point six from the end.
        let mut buf = [b'0'; 24];
        let mut end = buf.len();
        let mut rest = micros;
        for _ in 0..6 {
            end -= 1;
            buf[end] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        end -= 1;
        buf[end] = b'.';
        loop {
            end -= 1;
            buf[end] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if x < 0.0 && micros > 0 {
            end -= 1;
            buf[end] = b'-';
        }
        out.extend_from_slice(&buf[end..]);
    } else {
        let _ = write!(out, "{x:.6}");
    }
}

/// Whether m's fractional part is too close to a half for the product's rounding error.
fn near_half(m: f64) -> bool {
    let frac = m - (m as u64) as f64;
    (frac - 0.5).abs() <= m * f64::EPSILON
}

/// Edges a CSV edge list is written from, one line each.
trait CsvEdges: Sync {
    fn len(&self) -> usize;
    /// Value columns, between the kind and the example.
    fn columns(&self) -> &[&'static str];
    fn has_examples(&self) -> bool;
    fn line(&self, buf: &mut Vec<u8>, data: &Dataset, i: usize);
}

impl CsvEdges for EdgeTable {
    fn len(&self) -> usize {
        self.edges.len()
    }

    fn columns(&self) -> &[&'static str] {
        &self.columns
    }

    fn has_examples(&self) -> bool {
        !self.example.is_empty()
    }

    fn line(&self, buf: &mut Vec<u8>, data: &Dataset, i: usize) {
        let example = self.example.get(i);
        push_line(
            buf,
            data,
            self.edges[i],
            &self.kind,
            self.row(i).iter().copied(),
            example,
        );
    }
}

/// A projection's edges as they stand, for writing without an `EdgeTable` in between.
struct CoactionEdges<'p> {
    p: &'p Projection,
    kind: &'static str,
    weight: EdgeWeight,
}

impl CsvEdges for CoactionEdges<'_> {
    fn len(&self) -> usize {
        self.p.edges.len()
    }

    fn columns(&self) -> &[&'static str] {
        &COACTION_COLUMNS
    }

    fn has_examples(&self) -> bool {
        !self.p.edges.is_empty()
    }

    fn line(&self, buf: &mut Vec<u8>, data: &Dataset, i: usize) {
        let e = &self.p.edges[i];
        let example = self.p.actions.item_label(data, e.exemplar_item as usize);
        push_line(
            buf,
            data,
            (e.a, e.b, self.weight.of(e)),
            self.kind,
            coaction_values(e),
            Some(&example),
        );
    }
}

/// A co-action projection's edges (all of them: filter `p.edges` first) as the same CSV
/// edge list `EdgeTable::coaction` and `write_graph` give, without copying every edge's
/// columns into a table first (8 GB at 10^8 tweets).
pub fn write_coaction_csv(
    out: &mut dyn Write,
    data: &Dataset,
    p: &Projection,
    weight: EdgeWeight,
) -> std::io::Result<()> {
    let kind = p.kind.name();
    write_csv(out, data, &CoactionEdges { p, kind, weight })
}

/// The CSV edge list. Rows are formatted in parallel, a few thousand at a time into reused
/// buffers, while this thread writes the previous round: a large graph is neither held in
/// memory as text nor written by one core.
fn write_csv(out: &mut dyn Write, data: &Dataset, t: &dyn CsvEdges) -> std::io::Result<()> {
    const CHUNK: usize = 4096;
    let mut header = vec!["source", "target", "weight", "kind"];
    header.extend(t.columns());
    if t.has_examples() {
        header.push("example_item");
    }
    let mut line = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        push_field(&mut line, h);
    }
    line.push(b'\n');
    out.write_all(&line)?;

    let starts: Vec<usize> = (0..t.len()).step_by(CHUNK).collect();
    let round = 4 * rayon::current_num_threads().max(1);
    let mut ready: Vec<Vec<u8>> = Vec::new();
    let mut spare: Vec<Vec<u8>> = Vec::new();
    for group in starts.chunks(round) {
        let mut bufs: Vec<Vec<u8>> = group
            .iter()
            .map(|_| spare.pop().unwrap_or_default())
            .collect();
        let mut written = Ok(());
        rayon::in_place_scope(|s| {
            for (buf, &start) in bufs.iter_mut().zip(group) {
                s.spawn(move |_| {
                    // Formatted through a local handle: the tasks' `Vec` headers share cache
                    // lines in `bufs`, and updating a length there on every byte pushed made
                    // two threads slower than one.
                    let mut local = std::mem::take(buf);
                    local.clear();
                    for i in start..(start + CHUNK).min(t.len()) {
                        t.line(&mut local, data, i);
                    }
                    *buf = local;
                });
            }
            written = ready.iter().try_for_each(|b| out.write_all(b));
        });
        written?;
        spare.append(&mut ready);
        ready = bufs;
    }
    ready.iter().try_for_each(|b| out.write_all(b))
}

/// One edge as a CSV line: endpoints, weight, kind, the columns' values, the example.
fn push_line(
    buf: &mut Vec<u8>,
    data: &Dataset,
    (a, b, weight): (u32, u32, f64),
    kind: &str,
    values: impl IntoIterator<Item = f64>,
    example: Option<&str>,
) {
    push_field(buf, data.accounts.key(a));
    buf.push(b',');
    push_field(buf, data.accounts.key(b));
    buf.push(b',');
    push_num(buf, weight);
    buf.push(b',');
    push_field(buf, kind);
    for x in values {
        buf.push(b',');
        push_num(buf, x);
    }
    if let Some(ex) = example {
        buf.push(b',');
        push_field(buf, ex);
    }
    buf.push(b'\n');
}

/// A CSV field as RFC 4180 writes it: quoted, with quotes doubled, when it holds a comma, a
/// quote or a line break; as it is otherwise.
fn push_field(buf: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    // One pass without early exit, which the compiler vectorises; two memchr calls cost more
    // on fields this short (account ids, numbers).
    let special = b.iter().fold(false, |any, &c| {
        any | matches!(c, b',' | b'"' | b'\n' | b'\r')
    });
    if !special {
        buf.extend_from_slice(b);
        return;
    }
    buf.push(b'"');
    for (i, part) in s.split('"').enumerate() {
        if i > 0 {
            buf.extend_from_slice(b"\"\"");
        }
        buf.extend_from_slice(part.as_bytes());
    }
    buf.push(b'"');
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
    for (i, (a, b, w)) in t.edges.iter().enumerate() {
        let cols = t.row(i);
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
        .map(|i| (0..t.edges.len()).all(|e| t.row(e)[i].is_finite()))
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
    for (id, (a, b, w)) in t.edges.iter().enumerate() {
        let cols = t.row(id);
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
    use super::{push_field, push_num};

    #[test]
    fn fields_are_quoted_as_the_csv_crate_quotes_them() {
        for s in [
            "plain",
            "",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\r",
            "#tag",
            "ünï",
        ] {
            let mut ours = Vec::new();
            push_field(&mut ours, s);
            let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
            w.write_record([s, "x"]).unwrap();
            let theirs = w.into_inner().unwrap();
            assert_eq!([ours, b",x\n".to_vec()].concat(), theirs, "{s:?}");
        }
    }

    fn num(x: f64) -> String {
        let mut s = Vec::new();
        push_num(&mut s, x);
        String::from_utf8(s).unwrap()
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
            0.999_999_6,
            -3.000_000_5,
            999_999_999.999_999,
            12.345_678_5,
        ] {
            assert_eq!(num(x), format!("{x:.6}"), "{x}");
        }
        // Values of every magnitude the columns take, and values a hair from a tie.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for i in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            let x = match i % 3 {
                0 => unit * 10f64.powi(i % 12 - 3),
                1 => ((state % 1_000_000_000) as f64 + 0.5) / 1e6,
                _ => -unit * 1e4,
            };
            let want = format!("{x:.6}");
            let want = if want == "-0.000000" {
                "0.000000".into()
            } else {
                want
            };
            if x.fract() != 0.0 {
                assert_eq!(num(x), want, "{x:e}");
            }
        }
    }
}
