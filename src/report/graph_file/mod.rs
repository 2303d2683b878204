//! Graph files: a CSV edge list (`csv`), GraphML and GEXF (`xml`), from edges seen
//! through [`GraphEdges`] (a table, a projection, or a view of the fused graph: large graphs
//! are written from where their edges already are, not copied) and one node table.

mod csv;
mod xml;

pub use self::csv::write_coaction_csv;
use self::csv::write_csv;
pub(super) use self::csv::{push_field, write_header};
use self::xml::{write_gexf, write_graphml};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::graphs::{CoEdge, Fused, Projection, RetweetGraph};
use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

/// Edges a graph file is written from, by index, so that writers can format them in
/// parallel chunks.
pub trait GraphEdges: Sync {
    /// The graph kind, written on every edge.
    fn kind(&self) -> &str;
    /// Whether an edge goes from its source to its target (retweets) or both ways.
    fn directed(&self) -> bool;
    /// Named, typed numeric columns, after source, target, weight and kind.
    fn columns(&self) -> &[EdgeColumn];
    /// Edges.
    fn len(&self) -> usize;
    /// Whether there is none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Edge `i`: its ends (dataset account ids) and weight.
    fn edge(&self, i: usize) -> (u32, u32, f64);
    /// Edge `i`'s value in column `c`.
    fn value(&self, i: usize, c: usize) -> f64;
    /// Whether edges carry an example item (written last).
    fn has_examples(&self) -> bool {
        false
    }
    /// Edge `i`'s example item, read from `data` where the edge keeps only its id.
    fn example(&self, _data: &Dataset, _i: usize) -> Option<Cow<'_, str>> {
        None
    }
    /// Accounts at either end of some edge, in id order.
    fn nodes(&self) -> Vec<u32> {
        let mut n: Vec<u32> = (0..self.len())
            .flat_map(|i| {
                let (a, b, _) = self.edge(i);
                [a, b]
            })
            .collect();
        n.sort_unstable();
        n.dedup();
        n
    }
}

/// Rows `0..len` of a file, formatted by `row` in parallel, a few thousand at a time into
/// reused buffers, while this thread writes the previous round: a large graph is neither held
/// in memory as text nor written by one core.
pub(super) fn write_rows(
    out: &mut dyn Write,
    len: usize,
    row: impl Fn(&mut Vec<u8>, usize) + Sync,
) -> std::io::Result<()> {
    const CHUNK: usize = 4096;
    let starts: Vec<usize> = (0..len).step_by(CHUNK).collect();
    let round = 4 * rayon::current_num_threads().max(1);
    let mut ready: Vec<Vec<u8>> = Vec::new();
    let mut spare: Vec<Vec<u8>> = Vec::new();
    let row = &row;
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
                    for i in start..(start + CHUNK).min(len) {
                        row(&mut local, i);
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

/// Edges ready to write: endpoints (dataset account ids), a weight, and named numeric columns.
///
/// The columns are kept row after row in one vector, and examples in one string, so a large
/// graph costs a few allocations rather than two per edge.
#[derive(Clone, Debug, Default)]
pub struct EdgeTable {
    /// The graph kind, written on every edge.
    pub kind: String,
    /// Whether edges go one way.
    pub directed: bool,
    /// The numeric columns, after source, target, weight and kind.
    pub columns: Vec<EdgeColumn>,
    /// (source, target, weight), one per edge.
    pub edges: Vec<(u32, u32, f64)>,
    /// `columns.len()` values per edge, in edge order.
    values: Vec<f64>,
    /// Whether the kind has an example item per edge (a column even with no edges).
    examples: bool,
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
}

/// Node attributes: named, typed columns, one value per node, as text (an empty value is
/// none: the node goes without the attribute). Every account at an edge's end is a node of
/// the file, and so is every account in the table, tied or not.
#[derive(Clone, Debug, Default)]
pub struct NodeTable {
    /// The attributes.
    pub columns: Vec<NodeColumn>,
    /// Each account's values, one per column.
    pub values: hashbrown::HashMap<u32, Vec<String>>,
}

/// A node attribute: its name and the type its values are declared, so that a graph tool
/// reads counts and scores as numbers (Gephi sizes and colours nodes only by numbers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeColumn {
    /// The attribute's name.
    pub name: String,
    /// The type its values are declared.
    pub kind: AttrType,
}

/// The type of a node attribute's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrType {
    /// Text.
    Text,
    /// A whole number (64-bit).
    Integer,
    /// A number with a fraction.
    Real,
    /// `true` or `false`.
    Boolean,
}

