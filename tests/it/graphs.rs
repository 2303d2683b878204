//! Graphs: co-action projections against an independent oracle (CooRTweet's own outputs),
//! windows, caps, significance, evidence and the retweet graph.

use super::*;
use coordnet::dataset::TweetKind;
use coordnet::graphs::store::component_sizes;
use coordnet::graphs::{coaction_graph, CoactionKind, Graph, GraphOptions, Window};

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
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn co_retweet_reproduces_coortweet_exactly() {
    let p = shared("coortweet/russian_coord_tweets.csv.gz");
    // As `--coortweet` reads: every row counts, the one repeated whole too.
    let opts = IngestOptions {
        keep_repeated_rows: true,
        ..IngestOptions::default()
    };
    let (d, stats) = ingest(&[p], &opts).unwrap();
    assert_eq!(stats.repeated_rows_kept, 1);
    for (window_s, min_participation, want) in COORTWEET {
        let opts = GraphOptions {
            window: Window::Fixed(window_s * 1000),
            min_participation,
            coortweet_participation: true,
            ..Default::default()
        };
        let g = coaction_graph(&d, CoactionKind::CoRetweet, &opts).unwrap();
        let pairs: u64 = g.edges.iter().map(|e| e.pairs as u64).sum();
        let csr = Graph::undirected(
            d.accounts.len(),
            &g.edges.iter().map(|e| (e.a, e.b, 1.0)).collect::<Vec<_>>(),
        )
        .unwrap();
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
    // The command says CooRTweet's figures in its own words.
    let dir = tempfile::tempdir().unwrap();
    let o = coordnet(&[
        "graph",
        "--coortweet",
        "--window",
        "10",
        "--min-participation",
        "2",
        shared("coortweet/russian_coord_tweets.csv.gz")
            .to_str()
            .unwrap(),
        "-o",
        dir.path().join("e.csv").to_str().unwrap(),
    ]);
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(
        said.contains("participation filter: 442 edges holding 447 coordinated pairs"),
        "{said}"
    );
    // The pairs make 719 edges before the filter; "724 pairs -> 442 edges" read as if they
    // fell into 442.
    assert!(said.contains("724 pairs -> 719 edges"), "{said}");
    assert!(
        said.contains("of the 719 edges, 277 dropped by CooRTweet's"),
        "{said}"
    );
}

fn actions_csv(dir: &Path, rows: &[(&str, &str, i64)]) -> PathBuf {
    let mut s = String::from("object_id,account_id,content_id,timestamp_share\n");
    for (i, (object, account, t)) in rows.iter().enumerate() {
        s.push_str(&format!("{object},{account},c{i},{t}\n"));
    }
    write(dir, "shares.csv", &s)
}

fn opts(window_s: Option<i64>) -> GraphOptions {
    GraphOptions {
        window: window_s.map_or(Window::Whole, |s| Window::Fixed(s * 1000)),
        min_participation: 1,
        ..Default::default()
    }
}

/// Edges as (account key, account key, pairs), keys in order.
fn edge_set(d: &Dataset, p: &coordnet::graphs::Projection) -> Vec<(String, String, u32)> {
    let mut v: Vec<_> = p
        .edges
        .iter()
        .map(|e| {
            let (x, y) = (d.accounts.key(e.a), d.accounts.key(e.b));
            let (x, y) = if x < y { (x, y) } else { (y, x) };
            (x.to_string(), y.to_string(), e.pairs)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn window_pairs_only_actions_close_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let p = actions_csv(
        dir.path(),
        &[
            ("o1", "a", 100),
            ("o1", "b", 105),
            ("o1", "c", 120),
            ("o2", "a", 500),
            ("o2", "c", 509),
        ],
    );
    let (d, _) = read(&[p]);
    let g = coaction_graph(&d, CoactionKind::CoRetweet, &opts(Some(10))).unwrap();
    assert_eq!(
        edge_set(&d, &g),
        vec![("a".into(), "b".into(), 1), ("a".into(), "c".into(), 1)]
    );
    assert_eq!(g.stats.pairs, 2);
    let ac = g.edges.iter().find(|e| d.accounts.key(e.b) == "c").unwrap();
    assert_eq!(ac.min_delay_ms, 9_000);
    // Without a window every two shares of an item pair up.
    let g = coaction_graph(&d, CoactionKind::CoRetweet, &opts(None)).unwrap();
    assert_eq!(
        edge_set(&d, &g),
        vec![
            ("a".into(), "b".into(), 1),
            ("a".into(), "c".into(), 2),
            ("b".into(), "c".into(), 1)
        ]
    );
    // min_participation drops b (one share) before pairing.
    let o = GraphOptions {
        min_participation: 2,
        ..opts(None)
    };
    let g = coaction_graph(&d, CoactionKind::CoRetweet, &o).unwrap();
    assert_eq!(edge_set(&d, &g), vec![("a".into(), "c".into(), 2)]);
    assert_eq!(g.stats.accounts_below_min_participation, 1);
}

#[test]
fn viral_item_is_capped_and_the_cap_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..200).map(|i| format!("acct{i}")).collect();
    let rows: Vec<(&str, &str, i64)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| ("viral", n.as_str(), 1000 + i as i64))
        .collect();
    let (d, _) = read(&[actions_csv(dir.path(), &rows)]);
    let all = coaction_graph(&d, CoactionKind::CoRetweet, &opts(None)).unwrap();
    assert_eq!(all.stats.pairs, 200 * 199 / 2);
    assert_eq!(all.stats.pairs_capped, 0);
    let o = GraphOptions {
        max_neighbors: 10,
        ..opts(None)
    };
    let capped = coaction_graph(&d, CoactionKind::CoRetweet, &o).unwrap();
    // Each share pairs with its 10 successors (fewer at the end).
    let formed: u64 = (0..200u64).map(|i| (199 - i).min(10)).sum();
    assert_eq!(capped.stats.pairs, formed);
    assert_eq!(
        capped.stats.pairs + capped.stats.pairs_capped,
        200 * 199 / 2
    );
    assert_eq!(capped.stats.items_capped, 1);
    assert_eq!(capped.edges.len() as u64, formed);
}

