//! Write an LFR-style benchmark graph as `source,target,weight` CSV and its planted
//! communities as `node,community` (used by benches/leiden_vs_leidenalg.sh).
//!
//! `cargo run --release --example lfr_graph -- NODES AVG_DEGREE MIXING SEED EDGES.csv TRUTH.csv`

use coordnet::synth::graphs::{lfr, LfrConfig};
use std::io::Write;

fn main() -> std::io::Result<()> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() != 6 {
        eprintln!("usage: lfr_graph NODES AVG_DEGREE MIXING SEED EDGES.csv TRUTH.csv");
        std::process::exit(2);
    }
    let num = |i: usize| -> f64 {
        a[i].parse().unwrap_or_else(|_| {
            eprintln!("argument {} ('{}') is not a number", i + 1, a[i]);
            std::process::exit(2)
        })
    };
    let config = LfrConfig::new(num(0) as usize, num(1), num(2), num(3) as u64);
    let (g, truth) = lfr(&config);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&a[4])?);
    writeln!(out, "source,target,weight")?;
    for v in 0..g.nodes() as u32 {
        for (u, w) in g.neighbors(v) {
            if v < u {
                writeln!(out, "{v},{u},{w}")?;
            }
        }
    }
    out.flush()?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(&a[5])?);
    writeln!(out, "node,community")?;
    for (v, c) in truth.iter().enumerate() {
        writeln!(out, "{v},{c}")?;
    }
    out.flush()?;
    eprintln!("{} nodes, {} edges", g.nodes(), g.edges());
    Ok(())
}
