//! Report: files analysts open. Edge lists as CSV, and GraphML and GEXF that Gephi opens with
//! node attributes.

pub mod detection;
pub mod graph_file;
pub mod html;
pub mod safe;
pub mod summary;

pub use graph_file::{
    write_graph, AttrType, EdgeTable, FusedEdges, GraphEdges, GraphFormat, NodeColumn, NodeTable,
};