impl AttrType {
    /// The type's name in GraphML's `attr.type` and GEXF's `type` (both use these).
    pub fn name(self) -> &'static str {
        match self {
            AttrType::Text => "string",
            AttrType::Integer => "long",
            AttrType::Real => "double",
            AttrType::Boolean => "boolean",
        }
    }
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
    /// Every weight, as `--weight` lists them.
    pub const ALL: [EdgeWeight; 5] = [
        EdgeWeight::Pairs,
        EdgeWeight::Items,
        EdgeWeight::Idf,
        EdgeWeight::Cosine,
        EdgeWeight::Z,
    ];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            EdgeWeight::Pairs => "pairs",
            EdgeWeight::Items => "items",
            EdgeWeight::Idf => "idf",
            EdgeWeight::Cosine => "cosine",
            EdgeWeight::Z => "z",
        }
    }

    /// The weight of edge `e`.
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
        crate::shown::by_name(&EdgeWeight::ALL, EdgeWeight::name, s, "weight")
    }
}

/// A numeric edge column: its name and the type its values are declared in GraphML and
/// GEXF (counts as whole numbers, so that a graph tool filters and sizes by them as counts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeColumn {
    /// The column's name.
    pub name: &'static str,
    /// The type its values are declared.
    pub kind: AttrType,
}

impl EdgeColumn {
    /// A column of counts.
    pub const fn count(name: &'static str) -> EdgeColumn {
        EdgeColumn {
            name,
            kind: AttrType::Integer,
        }
    }

    /// A column of real numbers.
    pub const fn real(name: &'static str) -> EdgeColumn {
        EdgeColumn {
            name,
            kind: AttrType::Real,
        }
    }
}

/// The evidence columns of a co-action edge, after source, target, weight and kind.
const COACTION_COLUMNS: [EdgeColumn; 9] = [
    EdgeColumn::count("pairs"),
    EdgeColumn::count("items"),
    EdgeColumn::real("min_delay_s"),
    EdgeColumn::real("mean_delay_s"),
    EdgeColumn::real("idf_weight"),
    EdgeColumn::real("cosine"),
    EdgeColumn::real("expected_pairs"),
    EdgeColumn::real("z"),
    EdgeColumn::real("p_value"),
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
            examples: true,
            ..Default::default()
        };
        for e in p.edges.iter().filter(|e| keep(e)) {
            t.edges.push((e.a, e.b, weight.of(e)));
            t.values.extend(coaction_values(e));
            t.example.push(&p.exemplar_name(data, e));
        }
        t
    }

    /// The retweet graph: amplifier -> source, weighted by retweets.
    pub fn retweet(g: &RetweetGraph, min_retweets: u32) -> EdgeTable {
        let mut t = EdgeTable {
            kind: "retweet".into(),
            directed: true,
            columns: vec![
                EdgeColumn::count("retweets"),
                EdgeColumn::count("delays_known"),
                EdgeColumn::real("median_delay_s"),
                EdgeColumn::real("delay_iqr_s"),
            ],
            ..Default::default()
        };
        let secs = |x: Option<i64>| x.map_or(f64::NAN, |v| v as f64 / 1000.0);
        for e in g.edges.iter().filter(|e| e.retweets >= min_retweets) {
            t.edges.push((e.amplifier, e.source, e.retweets as f64));
            t.values.extend_from_slice(&[
                e.retweets as f64,
                e.delays_known as f64,
                secs(e.median_delay_ms()),
                secs(e.delay_iqr_ms()),
            ]);
        }
        t
    }

    /// A table of `columns`, each edge given as (source, target, weight, one value per column).
    pub fn new(
        kind: &str,
        directed: bool,
        columns: Vec<EdgeColumn>,
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
}