#[test]
fn minute_resolution_refuses_a_ten_second_window() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "ira.csv",
        "external_author_id,author,content,region,language,publish_date,harvested_date,following,followers,updates,post_type,account_type,retweet,account_category,new_june_2018,alt_external_id,tweet_id,article_url,tco1_step1,tco2_step1,tco3_step1\n\
         1,AAA,'Vote #now',US,English,10/1/2016 19:02,x,1,1,1,,Right,0,RightTroll,0,1,1,u,,,\n\
         2,BBB,'Vote #now',US,English,10/1/2016 19:02,x,1,1,1,,Right,0,RightTroll,0,2,2,u,,,\n",
    );
    let (d, r) = read(&[p]);
    assert_eq!(r.rows_rejected, 0, "{}", r.summary());
    let err = coaction_graph(&d, CoactionKind::CoHashtag, &opts(Some(10))).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("resolution") && msg.contains("a window of 1m or longer"),
        "{msg}"
    );
    let g = coaction_graph(&d, CoactionKind::CoHashtag, &opts(Some(60))).unwrap();
    assert_eq!(g.edges.len(), 1);
}

#[test]
fn hashtag_url_mention_and_text_graphs_link_the_right_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let header = "tweetid,userid,user_screen_name,tweet_text,tweet_time,is_retweet,retweet_userid,retweet_tweetid,in_reply_to_tweetid,in_reply_to_userid,hashtags,urls,user_mentions\n";
    let mut s = String::from(header);
    let mut add =
        |id: u64, user: &str, text: &str, min: u32, tags: &str, urls: &str, ment: &str| {
            s.push_str(&format!(
            "{id},{user},{user},\"{text}\",2020-01-01 10:{min:02},False,,,,,{tags},{urls},{ment}\n"
        ));
        };
    add(
        1,
        "u1",
        "Everyone must see this amazing news today",
        0,
        "[stopthesteal]",
        "[https://www.example.com/a?utm_source=x]",
        "[u9]",
    );
    add(
        2,
        "u2",
        "@u7 everyone must see this amazing news TODAY https://t.co/x",
        0,
        "[stopthesteal]",
        "[http://example.com/a]",
        "[u9]",
    );
    add(
        3,
        "u3",
        "a completely different message about cooking pasta",
        30,
        "[pasta]",
        "[]",
        "[]",
    );
    add(
        4,
        "u4",
        "another completely different message about cooking pasta",
        59,
        "[pasta]",
        "[]",
        "[]",
    );
    let (d, r) = read(&[write(dir.path(), "t.csv", &s)]);
    assert_eq!(r.rows_rejected, 0, "{}", r.summary());
    let pair = |kind| {
        let g = coaction_graph(&d, kind, &opts(Some(60))).unwrap();
        edge_set(&d, &g)
            .into_iter()
            .map(|(a, b, _)| format!("{a}-{b}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(pair(CoactionKind::CoHashtag), vec!["u1-u2"]);
    assert_eq!(pair(CoactionKind::CoUrl), vec!["u1-u2"]);
    assert_eq!(pair(CoactionKind::CoMention), vec!["u1-u2"]);
    assert_eq!(pair(CoactionKind::CoTweet), vec!["u1-u2"]);
    assert_eq!(pair(CoactionKind::CoSimilar), vec!["u1-u2"]);
    // u3 and u4 are 29 minutes apart: a one-hour window links them by hashtag and by the
    // near-duplicate text, but their texts are not identical.
    let wide = opts(Some(3600));
    let g = coaction_graph(&d, CoactionKind::CoSimilar, &wide).unwrap();
    assert_eq!(g.edges.len(), 2);
    let g = coaction_graph(&d, CoactionKind::CoTweet, &wide).unwrap();
    assert_eq!(g.edges.len(), 1);
}

/// Synthetic data: the projection on generated tweets, with the truth beside it.
fn sample() -> (Dataset, std::collections::HashMap<String, String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples");
    let (d, _) = read(&[root.join("tweets.csv.gz")]);
    let mut truth = std::collections::HashMap::new();
    for rec in csv::Reader::from_path(root.join("truth.csv"))
        .unwrap()
        .records()
    {
        let rec = rec.unwrap();
        truth.insert(rec[0].to_string(), rec[1].to_string());
    }
    (d, truth)
}

#[test]
fn significance_ranks_planted_pairs_above_chance_pairs() {
    let (d, truth) = sample();
    let g = coaction_graph(&d, CoactionKind::CoRetweet, &GraphOptions::default()).unwrap();
    let net = |a: u32| truth[d.accounts.key(a)].as_str();
    let planted = |e: &&coordnet::graphs::CoEdge| net(e.a) != "organic" && net(e.a) == net(e.b);
    let median = |f: &dyn Fn(&coordnet::graphs::CoEdge) -> f64, want: bool| {
        let mut v: Vec<f64> = g
            .edges
            .iter()
            .filter(|e| planted(e) == want)
            .map(f)
            .collect();
        assert!(v.len() > 50, "{} edges", v.len());
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    // Raw counts are 1 for most edges of both kinds; the weights that correct for activity
    // and item popularity separate them.
    let (zp, zo) = (median(&|e| e.z, true), median(&|e| e.z, false));
    assert!(zp > zo + 0.3, "median z planted {zp:.2}, other {zo:.2}");
    let (cp, co) = (median(&|e| e.cosine, true), median(&|e| e.cosine, false));
    assert!(
        cp > 3.0 * co,
        "median cosine planted {cp:.3}, other {co:.3}"
    );
    let (ip, io) = (
        median(&|e| e.idf_weight, true),
        median(&|e| e.idf_weight, false),
    );
    assert!(
        ip > 3.0 * io,
        "median idf weight planted {ip:.2}, other {io:.2}"
    );
}

#[test]
fn analytic_null_matches_shuffled_projections() {
    use coordnet::graphs::{actions, coaction, significance::shuffle_accounts};
    let (d, _) = sample();
    let o = GraphOptions {
        window: Window::Fixed(3_600_000),
        ..Default::default()
    };
    let acts = actions::collect(&d, CoactionKind::CoHashtag, &o.filter);
    let observed = coaction::project(&d, acts.clone(), &o).unwrap();
    // Expected total pairs between different accounts, summed over every account pair.
    let k = acts.per_account(d.accounts.len());
    let m: f64 = k.iter().map(|&x| x as f64).sum();
    let sum_sq: f64 = k.iter().map(|&x| (x as f64).powi(2)).sum();
    let slot_pairs = {
        // Same slots as the projection forms: pairs inside the window.
        let mut n = 0u64;
        for g in 0..acts.items() {
            let t = &acts.time_ms[acts.item(g)];
            let mut hi = 0;
            for i in 0..t.len() {
                hi = hi.max(i + 1);
                while hi < t.len() && t[hi] - t[i] <= 3_600_000 {
                    hi += 1;
                }
                n += (hi - i - 1).min(1000) as u64;
            }
        }
        n as f64
    };
    let expected_total = slot_pairs * (m * m - sum_sq) / (m * (m - 1.0));
    let shuffles = 20;
    let mut null_total = 0.0;
    for seed in 0..shuffles {
        let s = shuffle_accounts(&acts, seed);
        null_total += coaction::project(&d, s, &o).unwrap().stats.pairs as f64;
    }
    let mean = null_total / shuffles as f64;
    assert!(
        (mean - expected_total).abs() < 0.03 * expected_total,
        "shuffled mean {mean:.0} vs analytic {expected_total:.0}"
    );
    // The null spreads an account's actions over other accounts' slots, so it forms more
    // different-account pairs than the data, where accounts repeat their own hashtags.
    assert!(observed.stats.pairs > 0);
}

#[test]
fn evidence_lists_every_shared_item_with_both_times() {
    use coordnet::graphs::evidence::evidence;
    let dir = tempfile::tempdir().unwrap();
    let p = actions_csv(
        dir.path(),
        &[
            ("o1", "a", 100),
            ("o1", "b", 105),
            ("o2", "a", 500),
            ("o2", "b", 900),
            ("o3", "a", 1),
        ],
    );
    let (d, _) = read(&[p]);
    let g = coaction_graph(&d, CoactionKind::CoRetweet, &opts(Some(60))).unwrap();
    let (a, b) = (
        d.accounts.lookup("a").unwrap(),
        d.accounts.lookup("b").unwrap(),
    );
    let ev = evidence(&d, &g, a, b);
    assert_eq!(ev.len(), 2);
    assert_eq!(
        (ev[0].item.as_str(), ev[0].delay_ms, ev[0].within_window),
        ("o1", 5000, true)
    );
    assert_eq!(
        (ev[1].item.as_str(), ev[1].delay_ms, ev[1].within_window),
        ("o2", 400_000, false)
    );
    assert_eq!(g.edges[0].items, 1);
}

#[test]
fn projection_does_not_depend_on_thread_count() {
    let (d, _) = sample();
    let o = GraphOptions::default();
    let many = coaction_graph(&d, CoactionKind::CoHashtag, &o).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let one = pool.install(|| coaction_graph(&d, CoactionKind::CoHashtag, &o).unwrap());
    assert!(!many.edges.is_empty());
    assert_eq!(many.edges, one.edges);
}

#[test]
#[cfg_attr(shared_data_absent, ignore = "needs ../shared/data, which is absent")]
fn ira_retweet_sources_are_recovered_from_matching_text() {
    use coordnet::graphs::retweet_graph;
    let p = shared("ira-2016-10/tweets.csv.gz");
    let (d, _) = read(&[p]);
    let g = retweet_graph(&d);
    let r = &g.stats;
    assert_eq!(r.retweets, 70_229);
    assert_eq!(r.source_from_record, 0);
    assert_eq!(
        r.source_from_text_match + r.source_unknown + r.source_from_text_prefix,
        r.retweets
    );
    assert!(r.source_from_text_match > 100, "{r:?}");
    // Every edge points from a retweeter to another account; text matches carry delays.
    for e in &g.edges {
        assert_ne!(e.amplifier, e.source);
        assert!(e.median_delay_ms().is_none_or(|x| x >= 0));
    }
    let with_delay: u32 = g.edges.iter().map(|e| e.delays_known).sum();
    assert_eq!(
        with_delay as usize,
        r.source_from_text_match - r.self_retweets
    );
    // A retweet whose text matches its own account's earlier post (the earliest with that
    // text) is a self-retweet, counted apart as a record's would be, not an unknown source.
    let mut earliest: std::collections::HashMap<String, usize> = Default::default();
    for i in (0..d.len()).filter(|&i| d.kind(i) != TweetKind::Retweet) {
        earliest.entry(d.text(i).unwrap().into_owned()).or_insert(i);
    }
    let own = (0..d.len())
        .filter(|&i| d.kind(i) == TweetKind::Retweet)
        .filter(|&i| {
            let text = d.text(i).unwrap();
            !text.starts_with("RT @")
                && earliest
                    .get(text.as_ref())
                    .is_some_and(|&o| d.account[o] == d.account[i] && o <= i)
        })
        .count();
    assert!(own > 100, "{own}");
    assert_eq!(r.self_retweets, own);
    // And co-retweet can use them: retweets of the same recovered original pair up.
    let o = GraphOptions {
        window: Window::Whole,
        min_participation: 1,
        ..Default::default()
    };
    let co = coaction_graph(&d, CoactionKind::CoRetweet, &o).unwrap();
    assert!(
        co.stats.actions >= r.source_from_text_match / 2,
        "{:?}",
        co.stats
    );
    // Retweets whose post is not in the data are keyed by their text: identical retweet texts
    // retweeted the same post, so none is left without an item.
    let shares = (0..d.len())
        .filter(|&i| d.kind(i) == coordnet::dataset::TweetKind::Retweet)
        .count();
    assert_eq!(co.stats.actions, shares, "{:?}", co.stats);
    assert_eq!(co.stats.unplaced, 0);
    let by_text = co
        .edges
        .iter()
        .filter(|e| {
            co.actions
                .item_label(&d, e.exemplar_item as usize)
                .starts_with('\'')
        })
        .count();
    assert!(
        by_text * 2 > co.edges.len(),
        "{by_text} of {} edges",
        co.edges.len()
    );
    // Reading without texts (as `graph --kind co-retweet` does) keeps this layout's texts,
    // since they are how its retweets find their targets.
    let opts = IngestOptions {
        keep_text: false,
        ..Default::default()
    };
    let (lean, _) = ingest(&[shared("ira-2016-10/tweets.csv.gz")], &opts).unwrap();
    let lean_co = coaction_graph(&lean, CoactionKind::CoRetweet, &o).unwrap();
    assert_eq!(lean_co.stats.actions, co.stats.actions);
    assert_eq!(lean_co.edges, co.edges);
}

/// `graph` writes CSV straight from the projection; the file must be the one the edge table
/// gives, filters and weights included.
#[test]
fn csv_from_the_projection_equals_csv_from_the_edge_table() {
    use coordnet::report::graph_file::{write_coaction_csv, EdgeWeight};
    use coordnet::report::{write_graph, EdgeTable, GraphFormat, NodeTable};
    let (d, _) = sample();
    for (kind, weight) in [
        (CoactionKind::CoRetweet, EdgeWeight::Pairs),
        (CoactionKind::CoHashtag, EdgeWeight::Idf),
    ] {
        let mut g = coaction_graph(&d, kind, &GraphOptions::default()).unwrap();
        let keep = |e: &coordnet::graphs::CoEdge| e.pairs >= 2;
        let t = EdgeTable::coaction(&d, &g, weight, keep);
        let mut from_table = Vec::new();
        write_graph(
            &mut from_table,
            GraphFormat::Csv,
            &d,
            &t,
            &NodeTable::default(),
        )
        .unwrap();
        g.edges.retain(keep);
        let mut direct = Vec::new();
        write_coaction_csv(&mut direct, &d, &g, weight).unwrap();
        assert!(t.edges.len() > 10, "{kind:?}: {}", t.edges.len());
        assert_eq!(
            String::from_utf8(direct).unwrap(),
            String::from_utf8(from_table).unwrap(),
            "{kind:?}"
        );
    }
}

#[test]
fn gephi_files_are_well_formed_xml() {
    use coordnet::report::graph_file::EdgeWeight;
    use coordnet::report::{write_graph, EdgeTable, GraphEdges, GraphFormat, NodeTable};
    let (d, _) = sample();
    let g = coaction_graph(&d, CoactionKind::CoRetweet, &GraphOptions::default()).unwrap();
    let t = EdgeTable::coaction(&d, &g, EdgeWeight::Pairs, |_| true);
    let n = NodeTable::basic(&d, &t.nodes());
    for (format, node_tag, edge_tag) in [
        (GraphFormat::GraphMl, "node", "edge"),
        (GraphFormat::Gexf, "node", "edge"),
    ] {
        let mut buf = Vec::new();
        write_graph(&mut buf, format, &d, &t, &n).unwrap();
        let mut reader = quick_xml::Reader::from_reader(&buf[..]);
        let (mut nodes, mut edges) = (0, 0);
        let mut scratch = Vec::new();
        loop {
            match reader.read_event_into(&mut scratch) {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(e)) => {
                    if e.name().as_ref() == node_tag.as_bytes() {
                        nodes += 1;
                    } else if e.name().as_ref() == edge_tag.as_bytes() {
                        edges += 1;
                    }
                }
                Ok(_) => {}
                Err(e) => panic!("{format:?}: {e}"),
            }
            scratch.clear();
        }
        assert_eq!(
            (nodes, edges),
            (t.nodes().len(), t.edges.len()),
            "{format:?}"
        );
    }
}

/// A node without a value for an attribute goes without it: an empty string is not a value
/// of a numeric attribute (the numeric types stood for text before, where it was one).
#[test]
fn graph_files_leave_out_missing_node_values_whatever_their_type() {
    use coordnet::report::graph_file::EdgeWeight;
    use coordnet::report::{write_graph, AttrType, EdgeTable, GraphEdges, GraphFormat, NodeTable};
    let (d, _) = sample();
    let g = coaction_graph(&d, CoactionKind::CoRetweet, &GraphOptions::default()).unwrap();
    let t = EdgeTable::coaction(&d, &g, EdgeWeight::Pairs, |_| true);
    let nodes = t.nodes();
    let mut n = NodeTable::basic(&d, &nodes);
    let some = |u: u32, x: &str| {
        if u % 2 == 1 {
            x.to_string()
        } else {
            String::new()
        }
    };
    n.add_column("cluster", AttrType::Integer, |u| some(u, &u.to_string()));
    n.add_column("score", AttrType::Real, |u| some(u, "0.25"));
    n.add_column("flagged", AttrType::Boolean, |u| some(u, "true"));
    n.add_column("role", AttrType::Text, |u| some(u, "core"));
    let with_values = nodes.iter().filter(|&&u| u % 2 == 1).count();
    assert!(with_values > 10 && with_values < nodes.len());
    let dir = tempfile::tempdir().unwrap();
    for (format, name, value_of) in [
        (GraphFormat::GraphMl, "g.graphml", "<data key=\"n"),
        (GraphFormat::Gexf, "g.gexf", "<attvalue for=\"n"),
    ] {
        let path = dir.path().join(name);
        let mut buf = Vec::new();
        write_graph(&mut buf, format, &d, &t, &n).unwrap();
        std::fs::write(&path, &buf).unwrap();
        // Every value given is checked against its declared type.
        let types = graph_file_attributes(&path);
        let of = |name: &str| types[&("node".to_string(), name.to_string())].as_str();
        assert_eq!(
            [
                of("tweets"),
                of("cluster"),
                of("score"),
                of("flagged"),
                of("role")
            ],
            ["long", "long", "double", "boolean", "string"],
            "{name}"
        );
        // Columns 2.. are the ones added: each given only where a node has a value.
        let text = String::from_utf8(buf).unwrap();
        for column in 2..6 {
            let given = text.matches(&format!("{value_of}{column}\"")).count();
            assert_eq!(given, with_values, "{name}: column {column}");
        }
    }
}

#[test]
fn automatic_window_finds_the_planted_reaction_time() {
    use coordnet::graphs::{actions, estimate_window};
    let dir = tempfile::tempdir().unwrap();
    // 300 items: five accounts act on each within 30 s of its start; five others spread
    // over the next 12 hours.
    let mut rows = Vec::new();
    let mut x: u64 = 12345;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        x >> 33
    };
    let names: Vec<String> = (0..400).map(|i| format!("acct{i}")).collect();
    for item in 0..300i64 {
        let start = 1_600_000_000 + item * 50_000;
        for name in &names[..5] {
            rows.push((
                format!("o{item}"),
                name.clone(),
                start + (next() % 30) as i64,
            ));
        }
        for _ in 0..5 {
            let who = 5 + (next() % 395) as usize;
            rows.push((
                format!("o{item}"),
                names[who].clone(),
                start + (next() % 43_200) as i64,
            ));
        }
    }
    let refs: Vec<(&str, &str, i64)> = rows
        .iter()
        .map(|(o, a, t)| (o.as_str(), a.as_str(), *t))
        .collect();
    let (d, _) = read(&[actions_csv(dir.path(), &refs)]);
    let acts = actions::collect(&d, CoactionKind::CoRetweet, &Default::default());
    let w = estimate_window(&acts, 2.0);
    assert!(
        (20_000..=120_000).contains(&w.window_ms),
        "window {} ms: {}",
        w.window_ms,
        w.explanation
    );
}

/// CooRTweet's `detect_groups` written out plainly, row by row, as an oracle: every row counts
/// (repeated ones too) toward `min_participation`; per object, every two rows of different
/// accounts and contents at most `window_s` apart are a pair; then only pairs with a content
/// of an account that has `min_participation` rows among the paired contents are kept.
/// Returns (nodes, edges) of the resulting account network.
fn coortweet_oracle(
    rows: &[(String, String, String, i64)],
    window_s: i64,
    min_participation: usize,
) -> (usize, usize) {
    use std::collections::{BTreeSet, HashMap, HashSet};
    let mut per_account: HashMap<&str, usize> = HashMap::new();
    for r in rows {
        *per_account.entry(&r.1).or_default() += 1;
    }
    let x: Vec<_> = rows
        .iter()
        .filter(|r| per_account[r.1.as_str()] >= min_participation)
        .collect();
    let mut pairs = Vec::new();
    for (i, a) in x.iter().enumerate() {
        for b in &x[i + 1..] {
            if a.0 == b.0 && a.1 != b.1 && a.2 != b.2 && (a.3 - b.3).abs() <= window_s {
                pairs.push((a, b));
            }
        }
    }
    let paired: HashSet<&str> = pairs
        .iter()
        .flat_map(|(a, b)| [a.2.as_str(), b.2.as_str()])
        .collect();
    let mut counted: HashMap<&str, usize> = HashMap::new();
    for r in x.iter().filter(|r| paired.contains(r.2.as_str())) {
        *counted.entry(&r.1).or_default() += 1;
    }
    let kept_content: HashSet<&str> = x
        .iter()
        .filter(|r| {
            counted
                .get(r.1.as_str())
                .is_some_and(|&n| n >= min_participation)
        })
        .map(|r| r.2.as_str())
        .collect();
    let edges: BTreeSet<(&str, &str)> = pairs
        .iter()
        .filter(|(a, b)| kept_content.contains(a.2.as_str()) || kept_content.contains(b.2.as_str()))
        .map(|(a, b)| (a.1.as_str().min(&b.1), a.1.as_str().max(&b.1)))
        .collect();
    let nodes: BTreeSet<&str> = edges.iter().flat_map(|&(a, b)| [a, b]).collect();
    (nodes.len(), edges.len())
}

#[test]
fn coortweet_counts_repeated_rows_of_a_post_hashtag_url_table() {
    // One row per (post, hashtag, URL), as exports of posts with their entities are laid out:
    // projected on hashtags, a post with two URLs repeats each of its hashtag rows.
    let mut x = 17u64;
    let mut next = |n: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % n
    };
    let mut table = String::from("post,account,hashtag,url,time\n");
    let mut rows = Vec::new();
    for post in 0..400 {
        let account = format!("a{}", next(250));
        let time = 1_600_000_000 + next(4 * 3600) as i64;
        let tags: std::collections::BTreeSet<u64> = (0..1 + next(2)).map(|_| next(12)).collect();
        let urls = 1 + next(3);
        for tag in &tags {
            for url in 0..urls {
                table.push_str(&format!(
                    "p{post},{account},#t{tag},https://u{url}.example/{post},{time}\n"
                ));
                rows.push((format!("t{tag}"), account.clone(), format!("p{post}"), time));
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "entities.csv", &table);
    let run = |extra: &[&str]| {
        let out = dir.path().join("g.csv");
        let mut args = vec![
            "graph",
            p.to_str().unwrap(),
            "--account",
            "account",
            "--time",
            "time",
            "--object",
            "hashtag",
            "--content",
            "post",
            "--object-kind",
            "hashtag",
            "--kind",
            "co-hashtag",
            "--window",
            "60s",
            "--min-participation",
            "2",
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = coordnet(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let edges: Vec<(String, String)> = csv::Reader::from_path(&out)
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_string(), r[1].to_string())
            })
            .collect();
        let nodes: std::collections::BTreeSet<&String> =
            edges.iter().flat_map(|(a, b)| [a, b]).collect();
        (
            (nodes.len(), edges.len()),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let repeated = rows.len() - rows.iter().collect::<std::collections::HashSet<_>>().len();
    assert!(repeated > 100, "the table repeats rows: {repeated}");
    let (got, log) = run(&["--coortweet"]);
    assert_eq!(got, coortweet_oracle(&rows, 60, 2), "{log}");
    assert!(
        log.contains(&format!("{repeated}  records repeated whole, kept")),
        "{log}"
    );
    // Without --coortweet, a repeated row is one record, kept once and counted.
    let (once, log) = run(&[]);
    assert!(
        log.contains(&format!("rejected {repeated:>9}  duplicate record")),
        "{log}"
    );
    assert!(once.0 < got.0, "{once:?} {got:?}");
}

/// The sample written to `dir` with `columns` blanked on every row.
fn sample_blanked(dir: &Path, columns: &[&str]) -> PathBuf {
    let sample = sample_tweets();
    let mut r = csv::Reader::from_reader(flate2::read::GzDecoder::new(
        std::fs::File::open(&sample).unwrap(),
    ));
    let header = r.headers().unwrap().clone();
    let blank: Vec<usize> = (columns.iter())
        .map(|c| header.iter().position(|h| h == *c).unwrap())
        .collect();
    let path = dir.join("blanked.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&header).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let row: Vec<&str> = (rec.iter().enumerate())
            .map(|(i, f)| if blank.contains(&i) { "" } else { f })
            .collect();
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    path
}

/// A retweet that names the retweeted tweet but not its author (CNT's `repost_id`, an
/// archive row without `retweet_userid`) takes the author from that tweet when the data
/// holds it: the same source the full row names, found before any text is read.
#[test]
fn a_retweet_naming_only_its_tweet_gets_the_source_from_that_tweet() {
    use coordnet::graphs::retweet::{sources, SourceFrom};
    let dir = tempfile::tempdir().unwrap();
    let full = sample_tweets();
    let blanked = sample_blanked(dir.path(), &["retweet_userid"]);
    let read = |p: &Path| {
        coordnet::ingest(&[p.to_path_buf()], &IngestOptions::default())
            .unwrap()
            .0
    };
    let (whole, cut) = (read(&full), read(&blanked));
    let (whole_sources, cut_sources) = (sources(&whole), sources(&cut));
    let original_rows: std::collections::HashSet<u64> = (0..cut.len())
        .filter(|&r| cut.kind(r) != TweetKind::Retweet)
        .map(|r| cut.tweet_id[r])
        .collect();
    let mut by_tweet = 0;
    for r in (0..cut.len()).filter(|&r| cut.kind(r) == TweetKind::Retweet) {
        assert_eq!(cut.tweet_id[r], whole.tweet_id[r], "rows in the same order");
        if !original_rows.contains(&cut.target_tweet[r]) {
            continue;
        }
        let (w, c) = (whole_sources[r].unwrap(), cut_sources[r].unwrap());
        assert_eq!(c.from(), SourceFrom::Record);
        let key = |d: &Dataset, a: u32| d.accounts.key(a).to_string();
        assert_eq!(key(&cut, c.account()), key(&whole, w.account()));
        assert_eq!(c.delay_ms(&cut, r), w.delay_ms(&whole, r));
        by_tweet += 1;
    }
    assert!(
        by_tweet > 1000,
        "{by_tweet} retweets of a tweet in the sample"
    );
}

/// Retweets that name no retweeted account get it from their 'RT @name:' text, read in one
/// pass over the distinct texts: the same sources whether the texts are in memory or on disk.
#[test]
fn retweet_sources_from_text_are_the_same_with_texts_on_disk() {
    use coordnet::graphs::retweet::{sources, SourceFrom};
    let dir = tempfile::tempdir().unwrap();
    // The sample with the retweeted account and tweet blanked, as some releases ship them.
    let path = sample_blanked(dir.path(), &["retweet_userid", "retweet_tweetid"]);
    let read = |max_text_memory| {
        let opts = IngestOptions {
            max_text_memory,
            temp_dir: Some(dir.path().to_path_buf()),
            ..IngestOptions::default()
        };
        let (data, _) = coordnet::ingest(std::slice::from_ref(&path), &opts).unwrap();
        assert_eq!(data.texts.on_disk(), max_text_memory == 0);
        let found: Vec<Option<(u32, SourceFrom)>> = sources(&data)
            .iter()
            .map(|s| s.map(|s| (s.account(), s.from())))
            .collect();
        found
    };
    let (in_memory, on_disk) = (read(u64::MAX), read(0));
    let from_text = in_memory
        .iter()
        .filter(|s| matches!(s, Some((_, SourceFrom::TextPrefix))))
        .count();
    assert!(from_text > 1000, "{from_text} sources from 'RT @name:'");
    assert!(in_memory == on_disk, "texts on disk changed the sources");
}
