//! Graphs: co-action projections against an independent oracle (CooRTweet's own outputs),
//! windows, caps, significance, evidence and the retweet graph.

use super::*;
use coordnet::graphs::store::component_sizes;
use coordnet::graphs::{coaction_graph, CoactionKind, Graph, GraphOptions};

/// CooRTweet 2.x on `russian_coord_tweets`: (window s, min_participation) ->
/// (coordinated pairs, nodes, edges, components, largest component), from
/// ../shared/data/README.md.
const COORTWEET: [(i64, u32, [usize; 5]); 4] = [
    (10, 2, [447, 525, 442, 95, 35]),
    (60, 2, [3_791, 2_110, 3_721, 23, 2_019]),
    (10, 5, [22, 23, 20, 3, 10]),
    (60, 5, [1_235, 772, 1_193, 1, 772]),
];

#[test]
fn co_retweet_reproduces_coortweet_exactly() {
    let Some(p) = shared("coortweet/russian_coord_tweets.csv.gz") else {
        return;
    };
    let (d, _) = read(&[p]);
    for (window_s, min_participation, want) in COORTWEET {
        let opts = GraphOptions {
            window_ms: Some(window_s * 1000),
            min_participation,
            coortweet_participation: true,
            ..Default::default()
        };
        let g = coaction_graph(&d, CoactionKind::CoRetweet, &opts).unwrap();
        let pairs: u64 = g.edges.iter().map(|e| e.pairs as u64).sum();
        let csr = Graph::undirected(
            d.accounts.len(),
            &g.edges.iter().map(|e| (e.a, e.b, 1.0)).collect::<Vec<_>>(),
        );
        let sizes = component_sizes(&csr);
        let got = [
            pairs as usize,
            csr.active_nodes(),
            csr.edges(),
            sizes.len(),
            sizes.first().copied().unwrap_or(0),
        ];
        assert_eq!(
            got, want,
            "window {window_s}s, min_participation {min_participation}: \
             [pairs, nodes, edges, components, largest]"
        );
    }
}