impl GraphEdges for EdgeTable {
    fn kind(&self) -> &str {
        &self.kind
    }

    fn directed(&self) -> bool {
        self.directed
    }

    fn columns(&self) -> &[EdgeColumn] {
        &self.columns
    }

    fn len(&self) -> usize {
        self.edges.len()
    }

    fn edge(&self, i: usize) -> (u32, u32, f64) {
        self.edges[i]
    }

    fn value(&self, i: usize, c: usize) -> f64 {
        self.values[i * self.columns.len() + c]
    }

    fn has_examples(&self) -> bool {
        self.examples
    }

    fn example(&self, _data: &Dataset, i: usize) -> Option<Cow<'_, str>> {
        self.example.get(i).map(Cow::Borrowed)
    }
}

/// A projection's edges as they stand, for writing without an `EdgeTable` in between.
pub(super) struct CoactionEdges<'p> {
    pub p: &'p Projection,
    pub weight: EdgeWeight,
}

impl GraphEdges for CoactionEdges<'_> {
    fn kind(&self) -> &str {
        self.p.kind.name()
    }

    fn directed(&self) -> bool {
        false
    }

    fn columns(&self) -> &[EdgeColumn] {
        &COACTION_COLUMNS
    }

    fn len(&self) -> usize {
        self.p.edges.len()
    }

    fn edge(&self, i: usize) -> (u32, u32, f64) {
        let e = &self.p.edges[i];
        (e.a, e.b, self.weight.of(e))
    }

    fn value(&self, i: usize, c: usize) -> f64 {
        coaction_values(&self.p.edges[i])[c]
    }

    fn has_examples(&self) -> bool {
        true
    }

    fn example(&self, data: &Dataset, i: usize) -> Option<Cow<'_, str>> {
        let e = &self.p.edges[i];
        Some(Cow::Owned(self.p.exemplar_name(data, e)))
    }
}

/// Some of the fused graph's edges, by index, with each kind's evidence as columns: the
/// edge files of a detection are written from the fused graph itself (a table of the
/// flagged clusters' edges took 1.3 GB at 10^7 tweets; the indices take 4 bytes an edge).
pub struct FusedEdges<'f> {
    fused: &'f Fused,
    columns: Vec<EdgeColumn>,
    chosen: Vec<u32>,
}

impl<'f> FusedEdges<'f> {
    /// The fused edges whose ends `keep` accepts.
    pub fn new(fused: &'f Fused, keep: impl Fn(u32, u32) -> bool + Sync) -> FusedEdges<'f> {
        use rayon::prelude::*;
        // Counted, then filled into an exactly sized vector, block by block on every core:
        // the edges chosen can be most of a large graph's, and a vector grown by doubling (or
        // one per block, joined) holds up to twice them.
        let kept = |block: crate::graphs::fusion::Iter<'f>| {
            let first = block.next_index();
            (block.enumerate())
                .filter(|(_, e)| keep(e.a, e.b))
                .map(move |(i, _)| (first + i) as u32)
        };
        let counts: Vec<usize> = fused.edges.par_blocks().map(|b| kept(b).count()).collect();
        let mut chosen = vec![0u32; counts.iter().sum()];
        let mut parts: Vec<&mut [u32]> = Vec::with_capacity(counts.len());
        let mut rest = &mut chosen[..];
        for &n in &counts {
            let (part, tail) = rest.split_at_mut(n);
            parts.push(part);
            rest = tail;
        }
        (fused.edges.par_blocks().zip(parts)).for_each(|(block, part)| {
            for (slot, i) in part.iter_mut().zip(kept(block)) {
                *slot = i;
            }
        });
        FusedEdges::from_indices(fused, chosen)
    }

