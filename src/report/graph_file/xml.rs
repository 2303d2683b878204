//! GraphML and GEXF, with node attributes, for Gephi and other graph tools.

use super::csv::push_num;
use super::{write_rows, GraphEdges, NodeTable};
use crate::dataset::Dataset;
use rayon::prelude::*;
use std::io::Write;

fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // As references, so that attribute values keep them (parsers turn raw ones to spaces).
            '\t' => o.push_str("&#9;"),
            '\n' => o.push_str("&#10;"),
            '\r' => o.push_str("&#13;"),
            // Characters XML 1.0 forbids (control codes in tweet text) are dropped.
            c if (c as u32) < 0x20 => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => o.push(c),
        }
    }
    o
}

pub(super) fn write_graphml(
    out: &mut dyn Write,
    data: &Dataset,
    t: &dyn GraphEdges,
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
            r#"  <key id="n{i}" for="node" attr.name="{}" attr.type="{}"/>"#,
            xml(&c.name),
            c.kind.name()
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
    for (i, c) in t.columns().iter().enumerate() {
        writeln!(
            out,
            r#"  <key id="e{i}" for="edge" attr.name="{}" attr.type="{}"/>"#,
            c.name,
            c.kind.name()
        )?;
    }
    if t.has_examples() {
        writeln!(
            out,
            r#"  <key id="example_item" for="edge" attr.name="example_item" attr.type="string"/>"#
        )?;
    }
    let dir = if t.directed() {
        "directed"
    } else {
        "undirected"
    };
    writeln!(out, r#"  <graph id="G" edgedefault="{dir}">"#)?;
    for v in n.nodes_with(t) {
        writeln!(out, r#"    <node id="n{v}">"#)?;
        writeln!(
            out,
            r#"      <data key="account_id">{}</data>"#,
            xml(data.accounts.key(v))
        )?;
        for (i, x) in node_values(n, v) {
            writeln!(out, r#"      <data key="n{i}">{}</data>"#, xml(x))?;
        }
        writeln!(out, "    </node>")?;
    }
    let kind = xml(t.kind());
    write_rows(out, t.len(), |buf, e| {
        let (a, b, w) = t.edge(e);
        buf.extend_from_slice(b"    <edge");
        push_ends(buf, a, b);
        buf.extend_from_slice(b">\n      <data key=\"weight\">");
        push_num(buf, w);
        buf.extend_from_slice(b"</data>\n      <data key=\"kind\">");
        buf.extend_from_slice(kind.as_bytes());
        buf.extend_from_slice(b"</data>\n");
        for i in 0..t.columns().len() {
            let x = t.value(e, i);
            if x.is_finite() {
                push_value(buf, b"      <data key=\"e", i, b"\">", x, b"</data>\n");
            }
        }
        if let Some(example) = t.example(data, e).filter(|x| !x.is_empty()) {
            buf.extend_from_slice(b"      <data key=\"example_item\">");
            buf.extend_from_slice(xml(&example).as_bytes());
            buf.extend_from_slice(b"</data>\n");
        }
        buf.extend_from_slice(b"    </edge>\n");
    })?;
    writeln!(out, "  </graph>\n</graphml>")
}

/// Node `v`'s attribute values that it has, by column: an empty value is left out, as both
/// formats allow, where an empty string would not be a number of a numeric attribute.
fn node_values(n: &NodeTable, v: u32) -> impl Iterator<Item = (usize, &str)> {
    let values = n.values.get(&v).map_or(&[][..], |vals| &vals[..]);
    (values.iter().enumerate())
        .filter(|(_, x)| !x.is_empty())
        .map(|(i, x)| (i, x.as_str()))
}

/// An edge's ends as both formats write them: ` source="nA" target="nB"`.
fn push_ends(buf: &mut Vec<u8>, a: u32, b: u32) {
    let mut int = itoa::Buffer::new();
    buf.extend_from_slice(b" source=\"n");
    buf.extend_from_slice(int.format(a).as_bytes());
    buf.extend_from_slice(b"\" target=\"n");
    buf.extend_from_slice(int.format(b).as_bytes());
    buf.push(b'"');
}

/// An edge column's value as both formats write it: `open`, the column's number, `mid`,
/// the value, `close`.
fn push_value(buf: &mut Vec<u8>, open: &[u8], i: usize, mid: &[u8], x: f64, close: &[u8]) {
    buf.extend_from_slice(open);
    buf.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
    buf.extend_from_slice(mid);
    push_num(buf, x);
    buf.extend_from_slice(close);
}

pub(super) fn write_gexf(
    out: &mut dyn Write,
    data: &Dataset,
    t: &dyn GraphEdges,
    n: &NodeTable,
) -> std::io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<gexf xmlns="http://gexf.net/1.3" version="1.3">"#)?;
    writeln!(out, r#"  <meta><creator>coordnet</creator></meta>"#)?;
    let dir = if t.directed() {
        "directed"
    } else {
        "undirected"
    };
    writeln!(out, r#"  <graph mode="static" defaultedgetype="{dir}">"#)?;
    writeln!(out, r#"    <attributes class="node">"#)?;
    writeln!(
        out,
        r#"      <attribute id="account_id" title="account_id" type="string"/>"#
    )?;
    for (i, c) in n.columns.iter().enumerate() {
        writeln!(
            out,
            r#"      <attribute id="n{i}" title="{}" type="{}"/>"#,
            xml(&c.name),
            c.kind.name()
        )?;
    }
    writeln!(out, "    </attributes>")?;
    writeln!(out, r#"    <attributes class="edge">"#)?;
    // Declared defaults keep edges short (a 1M-tweet detection writes ~400k edges): the
    // file's one kind, and 0 for columns where nothing is missing, so zeros can be left out.
    writeln!(
        out,
        r#"      <attribute id="kind" title="kind" type="string"><default>{}</default></attribute>"#,
        xml(t.kind())
    )?;
    let zero_default: Vec<bool> = (0..t.columns().len())
        .map(|i| {
            (0..t.len())
                .into_par_iter()
                .all(|e| t.value(e, i).is_finite())
        })
        .collect();
    for (i, c) in t.columns().iter().enumerate() {
        let default = if zero_default[i] {
            "<default>0</default>"
        } else {
            ""
        };
        writeln!(
            out,
            r#"      <attribute id="e{i}" title="{}" type="{}">{default}</attribute>"#,
            c.name,
            c.kind.name()
        )?;
    }
    if t.has_examples() {
        writeln!(
            out,
            r#"      <attribute id="example_item" title="example_item" type="string"/>"#
        )?;
    }
    writeln!(out, "    </attributes>")?;
    writeln!(out, "    <nodes>")?;
    for v in n.nodes_with(t) {
        let key = data.accounts.key(v);
        let label = data.accounts.screen_name(v).unwrap_or(key);
        writeln!(out, r#"      <node id="n{v}" label="{}">"#, xml(label))?;
        writeln!(out, "        <attvalues>")?;
        writeln!(
            out,
            r#"          <attvalue for="account_id" value="{}"/>"#,
            xml(key)
        )?;
        for (i, x) in node_values(n, v) {
            writeln!(
                out,
                r#"          <attvalue for="n{i}" value="{}"/>"#,
                xml(x)
            )?;
        }
        writeln!(out, "        </attvalues>\n      </node>")?;
    }
    writeln!(out, "    </nodes>\n    <edges>")?;
    write_rows(out, t.len(), |buf, id| {
        let (a, b, w) = t.edge(id);
        buf.extend_from_slice(b"      <edge id=\"");
        buf.extend_from_slice(itoa::Buffer::new().format(id).as_bytes());
        buf.push(b'"');
        push_ends(buf, a, b);
        buf.extend_from_slice(b" weight=\"");
        push_num(buf, w);
        buf.extend_from_slice(b"\">\n        <attvalues>\n");
        for (i, &zero) in zero_default.iter().enumerate() {
            let x = t.value(id, i);
            if x.is_finite() && !(zero && x == 0.0) {
                let (open, mid) = (b"          <attvalue for=\"e", b"\" value=\"");
                push_value(buf, open, i, mid, x, b"\"/>\n");
            }
        }
        if let Some(example) = t.example(data, id).filter(|x| !x.is_empty()) {
            buf.extend_from_slice(b"          <attvalue for=\"example_item\" value=\"");
            buf.extend_from_slice(xml(&example).as_bytes());
            buf.extend_from_slice(b"\"/>\n");
        }
        buf.extend_from_slice(b"        </attvalues>\n      </edge>\n");
    })?;
    writeln!(out, "    </edges>\n  </graph>\n</gexf>")
}
