//! The edge-list reader of `coordnet communities` on raw bytes, with the default columns
//! (`source`, `target`, `weight`). Checks the graph it returns is consistent with the names and its weights finite.

use coordnet::graphs::edge_list::{read_edge_list_from, EdgeColumns};
use std::path::Path;

/// One execution on `data`.
pub fn run(data: &[u8]) {
    let mut reader = data;
    match read_edge_list_from(Path::new("edges.csv"), &mut reader, &EdgeColumns::default()) {
        Ok(list) => {
            assert_eq!(list.graph.nodes(), list.names.len(), "nodes != names");
            for id in 0..list.names.len() as u32 {
                let _ = list.names.get(id);
                // The reader refuses a weight that is not a finite number; the graph's must
                // be finite too (repeated edges add up).
                for (_, w) in list.graph.neighbors(id) {
                    assert!(w.is_finite(), "edge weight {w} in the graph read");
                }
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}