    /// The fused edges at `chosen` (indices into `fused.edges`, in increasing order).
    pub fn from_indices(fused: &'f Fused, chosen: Vec<u32>) -> FusedEdges<'f> {
        FusedEdges {
            fused,
            columns: (fused.kinds.iter())
                .map(|k| EdgeColumn::real(k.kind))
                .collect(),
            chosen,
        }
    }

    /// Indices into `fused.edges` of the edges chosen.
    pub fn indices(&self) -> &[u32] {
        &self.chosen
    }
}

impl GraphEdges for FusedEdges<'_> {
    fn kind(&self) -> &str {
        "fused"
    }

    fn directed(&self) -> bool {
        false
    }

    fn columns(&self) -> &[EdgeColumn] {
        &self.columns
    }

    fn len(&self) -> usize {
        self.chosen.len()
    }

    fn edge(&self, i: usize) -> (u32, u32, f64) {
        let e = self.fused.edges.get(self.chosen[i] as usize);
        (e.a, e.b, e.weight())
    }

    fn value(&self, i: usize, c: usize) -> f64 {
        self.fused.edges.evidence(self.chosen[i] as usize, c) as f64
    }
}

impl NodeTable {
    /// The nodes of a file of `edges` with these attributes: the edges' ends and the table's
    /// accounts, in id order.
    pub fn nodes_with(&self, edges: &dyn GraphEdges) -> Vec<u32> {
        let mut nodes = edges.nodes();
        nodes.extend(self.values.keys());
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }

    /// Screen name and number of tweets for every account in `nodes`.
    pub fn basic(data: &Dataset, nodes: &[u32]) -> NodeTable {
        let mut tweets = vec![0u32; data.accounts.len()];
        for &a in &data.account {
            tweets[a as usize] += 1;
        }
        NodeTable::with_tweets(data, &tweets, nodes)
    }

    /// Screen name and `tweets[a]` for every account `a` in `nodes`.
    pub fn with_tweets(data: &Dataset, tweets: &[u32], nodes: &[u32]) -> NodeTable {
        let column = |name: &str, kind| NodeColumn {
            name: name.into(),
            kind,
        };
        let mut t = NodeTable {
            columns: vec![
                column("screen_name", AttrType::Text),
                column("tweets", AttrType::Integer),
            ],
            values: Default::default(),
        };
        for &n in nodes {
            let name = data.accounts.screen_name(n).unwrap_or_default().to_string();
            t.values
                .insert(n, vec![name, tweets[n as usize].to_string()]);
        }
        t
    }

    /// Add a column of `kind`, each node's value given by `values` (empty for none).
    pub fn add_column(&mut self, name: &str, kind: AttrType, values: impl Fn(u32) -> String) {
        self.columns.push(NodeColumn {
            name: name.to_string(),
            kind,
        });
        for (&n, row) in self.values.iter_mut() {
            row.push(values(n));
        }
    }
}

/// The graph file formats, chosen by the output's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// An edge list (`.csv`).
    Csv,
    /// GraphML (`.graphml`), for Cytoscape, igraph and NetworkX.
    GraphMl,
    /// GEXF (`.gexf`), for Gephi.
    Gexf,
}

impl GraphFormat {
    /// The format `path`'s extension names; an error naming the ones known otherwise.
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
            // A device or pipe (`/dev/stdout`) takes CSV, as `-` does.
            _ if crate::report::safe::is_special(path) => Ok(GraphFormat::Csv),
            _ => Err(Error::config(format!(
                "cannot tell the graph format of '{}'; name the output .csv, .graphml or .gexf \
                 (or - or a device such as /dev/stdout for CSV)",
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
    edges: &dyn GraphEdges,
    nodes: &NodeTable,
) -> std::io::Result<()> {
    match format {
        GraphFormat::Csv => write_csv(out, data, edges),
        GraphFormat::GraphMl => write_graphml(out, data, edges, nodes),
        GraphFormat::Gexf => write_gexf(out, data, edges, nodes),
    }
}
